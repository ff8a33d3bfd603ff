"""Performance paths: n_jobs, the banded filterbank, chunked files -> features, Dask.

Behaviour only (equal outputs, working paths, errors): timings live in benchmarks/.
"""

import numpy as np
import pytest
from conftest import make_tone, make_tone_commands
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import skspeech.features._extractor as extractor_module
import skspeech.features._mel as mel_module
from skspeech.exceptions import InvalidAudioError
from skspeech.features import (
    CMVN,
    MFCC,
    Deltas,
    FeatureExtractor,
    FrameStats,
    LogMelSpectrogram,
    mel_filterbank,
)
from skspeech.io import read_audio, write_audio
from skspeech.preprocessing import PadTrim


def _write_commands(folder, n_per_class=8, sr=8000, ragged=True, random_state=0):
    """Tone commands written as 16-bit WAV files; returns (paths, labels)."""
    X, y = make_tone_commands(n_per_class=n_per_class, sr=sr, ragged=ragged,
                              random_state=random_state)
    paths = []
    for i, (x, label) in enumerate(zip(X, y)):
        paths.append(str(folder / f"{label}_{i:04d}.wav"))
        write_audio(paths[-1], x, sr)
    return paths, np.asarray(y)


def _front(sr=8000):
    return make_pipeline(MFCC(sr), Deltas(), CMVN(), FrameStats(stats=("mean", "std", "max")))


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory):
    return _write_commands(tmp_path_factory.mktemp("commands"), n_per_class=10)


# --- feature speed paths ------------------------------------------------------------------


@pytest.mark.parametrize("cls", [MFCC, LogMelSpectrogram])
@pytest.mark.parametrize("ragged", [False, True])
def test_n_jobs_gives_identical_features(cls, ragged, monkeypatch, rng):
    monkeypatch.setattr(mel_module, "_MIN_CLIPS_PER_JOB", 2)  # split even a small batch
    X, _ = make_tone_commands(n_per_class=5, ragged=ragged)
    serial = cls(8000).fit_transform(X)
    for n_jobs in (2, 3, -1):
        par = cls(8000, n_jobs=n_jobs).fit_transform(X)
        if ragged:
            assert len(par) == len(serial)
            for a, b in zip(par, serial):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
        else:
            # Same numbers up to float32 rounding (BLAS and FFT kernels see other batch sizes).
            np.testing.assert_allclose(par, serial, rtol=1e-5, atol=1e-5)


def test_n_jobs_is_validated():
    with pytest.raises(ValueError, match="n_jobs"):
        MFCC(n_jobs="two").fit(np.ones((1, 400), dtype=np.float32))


@pytest.mark.parametrize("sr, n_fft, n_mels, fmin, fmax", [
    (16000, 512, 26, 0.0, None), (8000, 512, 26, 0.0, None), (8000, 256, 40, 300.0, 3400.0),
    (16000, 512, 80, 0.0, None),  # some filters cover no bin: empty bands
    (16000, 16, 3, 0.0, None),
])
def test_banded_filterbank_equals_dense_product(sr, n_fft, n_mels, fmin, fmax, rng):
    power = rng.random((50, n_fft // 2 + 1))
    spec = np.sqrt(power) * np.exp(2j * np.pi * rng.random(power.shape))
    sq = np.square(spec.view(np.float64))  # re^2, im^2 interleaved, as _spectral_block
    dense = power @ mel_filterbank(sr, n_fft, n_mels, fmin, fmax).T / n_fft
    bands, energy = mel_module._filter_bands(sr, n_fft, n_mels, fmin, fmax, True, np.float64)
    banded = np.zeros_like(dense)
    for a, b, lo, hi, w in bands:
        banded[:, a:b] = sq[:, lo:hi] @ w
    np.testing.assert_allclose(banded, dense, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sq @ energy, power.sum(axis=1) / n_fft, rtol=1e-12)


@pytest.mark.parametrize("block", [7, 99, 100, 5000])
def test_block_size_does_not_change_features(block, monkeypatch, rng):
    X = (0.1 * rng.standard_normal((7, 16000))).astype(np.float32)
    ref = MFCC().fit_transform(X)
    monkeypatch.setattr(mel_module, "_BLOCK_FRAMES", block)
    np.testing.assert_allclose(MFCC().fit_transform(X), ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.stack(MFCC().fit_transform(list(X))), ref, rtol=1e-5, atol=1e-5)


# --- FeatureExtractor: files -> features in chunks ------------------------------------------


@pytest.mark.parametrize("chunk_size, n_jobs", [(1, None), (7, None), (1000, None), (7, 2)])
def test_extractor_equals_in_memory_features(small_folder, chunk_size, n_jobs):
    paths, _ = small_folder
    front = _front()
    ext = FeatureExtractor(front, chunk_size=chunk_size, n_jobs=n_jobs)
    chunked = ext.fit_transform(paths)
    in_memory = clone(front).fit_transform([read_audio(p)[0] for p in paths])
    assert chunked.shape == (len(paths), 26 * 3) and chunked.dtype == np.float32
    # float32 features from chunks of another shape: BLAS may sum in another order (~1e-6
    # relative, seen with OpenBLAS's Haswell kernels)
    np.testing.assert_allclose(chunked, in_memory, rtol=1e-5, atol=1e-5)
    assert ext.sr_ == 8000
    assert list(ext.get_feature_names_out()[:2]) == ["mean_c0", "mean_c1"]


def test_fitted_extractor_pipeline_round_trips_through_joblib(small_folder, tmp_path):
    import joblib

    paths, y = small_folder
    model = make_pipeline(FeatureExtractor(_front(), chunk_size=8), StandardScaler(),
                          LogisticRegression()).fit(paths, y)
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict(paths), model.predict(paths))
    np.testing.assert_array_equal(loaded[0].transform(paths[:5]), model[0].transform(paths[:5]))


def test_extractor_default_front_and_resampling(small_folder):
    paths, _ = small_folder
    ext = FeatureExtractor(sr=16000, chunk_size=9).fit(paths[:12])
    out = ext.transform(paths[:12])
    assert ext.sr_ == 16000 and out.shape == (12, 52)  # MFCC + deltas, mean and std
    ref = make_pipeline(MFCC(16000), Deltas(), FrameStats()).fit_transform(
        [read_audio(p, sr=16000)[0] for p in paths[:12]])
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)  # float32, as above


def test_extractor_frame_outputs(tmp_path):
    ragged, _ = _write_commands(tmp_path, n_per_class=2)
    frames = FeatureExtractor(MFCC(8000), chunk_size=4).fit_transform(ragged)
    assert isinstance(frames, list) and len(frames) == len(ragged)
    for f, p in zip(frames, ragged):
        np.testing.assert_allclose(f, MFCC(8000).fit_transform([read_audio(p)[0]])[0],
                                   rtol=1e-5, atol=1e-5)  # float32, as above
    # Padded to one length, the frames of all chunks fill one 3-D array.
    padded = FeatureExtractor(make_pipeline(PadTrim(target_length=4000), MFCC(8000)),
                              chunk_size=4).fit_transform(ragged)
    assert padded.shape == (len(ragged), 49, 13)


class _Stack(TransformerMixin, BaseEstimator):
    """Stack a chunk's frame sequences (equal counts within the chunk) into a 3-D array."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.stack(X)

    def __sklearn_is_fitted__(self):
        return True


def test_extractor_rejects_mismatched_chunk_shapes(tmp_path):
    paths = []
    for i, seconds in enumerate([0.5, 0.5, 0.3, 0.3]):  # chunks of 2: 49 then 29 frames
        paths.append(str(tmp_path / f"clip{i}.wav"))
        write_audio(paths[-1], make_tone(300 + 100 * i, seconds, 8000), 8000)
    ext = FeatureExtractor(make_pipeline(MFCC(8000), _Stack()), chunk_size=2)
    with pytest.raises(ValueError, match=r"differ in shape \(\(49, 13\).*FrameStats"):
        ext.fit_transform(paths)
    assert ext.set_params(chunk_size=4).fit_transform(paths[:2]).shape == (2, 49, 13)


@pytest.mark.parametrize("bad, match", [
    ("one.wav", "single path"),
    (np.zeros((3, 100)), "numeric array"),
    ([], "empty list"),
    ([1.5, 2.5], "not a path"),
])
def test_extractor_input_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        FeatureExtractor(MFCC(8000)).fit(bad)


def test_extractor_errors_name_the_file(tmp_path, small_folder):
    paths, _ = small_folder
    other = tmp_path / "other_rate.wav"
    write_audio(other, 0.1 * np.ones(1600, dtype=np.float32) + 0.01, 16000)
    with pytest.raises(InvalidAudioError, match="other_rate.wav.*sr="):
        FeatureExtractor(_front(), chunk_size=100).fit(paths[:3] + [str(other)])
    ext = FeatureExtractor(_front(), chunk_size=2).fit(paths[:3])
    with pytest.raises(InvalidAudioError, match="other_rate.wav.*fit"):
        ext.transform([str(other)])
    with pytest.raises(FileNotFoundError, match="missing.wav"):
        ext.transform([str(tmp_path / "missing.wav")])
    with pytest.raises(ValueError, match="chunk_size"):
        FeatureExtractor(chunk_size=0).fit(paths)


def test_extractor_in_cached_pipeline_reads_files_once(small_folder, tmp_path, monkeypatch):
    paths, y = small_folder
    calls = []
    real = extractor_module._read_chunk

    def counting(chunk, sr):
        calls.append(len(chunk))
        return real(chunk, sr)

    monkeypatch.setattr(extractor_module, "_read_chunk", counting)
    model = Pipeline([("features", FeatureExtractor(_front(), chunk_size=8)),
                      ("scale", StandardScaler()), ("clf", LogisticRegression(C=1.0))],
                     memory=str(tmp_path / "cache"))
    model.fit(paths, y)
    first = sum(calls)
    assert first >= len(paths)  # fit's first chunk + every file once
    model.set_params(clf__C=10.0).fit(paths, y)
    assert sum(calls) == first  # features came from the cache: no file read again
    assert model.score(paths, y) > 0.9


def test_memory_path_on_a_small_folder(tmp_path):
    """The bounded-memory recipe (benchmarks/bench_memory.py) on 240 files."""
    paths, y = _write_commands(tmp_path, n_per_class=80, ragged=False, random_state=1)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(paths))
    train, test = order[:180], order[180:]
    ext = FeatureExtractor(make_pipeline(MFCC(8000), Deltas(), FrameStats()), chunk_size=32)
    features = ext.fit_transform([paths[i] for i in train])
    assert features.shape == (180, 52)
    clf = make_pipeline(StandardScaler(), SGDClassifier(random_state=0)).fit(features, y[train])
    acc = clf.score(ext.transform([paths[i] for i in test]), y[test])
    assert acc > 0.9


# --- Dask --------------------------------------------------------------------------------


def test_dask_cluster_runs_features_and_grid_search(small_folder):
    distributed = pytest.importorskip("dask.distributed")
    import joblib

    paths, y = small_folder
    serial_feats = FeatureExtractor(_front(), chunk_size=5).fit_transform(paths)
    X, _ = make_tone_commands(n_per_class=12, ragged=False)
    serial_mfcc = MFCC(8000).fit_transform(X)
    grid = {"C": [0.1, 1.0, 10.0]}
    serial_gs = GridSearchCV(LogisticRegression(max_iter=500), grid, cv=3).fit(serial_feats, y)

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
            feats = FeatureExtractor(_front(), chunk_size=5, n_jobs=-1).fit_transform(paths)
            mfcc = MFCC(8000, n_jobs=2).fit_transform(X)
            gs = GridSearchCV(LogisticRegression(max_iter=500), grid, cv=3,
                              n_jobs=-1).fit(feats, y)
        workers = {t["worker"] for t in tasks.data}
    np.testing.assert_array_equal(feats, serial_feats)
    np.testing.assert_allclose(mfcc, serial_mfcc, rtol=1e-5, atol=1e-5)
    assert gs.best_params_ == serial_gs.best_params_
    np.testing.assert_allclose(gs.cv_results_["mean_test_score"],
                               serial_gs.cv_results_["mean_test_score"])
    # The chunks, the MFCC jobs and the grid-search fits really ran on the cluster.
    assert len(tasks.data) >= len(paths) // 5 + 2 + 9
    assert len(workers) == 2
