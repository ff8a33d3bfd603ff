"""skspeech.datasets: make_spoken_commands (espeak-ng) and load_fsdd."""

import importlib.util
import os
import sys
import time
import warnings

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skspeech.datasets import get_data_home, load_fsdd, make_spoken_commands
from skspeech.io import write_audio

requires_espeak = pytest.mark.skipif(importlib.util.find_spec("espeakng_loader") is None,
                                     reason="needs the synth extra (espeakng-loader)")

WORDS = ["yes", "no", "up", "down", "left", "right"]


@pytest.fixture(autouse=True)
def _no_home_cache(tmp_path, monkeypatch):
    # Nothing in these tests may write to ~/skspeech_data.
    monkeypatch.setenv("SKSPEECH_DATA", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def clean():
    """6 words x 6 voices at 8 kHz, no noise."""
    return make_spoken_commands(WORDS, n_voices=6, sr=8000, noise=None, random_state=0,
                                cache=False)


@pytest.fixture(scope="module")
def noisy():
    """Same clips with the default noise."""
    return make_spoken_commands(WORDS, n_voices=6, sr=8000, random_state=0, cache=False)


# -- make_spoken_commands: content ---------------------------------------------------------
@requires_espeak
def test_shapes_dtypes_and_order(clean):
    n = len(WORDS) * 6
    assert clean.data.shape == (n, 8000) and clean.data.dtype == np.float32
    assert clean.sr == 8000 and clean.target_names == WORDS
    assert clean.target.dtype.kind == "U" and clean.voice.dtype.kind == "U"
    # voice-major, words in the given order
    assert clean.target.tolist() == WORDS * 6
    assert clean.voice.tolist() == [f"v{k:02d}" for k in range(6) for _ in WORDS]
    assert clean.take.tolist() == [0] * n
    assert [p["voice"] for p in clean.voice_params] == [f"v{k:02d}" for k in range(6)]
    assert np.abs(clean.data).max() <= 1.0
    assert "GPL-3.0" in clean.DESCR and "skspeech[synth]" in clean.DESCR
    assert "Voice-major" in clean.DESCR


@requires_espeak
def test_every_clip_holds_speech(clean, noisy):
    # Clean: silence is exact zeros, the word a loud burst (peak >= -14 dBFS).
    assert (np.abs(clean.data).max(axis=1) > 0.2).all()
    assert (clean.data == 0).mean(axis=1).min() > 0.2  # the clip is longer than the word
    # Noisy: the loudest 50 ms is well above the quietest 50 ms (the noise floor).
    win = 400
    for x in noisy.data:
        frames = x[: len(x) // win * win].reshape(-1, win)
        rms = np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1))
        assert rms.max() > 3 * rms.min()


@requires_espeak
def test_voices_alternate_gender_and_differ(clean):
    params = clean.voice_params
    assert [p["gender"] for p in params] == ["male", "female"] * 3
    assert len({p["espeak_voice"] for p in params}) == 6
    for p in params:
        assert p["espeak_voice"] == f"{p['accent']}+{p['variant']}"
        assert 0 <= p["pitch"] <= 99 and 0 <= p["range"] <= 99 and 80 <= p["rate"] <= 450


@requires_espeak
def test_voices_sound_different(clean):
    # Recognise the speaker from mean MFCCs of words it was not trained on:
    # if the voices were alike this would be near chance (1/6).
    from python_speech_features import mfcc

    feats = []
    for x in clean.data:
        m = mfcc(x, clean.sr, nfft=256)
        feats.append(m[m[:, 0] > np.percentile(m[:, 0], 70)].mean(axis=0)[1:])
    feats = np.array(feats)
    hits = []
    for word in WORDS:
        train = clean.target != word
        centroids = {v: feats[train & (clean.voice == v)].mean(axis=0)
                     for v in np.unique(clean.voice)}
        for f, v in zip(feats[~train], clean.voice[~train], strict=False):
            hits.append(min(centroids, key=lambda c: np.linalg.norm(f - centroids[c])) == v)
    assert np.mean(hits) > 0.5


@requires_espeak
def test_female_voices_are_higher():
    # Mean pitch of each voice from the autocorrelation of its voiced frames.
    ds = make_spoken_commands(["no", "go", "on"], n_voices=4, sr=8000, noise=None,
                              random_state=3, cache=False)

    def f0(x, sr):
        frames = [x[i:i + 320] for i in range(0, len(x) - 320, 160)]
        frames = [f - f.mean() for f in frames if np.sqrt((f**2).mean()) > 0.05]
        lags = []
        for f in frames:
            ac = np.correlate(f, f, "full")[len(f) - 1:]
            lo, hi = sr // 400, sr // 60
            lags.append(lo + np.argmax(ac[lo:hi]))
        return sr / np.median(lags)

    pitch = {v: np.median([f0(x, ds.sr) for x in ds.data[ds.voice == v]])
             for v in np.unique(ds.voice)}
    male = [pitch[p["voice"]] for p in ds.voice_params if p["gender"] == "male"]
    female = [pitch[p["voice"]] for p in ds.voice_params if p["gender"] == "female"]
    assert min(female) > max(male)


@requires_espeak
def test_n_takes_return_x_y_and_sample_rate():
    X, y = make_spoken_commands(["up", "down"], n_voices=1, n_takes=3, sr=16000,
                                duration=0.75, random_state=1, cache=False, return_X_y=True)
    assert X.shape == (6, 12000) and y.tolist() == ["up"] * 3 + ["down"] * 3
    # takes differ (jitter, placement, noise)
    assert not np.array_equal(X[0], X[1])


@requires_espeak
def test_words_given_as_array_with_spaces_and_digits():
    ds = make_spoken_commands(np.array(["turn left", "7", "don't"]), n_voices=1,
                              random_state=0, cache=False)
    assert ds.target.tolist() == ["turn left", "7", "don't"]


# -- determinism ------------------------------------------------------------------------------
@requires_espeak
def test_same_random_state_same_arrays(noisy):
    again = make_spoken_commands(WORDS, n_voices=6, sr=8000, random_state=0, cache=False)
    np.testing.assert_array_equal(again.data, noisy.data)
    np.testing.assert_array_equal(again.target, noisy.target)
    assert again.voice_params == noisy.voice_params


@requires_espeak
def test_other_random_state_other_data(noisy):
    other = make_spoken_commands(WORDS, n_voices=6, sr=8000, random_state=1, cache=False)
    assert other.voice_params != noisy.voice_params
    assert not np.allclose(other.data, noisy.data)


@requires_espeak
def test_each_clip_depends_only_on_its_own_voice_word_and_take(noisy):
    # Voice v03 and its "left" are the same whatever else is generated
    # before it: espeak-ng's internal state does not leak between utterances.
    ds = make_spoken_commands(["left", "yes"], n_voices=4, sr=8000, random_state=0,
                              cache=False)
    assert ds.voice_params[3] == noisy.voice_params[3]
    mine = (ds.voice == "v03") & (ds.target == "left")
    theirs = (noisy.voice == "v03") & (noisy.target == "left")
    np.testing.assert_array_equal(ds.data[mine], noisy.data[theirs])


@requires_espeak
def test_engine_output_does_not_depend_on_history():
    from skspeech.datasets._espeak import get_engine

    engine = get_engine()
    first, sr = engine.synth("yes", "en-us+m1", seed=5)
    engine.synth("stop", "en+klatt3", rate=300, pitch=90, seed=9)
    second, _ = engine.synth("yes", "en-us+m1", seed=5)
    assert sr == 22050 and first.dtype == np.int16 and first.size > 0.1 * sr
    np.testing.assert_array_equal(first, second)


@requires_espeak
def test_engine_falls_back_to_the_shared_library_with_a_warning():
    import espeakng_loader

    from skspeech.datasets._espeak import EspeakEngine

    engine = EspeakEngine(espeakng_loader.get_library_path(), espeakng_loader.get_data_path())

    def noexec():
        raise OSError("failed to map segment from shared object")

    engine._private_copy = noexec
    with pytest.warns(RuntimeWarning, match="not reproducible bit for bit"):
        samples, sr = engine.synth("go", "en-us")
    assert sr == 22050 and np.abs(samples).max() > 1000


@requires_espeak
def test_engine_reports_missing_voice_data(tmp_path):
    import espeakng_loader

    from skspeech.datasets._espeak import EspeakEngine

    with pytest.raises(RuntimeError, match="could not load its data"):
        EspeakEngine(espeakng_loader.get_library_path(), tmp_path / "espeak-ng-data")


@requires_espeak
def test_random_state_none_differs_between_calls():
    a = make_spoken_commands(["go"], n_voices=2, random_state=None)
    b = make_spoken_commands(["go"], n_voices=2, random_state=None)
    assert not np.array_equal(a.data, b.data)


# -- noise ------------------------------------------------------------------------------------
@requires_espeak
@pytest.mark.parametrize("noise", [0.1, (20.0, 20.0)])
def test_noise_level(noise):
    kw = dict(words=["stop", "on"], n_voices=2, random_state=4, cache=False)
    clean = make_spoken_commands(noise=None, **kw).data.astype(np.float64)
    noisy = make_spoken_commands(noise=noise, **kw).data.astype(np.float64)
    added = noisy - clean
    for x, n in zip(clean, added, strict=False):
        speech_rms = np.sqrt(np.mean(x[x != 0] ** 2))
        assert np.sqrt(np.mean(n**2)) / speech_rms == pytest.approx(0.1, rel=0.05)


@requires_espeak
def test_noise_color():
    kw = dict(words=["up"], n_voices=1, random_state=2, cache=False)
    clean = make_spoken_commands(noise=None, **kw).data[0].astype(np.float64)
    ratios = {}
    for color in ("pink", "white"):
        n = make_spoken_commands(noise=0.5, noise_color=color, **kw).data[0] - clean
        power = np.abs(np.fft.rfft(n)) ** 2
        ratios[color] = power[80:800].mean() / power[4000:8000].mean()  # 80-800 Hz vs 4-8 kHz
    assert ratios["pink"] > 5 and 0.5 < ratios["white"] < 2


# -- duration -------------------------------------------------------------------------------
@requires_espeak
def test_short_duration_cuts_with_a_warning():
    with pytest.warns(UserWarning, match="cut at the end"):
        ds = make_spoken_commands(["right"], n_voices=1, duration=0.1, sr=8000,
                                  random_state=0, cache=False)
    assert ds.data.shape == (1, 800)


@requires_espeak
def test_duration_none_fits_the_longest_word():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = make_spoken_commands(["left", "go"], n_voices=2, duration=None, sr=8000,
                                  noise=None, random_state=0, cache=False)
    n = ds.data.shape[1]
    assert n % 800 == 0 and 0.3 <= n / 8000 <= 1.5
    assert (ds.data[:, 0] == 0).all() or (ds.data[:, -1] == 0).all()


# -- cache ------------------------------------------------------------------------------------
def _cache_files(folder):
    return sorted((folder / "spoken_commands").glob("*.npz"))


@requires_espeak
def test_cache_hit_is_identical_and_does_not_synthesise(tmp_path, monkeypatch):
    from skspeech.datasets._espeak import EspeakEngine

    kw = dict(words=["yes", "no"], n_voices=3, random_state=7, data_home=tmp_path)
    first = make_spoken_commands(**kw)
    assert len(_cache_files(tmp_path)) == 1

    def fail(*args, **kwargs):
        raise AssertionError("synthesised despite a cache hit")

    monkeypatch.setattr(EspeakEngine, "synth", fail)
    start = time.perf_counter()
    second = make_spoken_commands(**kw)
    assert time.perf_counter() - start < 1.0
    np.testing.assert_array_equal(second.data, first.data)
    np.testing.assert_array_equal(second.target, first.target)
    np.testing.assert_array_equal(second.voice, first.voice)
    assert second.voice_params == first.voice_params and second.sr == first.sr
    assert second.DESCR == first.DESCR
    X, y = make_spoken_commands(return_X_y=True, **kw)
    np.testing.assert_array_equal(X, first.data)


@requires_espeak
def test_cache_keys_and_no_cache(tmp_path):
    make_spoken_commands(["on"], n_voices=1, random_state=0, data_home=tmp_path)
    make_spoken_commands(["on"], n_voices=1, random_state=1, data_home=tmp_path)
    make_spoken_commands(["on"], n_voices=1, random_state=0, sr=8000, data_home=tmp_path)
    assert len(_cache_files(tmp_path)) == 3
    make_spoken_commands(["on"], n_voices=1, random_state=2, data_home=tmp_path, cache=False)
    make_spoken_commands(["on"], n_voices=1, random_state=None, data_home=tmp_path)
    assert len(_cache_files(tmp_path)) == 3
    assert not list((tmp_path / "spoken_commands").glob("*.tmp"))


@requires_espeak
def test_default_data_home_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SKSPEECH_DATA", str(tmp_path / "env"))
    make_spoken_commands(["on"], n_voices=1, random_state=0)
    assert len(_cache_files(tmp_path / "env")) == 1


@requires_espeak
def test_corrupted_cache_is_regenerated(tmp_path):
    kw = dict(words=["off"], n_voices=2, random_state=3, data_home=tmp_path)
    first = make_spoken_commands(**kw)
    (path,) = _cache_files(tmp_path)
    path.write_bytes(b"not a zip file")
    with pytest.warns(RuntimeWarning, match="regenerating"):
        second = make_spoken_commands(**kw)
    np.testing.assert_array_equal(second.data, first.data)
    with warnings.catch_warnings():  # the file was repaired
        warnings.simplefilter("error")
        make_spoken_commands(**kw)


@requires_espeak
def test_cache_file_of_other_parameters_is_not_trusted(tmp_path):
    kw = dict(words=["off"], n_voices=1, data_home=tmp_path)
    make_spoken_commands(random_state=1, **kw)
    (other,) = _cache_files(tmp_path)
    expected = make_spoken_commands(random_state=2, cache=False, **kw)
    make_spoken_commands(random_state=2, **kw)
    mine = [p for p in _cache_files(tmp_path) if p != other][0]
    os.replace(other, mine)  # a file whose name says random_state=2, content says 1
    with pytest.warns(RuntimeWarning, match="other parameters"):
        got = make_spoken_commands(random_state=2, **kw)
    np.testing.assert_array_equal(got.data, expected.data)


# -- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("words, match", [
    ([], "words is empty"),
    (["yes", "no", "yes"], r"duplicates \['yes'\]"),
    (["yes", "hello!"], r"words\[1\] = 'hello!' cannot be spoken"),
    (["<speak>"], "cannot be spoken"),
    (["  "], "cannot be spoken"),
    (["yes", 3], r"words\[1\] is 3 of type int"),
])
def test_bad_words(words, match):
    with pytest.raises(ValueError, match=match):
        make_spoken_commands(words, n_voices=1, cache=False)


@pytest.mark.parametrize("kwargs, match", [
    ({"words": "yes"}, "'words' parameter of make_spoken_commands"),
    ({"n_voices": 0}, r"'n_voices' parameter .* range \[1, inf\)"),
    ({"n_takes": 0}, "'n_takes' parameter"),
    ({"sr": 100}, "'sr' parameter"),
    ({"duration": 0}, "'duration' parameter"),
    ({"noise_color": "blue"}, "'noise_color' parameter"),
    ({"noise": -1}, "noise level relative to the speech RMS"),
    ({"noise": (30, 10)}, r"SNR range \(low, high\) in dB"),
    ({"noise": (10, 20, 30)}, "an SNR range in dB such as"),
    ({"noise": "loud"}, "'noise' parameter"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_spoken_commands(**{"n_voices": 1, "cache": False, **kwargs})


def test_missing_extra_names_the_install_command(monkeypatch):
    from skspeech.datasets import _espeak

    monkeypatch.setitem(sys.modules, "espeakng_loader", None)
    monkeypatch.setattr(_espeak, "_ENGINE", None)
    with pytest.raises(ImportError, match=r"pip install 'skspeech\[synth\]'"):
        make_spoken_commands(["yes"], n_voices=1, cache=False)


def test_importing_datasets_does_not_load_espeak():
    import subprocess

    code = ("import sys, skspeech.datasets; "
            "assert 'espeakng_loader' not in sys.modules, 'loaded'")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- get_data_home ------------------------------------------------------------------------------
def test_get_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SKSPEECH_DATA", str(tmp_path / "a"))
    assert get_data_home() == str(tmp_path / "a") and (tmp_path / "a").is_dir()
    assert get_data_home(tmp_path / "b") == str(tmp_path / "b")
    monkeypatch.delenv("SKSPEECH_DATA")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home() == str(tmp_path / "skspeech_data")


# -- load_fsdd on a small fake copy ----------------------------------------------------------
@pytest.fixture
def fake_fsdd(tmp_path):
    rec = tmp_path / "fsdd" / "recordings"
    rec.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for digit, speaker, take, n in [(0, "ann", 0, 800), (0, "ann", 7, 900), (1, "bob", 3, 700),
                                    (1, "bob", 12, 1000), (9, "ann", 49, 600)]:
        write_audio(rec / f"{digit}_{speaker}_{take}.wav", 0.1 * rng.standard_normal(n), 8000)
    (rec / "notes.txt").write_text("not a recording")
    return tmp_path / "fsdd"


def test_fsdd_split_order_and_fields(fake_fsdd):
    train = load_fsdd(fake_fsdd, subset="train")
    assert train.target.tolist() == ["0", "1", "9"]
    assert train.speaker.tolist() == ["ann", "bob", "ann"] and train.take.tolist() == [7, 12, 49]
    assert [len(x) for x in train.data] == [900, 1000, 600]
    assert all(x.dtype == np.float32 and x.ndim == 1 for x in train.data)
    assert train.sr == 8000 and train.target_names == [str(d) for d in range(10)]
    assert all(os.path.isfile(f) for f in train.filenames)
    assert "CC BY-SA 4.0" in train.DESCR
    test = load_fsdd(fake_fsdd, subset="test")
    assert test.take.tolist() == [0, 3]
    X, y = load_fsdd(fake_fsdd / "recordings", subset="all", return_X_y=True)
    assert len(X) == 5 and y.tolist() == ["0", "0", "1", "1", "9"]


def test_fsdd_resample_on_load(fake_fsdd):
    ds = load_fsdd(fake_fsdd, subset="test", sr=16000)
    assert ds.sr == 16000 and [len(x) for x in ds.data] == [1600, 1400]
    assert all(x.dtype == np.float32 for x in ds.data)


def test_fsdd_default_path_is_under_data_home(fake_fsdd, monkeypatch):
    monkeypatch.setenv("SKSPEECH_DATA", str(fake_fsdd.parent))
    assert len(load_fsdd(subset="all").data) == 5


def test_fsdd_mixed_sample_rates(fake_fsdd):
    write_audio(fake_fsdd / "recordings" / "2_cid_20.wav", np.full(1600, 0.1), 16000)
    with pytest.raises(ValueError, match=r"different sample rates \[8000, 16000\].*pass sr"):
        load_fsdd(fake_fsdd)
    assert load_fsdd(fake_fsdd, sr=8000).sr == 8000


def test_fsdd_missing_or_empty_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="No FSDD folder.*git clone https://github.com/"
                                                "Jakobovski/free-spoken-digit-dataset"):
        load_fsdd(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="holds no FSDD recordings"):
        load_fsdd(tmp_path)
    with pytest.raises(InvalidParameterError, match="'subset' parameter"):
        load_fsdd(tmp_path, subset="validation")


# -- load_fsdd on the real dataset -----------------------------------------------------------
@pytest.mark.slow
def test_fsdd_official_split(fsdd_path):
    train = load_fsdd(fsdd_path, subset="train")
    test = load_fsdd(fsdd_path / "recordings", subset="test")
    assert len(train.data) == 2700 and len(test.data) == 300
    for ds in (train, test):
        assert sorted(set(ds.target)) == [str(d) for d in range(10)]
        assert len(set(ds.speaker)) == 6 and ds.sr == 8000
        assert all(x.dtype == np.float32 and x.ndim == 1 for x in ds.data)
    assert train.take.min() == 5 and test.take.max() == 4
    assert not set(train.filenames) & set(test.filenames)
    assert 0.1 < min(len(x) for x in train.data) / 8000 < max(len(x) for x in train.data) / 8000
