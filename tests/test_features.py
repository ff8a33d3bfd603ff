"""Features: python_speech_features equality, shapes, stats and errors."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import python_speech_features as psf
import scipy.fftpack
from conftest import make_chirp, make_tone, make_tone_commands
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

import skspeech.features._mel as mel_module
import skspeech.features._mel_kernels as mel_kernels
from skspeech.exceptions import InvalidAudioError, SilentAudioWarning
from skspeech.features import CMVN, MFCC, Deltas, FrameStats, LogMelSpectrogram, mel_filterbank
from skspeech.io import read_audio

TOL = 1e-3  # max abs difference to psf allowed by the issue


def _psf_mfcc(x, sr, **kw):
    return psf.mfcc(np.asarray(x, dtype=np.float64), sr, **kw)


def _psf_logfbank(x, sr, **kw):
    return psf.logfbank(np.asarray(x, dtype=np.float64), sr, **kw)


def _max_diff(ours, refs):
    assert len(ours) == len(refs)
    for o, r in zip(ours, refs, strict=False):
        assert o.shape == r.shape
    return max(float(np.abs(o - r).max()) for o, r in zip(ours, refs, strict=False))


def _pad(clips):
    out = np.zeros((len(clips), max(len(x) for x in clips)), dtype=np.float32)
    for i, x in enumerate(clips):
        out[i, :len(x)] = x
    return out


def _generated_clips(sr, rng):
    """Tones, chirps and noise of different lengths (incl. shorter than a window)."""
    return [
        make_tone(440, 0.5, sr),
        make_chirp(200, 3000, 0.73, sr),
        (0.3 * rng.standard_normal(int(0.41 * sr))).astype(np.float32),
        make_tone(1000, 0.3, sr, amplitude=0.01) + make_chirp(100, 900, 0.3, sr),
        make_tone(300, 0.02, sr),  # shorter than the 25 ms window
        (0.1 * rng.standard_normal(1)).astype(np.float32) + 0.5,  # a single sample
    ]


@pytest.fixture(scope="module")
def fsdd_clips(fsdd_path):
    files = sorted((fsdd_path / "recordings").glob("*.wav"))
    # Different digits and speakers; takes 0-4 are the official test split.
    picked = [f for f in files if f.stem.split("_")[2] == "0"][::9][:6]
    assert len(picked) == 6
    return {sr: [read_audio(f, sr=sr)[0] for f in picked] for sr in (8000, 16000)}


# --------------------------------------------------------------------------
# Equality with python_speech_features


@pytest.mark.parametrize("sr", [8000, 16000])
def test_fsdd_matches_psf_ragged_and_batch(fsdd_clips, sr):
    clips = fsdd_clips[sr]
    mfcc, logmel = MFCC(sr).fit(clips), LogMelSpectrogram(sr).fit(clips)
    assert _max_diff(mfcc.transform(clips), [_psf_mfcc(x, sr) for x in clips]) <= TOL
    assert _max_diff(logmel.transform(clips), [_psf_logfbank(x, sr) for x in clips]) <= TOL

    batch = _pad(clips)
    out = mfcc.transform(batch)
    assert out.dtype == np.float32 and out.ndim == 3
    assert _max_diff(out, [_psf_mfcc(x, sr) for x in batch]) <= TOL
    assert _max_diff(logmel.transform(batch), [_psf_logfbank(x, sr) for x in batch]) <= TOL


@pytest.mark.parametrize("sr", [8000, 16000])
def test_generated_matches_psf(sr, rng):
    clips = _generated_clips(sr, rng)
    out = MFCC(sr).fit_transform(clips)
    assert _max_diff(out, [_psf_mfcc(x, sr) for x in clips]) <= TOL
    out = LogMelSpectrogram(sr).fit_transform(clips)
    assert _max_diff(out, [_psf_logfbank(x, sr) for x in clips]) <= TOL
    batch = _pad(clips[:4])
    assert _max_diff(MFCC(sr).fit_transform(batch), [_psf_mfcc(x, sr) for x in batch]) <= TOL


@pytest.mark.parametrize("params, psf_kw", [
    (dict(window="hamming"), dict(winfunc=np.hamming)),
    # In float32, a Hann window on noiseless tones leaves bands > 100 dB down
    # at rounding-noise level; float64 follows psf there.
    (dict(window="hann", dtype="float64"), dict(winfunc=np.hanning)),
    (dict(n_mels=40, n_mfcc=20, fmin=100, fmax=3500), dict(nfilt=40, numcep=20, lowfreq=100,
                                                          highfreq=3500)),
    (dict(lifter=0, log_energy=False, preemphasis=0.0), dict(ceplifter=0, appendEnergy=False,
                                                            preemph=0)),
    (dict(win_length=256, hop_length=128, n_fft=256), dict(winlen=256 / 8000,
                                                           winstep=128 / 8000, nfft=256)),
])
def test_parameters_match_psf(params, psf_kw, rng):
    sr = 8000
    clips = _generated_clips(sr, rng)
    out = MFCC(sr, **params).fit_transform(clips)
    assert _max_diff(out, [_psf_mfcc(x, sr, **psf_kw) for x in clips]) <= TOL


def test_float64_matches_psf_closely(rng):
    clips = _generated_clips(16000, rng)
    out = MFCC(dtype="float64", window="hann").fit_transform(clips)
    assert out[0].dtype == np.float64
    refs = [_psf_mfcc(x, 16000, winfunc=np.hanning) for x in clips]
    assert _max_diff(out, refs) <= 1e-9
    out = LogMelSpectrogram(dtype=np.float64).fit_transform(_pad(clips))
    assert out.dtype == np.float64
    assert _max_diff(out, [_psf_logfbank(x, 16000) for x in _pad(clips)]) <= 1e-9


def test_default_framing_rounds_half_up():
    # 10 ms at 22050 Hz is 220.5 samples: psf (and we) round to 221, not to 220.
    x = make_chirp(100, 5000, 0.5, 22050)
    m = MFCC(22050, n_fft=1024)
    assert m.frame_lengths() == (551, 221)
    assert MFCC(8000, win_length=256, hop_length=100).frame_lengths() == (256, 100)
    out = m.fit_transform([x])[0]
    assert out.shape == (1 + int(np.ceil((len(x) - 551) / 221)), 13)
    assert np.abs(out - _psf_mfcc(x, 22050, nfft=1024)).max() <= TOL


def test_logmel_matches_psf_with_parameters(rng):
    sr = 16000
    clips = _generated_clips(sr, rng)
    out = LogMelSpectrogram(sr, n_mels=40, fmin=50, fmax=7000, preemphasis=0.9).fit_transform(clips)
    refs = [_psf_logfbank(x, sr, nfilt=40, lowfreq=50, highfreq=7000, preemph=0.9) for x in clips]
    assert _max_diff(out, refs) <= TOL


def test_mel_filterbank_equals_psf():
    for args in [(26, 512, 8000, 0, None), (40, 512, 16000, 300, 7000), (20, 256, 8000, 0, 4000)]:
        nfilt, nfft, sr, lo, hi = args
        np.testing.assert_allclose(mel_filterbank(sr, nfft, nfilt, lo, hi),
                                   psf.get_filterbanks(nfilt, nfft, sr, lo, hi), atol=1e-12)


@pytest.mark.filterwarnings("ignore:The 'warn' function is deprecated:DeprecationWarning")
def test_truncated_frames_warn_and_match_psf(rng):
    # 25 ms at 16 kHz is 400 samples > n_fft=256: psf truncates the frames.
    x = make_chirp(200, 4000, 0.3, 16000)
    with pytest.warns(UserWarning, match=r"frame length \(400 samples.*greater than "
                                         r"n_fft=256.*Raise n_fft \(e.g. to 512\)"):
        out = MFCC(n_fft=256).fit_transform([x])[0]
    assert np.abs(out - _psf_mfcc(x, 16000, nfft=256)).max() <= TOL


# --------------------------------------------------------------------------
# Shapes, frame counts, batching


def test_frame_counts_for_ragged_input(rng):
    sr = 8000  # window 200, hop 80
    lengths = [1, 150, 199, 200, 201, 280, 281, 361, 8000]
    clips = [(0.1 * rng.standard_normal(n)).astype(np.float32) + 0.01 for n in lengths]
    out = MFCC(sr).fit_transform(clips)
    expected = [1 if n <= 200 else 1 + int(np.ceil((n - 200) / 80)) for n in lengths]
    assert [f.shape for f in out] == [(n, 13) for n in expected]
    assert [len(_psf_mfcc(x, sr)) for x in clips] == expected
    assert all(f.dtype == np.float32 for f in out)


def test_short_clips_give_one_frame_equal_to_psf(rng):
    clips = [(0.2 * rng.standard_normal(n)).astype(np.float32) for n in (1, 2, 50, 399, 400)]
    out = MFCC().fit_transform(clips)
    assert [len(f) for f in out] == [1, 1, 1, 1, 1]
    assert _max_diff(out, [_psf_mfcc(x, 16000) for x in clips]) <= TOL
    # The same clips as a 2-D batch (all shorter than one window).
    batch = _pad(clips)
    assert MFCC().fit_transform(batch).shape == (5, 1, 13)


def test_batch_equals_list_and_blocks(monkeypatch, rng):
    X = np.stack([make_chirp(f, 2 * f, 0.4, 8000) for f in (200, 300, 400)])
    X = X + 0.01 * rng.standard_normal(X.shape).astype(np.float32)
    m = MFCC(8000)
    batch, ragged = m.fit_transform(X), m.transform(list(X))
    np.testing.assert_array_equal(batch, np.stack(ragged))
    # Tiny blocks exercise frames of one clip split across FFT blocks.
    # Other block shapes let BLAS sum in another order: float32 round-off, ~1e-6 relative
    # (seen with OpenBLAS's Haswell kernels on an AMD EPYC).
    monkeypatch.setattr(mel_module, "_BLOCK_FRAMES", 7)
    np.testing.assert_allclose(m.transform(X), batch, rtol=1e-5, atol=1e-5)
    for a, b in zip(m.transform(list(X)), ragged, strict=False):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_matrices_are_cached_and_read_only():
    a = mel_kernels._dct_matrix(26, 13, 22.0, np.float32)
    assert a is mel_kernels._dct_matrix(26, 13, 22.0, np.float32)
    assert a.dtype == np.float32 and not a.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        a[0, 0] = 1.0
    bands, energy = mel_kernels._filter_bands(16000, 512, 26, 0.0, None, True)
    assert bands is mel_kernels._filter_bands(16000, 512, 26, 0.0, None, True)[0]
    assert not energy.flags.writeable and not bands[0][-1].flags.writeable
    # the public filterbank is a copy the caller may change
    fb = mel_filterbank(16000, 512, 26)
    fb[0, 0] = 5.0
    assert mel_filterbank(16000, 512, 26)[0, 0] == 0.0


def test_psf_builds_the_filterbank_and_the_cepstrum():
    # the filters are psf's own, to the bit, also where some filters cover no bin
    for sr, nfft, nfilt, lo, hi in [(16000, 512, 26, 0, None), (16000, 512, 80, 0, None),
                                    (8000, 256, 40, 300, 3400), (16000, 16, 3, 0, None)]:
        np.testing.assert_array_equal(mel_filterbank(sr, nfft, nfilt, lo, hi),
                                      psf.get_filterbanks(nfilt, nfft, sr, lo, hi or sr / 2))
    # the DCT matrix is psf's DCT-II and lifter applied to the identity
    log_mel = np.random.default_rng(0).normal(size=(50, 26))
    for lifter in (22.0, 0.0, 10.0):
        want = psf.lifter(scipy.fftpack.dct(log_mel, type=2, axis=1, norm="ortho")[:, :13],
                          lifter)
        got = log_mel @ mel_kernels._dct_matrix(26, 13, lifter, np.float64)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="above the Nyquist frequency"):
        mel_filterbank(8000, 512, 26, fmax=5000)


def test_float64_and_int_input_accepted():
    x = make_tone(500, 0.2, 8000)
    ref = MFCC(8000).fit_transform(x[np.newaxis])
    np.testing.assert_allclose(MFCC(8000).fit_transform(x[np.newaxis].astype(np.float64)), ref,
                               atol=1e-5)
    ints = (x * 1000).astype(np.int16)
    out = MFCC(8000).fit_transform([ints])[0]
    assert out.dtype == np.float32
    # int16 is PCM: scaled by its full scale (32768) as read_audio scales a 16-bit file
    assert np.abs(out - _psf_mfcc(ints / 32768, 8000)).max() <= TOL


# --------------------------------------------------------------------------
# Deltas, CMVN, FrameStats


@pytest.mark.parametrize("width", [1, 2, 3])
def test_deltas_equal_psf(width, rng):
    seqs = [rng.standard_normal((n, 5)).astype(np.float32) for n in (1, 2, 4, 30)]
    out = Deltas(width=width, order=2).fit_transform(seqs)
    for o, s in zip(out, seqs, strict=False):
        d = psf.delta(s.astype(np.float64), width)
        assert o.shape == (len(s), 15)
        np.testing.assert_array_equal(o[:, :5], s)
        np.testing.assert_allclose(o[:, 5:10], d, atol=1e-5)
        np.testing.assert_allclose(o[:, 10:], psf.delta(d, width), atol=1e-5)
    # 3-D input: each clip on its own (edges repeated per clip, not across clips).
    X = rng.standard_normal((3, 12, 4)).astype(np.float32)
    out = Deltas(width=width).fit_transform(X)
    assert out.shape == (3, 12, 8) and out.dtype == np.float32
    for o, s in zip(out, X, strict=False):
        np.testing.assert_allclose(o[:, 4:], psf.delta(s.astype(np.float64), width), atol=1e-5)


def test_deltas_of_ramp_and_2d_input():
    ramp = np.arange(10.0)[np.newaxis]  # 2-D: 1 clip, 10 frames, 1 coefficient
    out = Deltas(width=2).fit_transform(ramp)
    assert out.shape == (1, 10, 2)
    np.testing.assert_allclose(out[0, 2:-2, 1], 1.0)  # slope 1 away from the edges
    np.testing.assert_allclose(out[0, 0, 1], (1 * 1 + 2 * 2) / 10)  # edge frame repeated


def test_cmvn_mean_zero_std_one(rng):
    seqs = [(3 + 2 * rng.standard_normal((n, 6))).astype(np.float32) for n in (5, 17, 40)]
    seqs[1][:, 2] = 4.0  # a constant coefficient becomes 0
    out = CMVN(variance=True).fit_transform(seqs)
    for o in out:
        np.testing.assert_allclose(o.mean(axis=0), 0, atol=1e-5)
    for i, o in enumerate(out):
        std = o.std(axis=0)
        if i == 1:
            np.testing.assert_array_equal(o[:, 2], 0)
            std = np.delete(std, 2)
        np.testing.assert_allclose(std, 1, atol=1e-5)
    mean_only = CMVN().fit_transform(seqs)
    for o, s in zip(mean_only, seqs, strict=False):
        np.testing.assert_allclose(o, s - s.mean(axis=0), atol=1e-5)
    X = np.stack([s[:5] for s in seqs])
    out3 = CMVN(variance=True).fit_transform(X)
    assert out3.shape == X.shape and out3.dtype == np.float32
    np.testing.assert_allclose(out3.mean(axis=1), 0, atol=1e-5)


def test_framestats_values_and_names(rng):
    seqs = [rng.standard_normal((n, 3)).astype(np.float32) for n in (1, 4, 7, 7)]
    stats = ("mean", "std", "min", "max", "median")
    pool = FrameStats(stats=stats).fit(seqs)
    out = pool.transform(seqs)
    assert out.shape == (4, 15) and out.dtype == np.float32
    funcs = [np.mean, np.std, np.min, np.max, np.median]
    expected = np.stack([np.concatenate([f(s, axis=0) for f in funcs]) for s in seqs])
    np.testing.assert_allclose(out, expected, atol=1e-6)
    names = pool.get_feature_names_out()
    assert names[:4].tolist() == ["mean_c0", "mean_c1", "mean_c2", "std_c0"]
    assert names[-1] == "median_c2" and len(names) == out.shape[1]


def test_framestats_ragged_does_not_count_padding(rng):
    seqs = [np.full((3, 2), 2.0), np.full((9, 2), -1.0)]
    out = FrameStats().fit_transform(seqs)
    np.testing.assert_array_equal(out, [[2, 2, 0, 0], [-1, -1, 0, 0]])
    # 2-D input: (n_clips, n_frames), one coefficient.
    out = FrameStats(stats=("max",)).fit_transform(np.array([[1.0, 5.0, 2.0], [0.0, -1.0, 3.0]]))
    np.testing.assert_array_equal(out, [[5], [3]])


def test_framestats_pandas_output(rng):
    pd = pytest.importorskip("pandas")
    seqs = [rng.standard_normal((n, 2)) for n in (3, 5)]
    df = FrameStats().set_output(transform="pandas").fit_transform(seqs)
    assert isinstance(df, pd.DataFrame)
    assert df.columns.tolist() == ["mean_c0", "mean_c1", "std_c0", "std_c1"]


def test_framestats_set_output_is_wired():
    # Without pandas installed: the set_output wrapper is active for transform
    # and feature names match the columns (what pandas output needs).
    pool = FrameStats()
    assert "transform" in pool._sklearn_auto_wrap_output_keys
    assert pool.set_output(transform="default") is pool
    # 3-D / list outputs opt out of set_output.
    assert not any(hasattr(est, "set_output") for est in (MFCC(), LogMelSpectrogram(), Deltas(),
                                                          CMVN()))


def test_pipeline_on_tone_commands():
    X, y = make_tone_commands(n_per_class=8, sr=8000)
    pipe = make_pipeline(MFCC(8000), Deltas(), CMVN(), FrameStats(),
                         LogisticRegression(max_iter=500))
    pipe.fit(X[::2], y[::2])
    assert pipe.predict(X[:3]).dtype.kind == "U"
    assert pipe.score(X[1::2], y[1::2]) >= 0.9


# --------------------------------------------------------------------------
# Errors and warnings


@pytest.mark.parametrize("params, match", [
    (dict(n_mfcc=30), r"n_mfcc=30\) cannot exceed n_mels=26"),
    (dict(fmax=9000), r"fmax=9000\) is above the Nyquist frequency sr / 2 = 8000"),
    (dict(fmin=5000, fmax=4000), r"fmin=5000\) must be below fmax = 4000"),
])
def test_bad_parameters_raise_at_fit(params, match):
    with pytest.raises(ValueError, match=match):
        MFCC(**params).fit(np.ones((2, 800)))


@pytest.mark.parametrize("est, match", [
    (MFCC(hop_length=0), r"'hop_length' parameter of MFCC must be .*range \[1, inf\)"),
    (LogMelSpectrogram(window="blackman"), r"'window' parameter of LogMelSpectrogram"),
    (MFCC(n_mfcc=0), r"'n_mfcc' parameter of MFCC"),
    (Deltas(order=3), r"'order' parameter of Deltas must be an int in the range \[1, 2\]"),
    (Deltas(width=0), r"'width' parameter of Deltas"),
    (CMVN(variance="yes"), r"'variance' parameter of CMVN"),
])
def test_invalid_parameter_types(est, match):
    X = np.ones((2, 800))
    with pytest.raises(InvalidParameterError, match=match):
        est.fit(X)
    with pytest.raises(InvalidParameterError, match=match):
        clone(est).transform(X)  # stateless: transform checks too


def test_empty_filters_warn():
    with pytest.warns(UserWarning, match=r"mel filters cover no FFT bin.*Lower n_mels"):
        LogMelSpectrogram(8000, n_fft=64, win_length=64, n_mels=40).fit_transform(
            np.ones((1, 400)))


@pytest.mark.parametrize("X, match", [
    ([np.ones(10), np.array([])], "clip at index 1 is empty"),
    ([np.ones(10), np.array([0.1, np.nan])], "clip at index 1 contains NaN"),
    (np.ones(100), r"got a 1-D array of shape \(100,\).*x\[np.newaxis\]"),
    (np.ones((2, 3, 4)), "must be a 2-D array"),
])
def test_bad_audio_raises(X, match):
    for est in (MFCC(), LogMelSpectrogram()):
        with pytest.raises(InvalidAudioError, match=match):
            est.fit_transform(X)


def test_silent_clip_raises_at_fit_warns_at_transform():
    X = np.zeros((2, 400), dtype=np.float32)
    X[0] = make_tone(300, 0.05, 8000)
    with pytest.raises(InvalidAudioError, match="silent"):
        MFCC(8000).fit(X)
    m = MFCC(8000).fit(X[:1])
    with pytest.warns(SilentAudioWarning):
        out = m.transform(X)
    np.testing.assert_allclose(out[1, :, 0], np.log(np.finfo(np.float64).eps), rtol=1e-6)


@pytest.mark.parametrize("est", [Deltas(), CMVN(), FrameStats()])
def test_frame_input_errors(est):
    with pytest.raises(InvalidAudioError, match=r"sequence at index 1 has 4 coefficients per "
                                                r"frame, but the first has 3"):
        est.fit_transform([np.ones((5, 3)), np.ones((5, 4))])
    with pytest.raises(InvalidAudioError, match=r"1-D array of shape \(5,\).*Reshape your data"):
        clone(est).fit_transform(np.ones(5))
    with pytest.raises(InvalidAudioError, match="sequence at index 0 contains NaN"):
        clone(est).fit_transform([np.full((2, 3), np.nan)])


def test_framestats_errors():
    pool = FrameStats().fit([np.ones((4, 13))])
    with pytest.raises(ValueError, match=r"X has 26 coefficients per frame, but FrameStats was "
                                         r"fitted on 13"):
        pool.transform([np.ones((4, 26))])
    with pytest.raises(ValueError, match=r"expected a non-empty tuple of 'mean', 'std'.*"
                                         r"got \['mode'\]"):
        FrameStats(stats=("mean", "mode")).fit([np.ones((4, 2))])
    with pytest.raises(ValueError, match="names a statistic twice"):
        FrameStats(stats=("mean", "mean")).fit([np.ones((4, 2))])
    with pytest.raises(ValueError, match="got no statistics"):
        FrameStats(stats=()).fit([np.ones((4, 2))])


# --------------------------------------------------------------------------
# Persistence


@pytest.mark.parametrize("est, X", [
    (MFCC(8000, n_mfcc=10, window="hamming"),
     [make_tone(440, 0.3, 8000), make_tone(300, 0.1, 8000)]),
    (LogMelSpectrogram(8000, n_mels=30), [make_chirp(200, 900, 0.3, 8000)]),
    (Deltas(width=3, order=2), [np.arange(12.0).reshape(6, 2)]),
    (CMVN(variance=True), [np.arange(12.0).reshape(6, 2) ** 2]),
    (FrameStats(stats=("median", "max")), [np.arange(12.0).reshape(6, 2) ** 2]),
])
def test_pickle_and_joblib_round_trip(est, X, tmp_path):
    est = est.fit(X)
    ref = est.transform(X)
    path = tmp_path / "est.joblib"
    joblib.dump(est, path)
    for loaded in (pickle.loads(pickle.dumps(est)), joblib.load(path)):
        assert loaded.get_params() == est.get_params()
        out = loaded.transform(X)
        if isinstance(ref, list):
            for a, b in zip(out, ref, strict=False):
                np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_array_equal(out, ref)


def test_no_warnings_with_defaults(rng):
    X = (0.1 * rng.standard_normal((2, 1600))).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MFCC(8000).fit_transform(X)
        LogMelSpectrogram().fit_transform(list(X))


# --------------------------------------------------------------------------
# Functions of log-mel frames (kws_pipeline's level and cepstra steps)


def test_frame_functions_are_public_and_pickle_by_their_public_path(rng):
    from sklearn.preprocessing import FunctionTransformer

    from skspeech.features import cepstra, relative_log_level

    frames = 10 * rng.normal(size=(2, 30, 20)).astype(np.float32)  # spans more than 40 dB
    level = relative_log_level(frames, top_db=40.0)
    assert level.dtype == np.float32 and level.max() == 0.0
    np.testing.assert_allclose(level.min(), -40.0 * np.log(10.0) / 10.0, rtol=1e-6)
    np.testing.assert_allclose(relative_log_level(frames + 3.0, top_db=40.0), level, atol=1e-6)
    ceps = cepstra(level, n_ceps=13)
    np.testing.assert_allclose(ceps, scipy.fftpack.dct(level, type=2, axis=2, norm="ortho")[
        :, :, :13], rtol=1e-5, atol=1e-5)
    step = FunctionTransformer(cepstra, kw_args={"n_ceps": 13})
    blob = pickle.dumps(step)
    assert b"skspeech.features" in blob and b"_frame_functions" not in blob
    np.testing.assert_array_equal(pickle.loads(blob).fit_transform(level), ceps)
    # files saved before the move name the recipe module: that name still leads here
    from skspeech.pipelines import _kws

    assert _kws.relative_log_level is relative_log_level and _kws.cepstra is cepstra
    with pytest.raises(ValueError, match="top_db must be a number of dB > 0"):
        relative_log_level(frames, top_db=0)
    with pytest.raises(ValueError, match=r"at least n_ceps=30 bands; got shape \(2, 30, 20\)"):
        cepstra(frames, n_ceps=30)


def test_grid_search_over_numpy_integers():
    # GridSearchCV hands np.arange values (np.int64) to set_params: every parameter check
    # takes numbers.Integral, so they work like ints and give the same features.
    from sklearn.model_selection import GridSearchCV

    from skspeech.pipelines import svm_pipeline

    X, y = make_tone_commands(n_per_class=6, sr=8000)
    grid = {"mfcc__n_mfcc": np.arange(12, 14), "mfcc__hop_length": np.arange(80, 161, 80),
            "deltas__width": np.arange(1, 3), "mfcc__n_mels": np.arange(26, 27)}
    search = GridSearchCV(svm_pipeline(sr=8000, probability=False), grid, cv=2,
                          error_score="raise").fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert isinstance(search.best_params_["mfcc__n_mfcc"], np.integer)
    assert search.best_score_ > 0.9
    kw = {"n_mfcc": np.int64(13), "hop_length": np.int64(80), "win_length": np.int32(200),
          "n_fft": np.int64(256), "n_mels": np.int16(26)}
    np.testing.assert_array_equal(MFCC(np.int64(8000), **kw).fit_transform(X[:3])[2],
                                  MFCC(8000, **{k: int(v) for k, v in kw.items()})
                                  .fit_transform(X[:3])[2])
    assert Deltas(width=np.int64(2), order=np.int64(2)).fit_transform(
        [np.ones((5, 3))])[0].shape == (5, 9)


def test_shared_docstring_text_is_filled_in():
    import inspect

    from skspeech._docstrings import fill_doc
    from skspeech.models import GeometricVotingClassifier
    from skspeech.utils import all_estimators

    @fill_doc(extra="a : int\n    The a.")
    class Step:
        """Summary, 10 % of it.

        %(extra)s
        """

        def transform(self, X):
            """Go.

            %(X_frames)s
            """

    # each line of a snippet is indented as the line that names it
    assert "\n        a : int\n            The a.\n" in Step.__doc__
    assert "10 % of it" in Step.__doc__
    assert "\n            X : ndarray of shape (n_clips, n_frames, n_coeffs)" in \
        Step.transform.__doc__
    for _, cls in [*all_estimators(), ("", GeometricVotingClassifier)]:
        for name, member in [("", cls), *inspect.getmembers(cls, callable)]:
            assert "%(" not in (getattr(member, "__doc__", None) or ""), (cls, name)
