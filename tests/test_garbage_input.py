"""Clips far from a spoken clip: one warning per call naming them; a 12-class model says silence."""

import os
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
from conftest import make_chirp
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skspeech._validation import find_garbage
from skspeech.exceptions import GarbageAudioWarning, SilentAudioWarning
from skspeech.features import MFCC, LogMelSpectrogram
from skspeech.models import GeometricVotingClassifier
from skspeech.pipelines import svm_pipeline
from skspeech.preprocessing import GarbageGuard, PadTrim, Resampler

SR = 8000
SC_PATH = Path(os.environ.get("SKSPEECH_SPEECH_COMMANDS", Path(__file__).resolve().parents[1].parent
                              / "shared" / "data" / "speech_commands_dev"))

# What each kind of garbage is called in the warning.
PHRASE = {"silent": "silent (all samples zero)", "constant": "constant, every sample the same",
          "short": "shorter than", "long": "longer than", "loud": "far outside [-1, 1]"}


def _word(rng, f, dur=None):
    """A spoken-command stand-in: a chirp in noise, 0.4-0.7 s."""
    n = int(SR * (dur or rng.uniform(0.4, 0.7)))
    x = make_chirp(f, 1.5 * f, n / SR, SR) + 0.05 * rng.standard_normal(n)
    return x.astype(np.float32)


def _noise(rng):
    """A "_silence_" clip: background noise at a low, varying level."""
    return (rng.uniform(0.002, 0.02) * rng.standard_normal(int(0.6 * SR))).astype(np.float32)


def _dataset(rng, classes=("low", "mid", "high", "_silence_", "_unknown_"), n=10):
    base = {"low": 300, "mid": 600, "high": 1200, "_unknown_": 2400}
    X, y = [], []
    for name in classes:
        for _ in range(n):
            X.append(_noise(rng) if name == "_silence_"
                     else _word(rng, base[name] * rng.uniform(0.9, 1.1)))
            y.append(name)
    return X, np.array(y)


def _garbage(rng):
    """One clip of each kind, for a model trained on clips of at most 0.7 s at 8 kHz."""
    speech = _word(rng, 600, 0.6)
    return {
        "silent": np.zeros(SR, np.float32),
        "constant": np.full(SR, 0.5, np.float32),
        "short": np.array([0.3], np.float32),
        "long": np.concatenate([_word(rng, f, 0.6) for f in rng.uniform(300, 1300, 20)]),
        "loud": speech * 32767,  # 16-bit PCM not scaled
    }


def _guarded(model, sr=SR):
    """A recipe as it comes: its first step is the guard."""
    assert isinstance(model.steps[0][1], GarbageGuard) and model.steps[0][1].sr == sr
    return model


def _unguarded(model):
    return model.set_params(guard="passthrough")


def _garbage_warnings(caught):
    return [w for w in caught if issubclass(w.category, GarbageAudioWarning)]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X, y = _dataset(rng)
    return X, y, [_word(rng, f) for f in (300, 620, 1150, 2500)], _garbage(rng)


@pytest.fixture(scope="module")
def svm12(data):
    X, y, _, _ = data
    return _guarded(svm_pipeline(sr=SR).set_params(svc__cv=3)).fit(X, y)


# -- the check ----------------------------------------------------------------------------------
def test_find_garbage_kinds_and_order():
    clips = [np.sin(np.arange(800.0)), np.full(800, 0.5), np.ones(1), np.zeros(900),
             np.zeros(3), 2e4 * np.sin(np.arange(800.0)), np.full(800, 4.0), np.ones(5000)]
    found = find_garbage(clips, min_length=200, max_length=4000)
    assert {i: kind for i, (kind, _) in found.items()} == {
        1: "constant", 2: "short", 3: "silent", 4: "silent", 5: "loud", 6: "loud", 7: "long"}
    assert found[5][1] == pytest.approx(2e4, rel=1e-3) and found[1][1] == 0.5
    assert find_garbage(np.stack(clips[:2])) == {1: ("constant", 0.5)}
    assert find_garbage(np.ones((2, 10)), min_length=20) == {0: ("short", 10), 1: ("short", 10)}
    assert find_garbage(np.ones((2, 10)) * 3, max_abs=None) == {0: ("constant", 3.0),
                                                                 1: ("constant", 3.0)}


STEPS = {  # step -> the kinds it can see (only PadTrim and the guard know a clip length)
    "MFCC": (lambda: MFCC(sr=SR), ("silent", "constant", "short", "loud")),
    "LogMel": (lambda: LogMelSpectrogram(sr=SR), ("silent", "constant", "short", "loud")),
    "Resampler": (lambda: Resampler(SR, 16000), ("silent", "constant", "short", "loud")),
    "PadTrim": (lambda: PadTrim(duration=0.7, sr=SR), tuple(PHRASE)),
    "GarbageGuard": (lambda: GarbageGuard(sr=SR), tuple(PHRASE)),
    "svm_pipeline": (None, ("silent", "constant", "short", "loud")),
}


@pytest.mark.parametrize("step, kind", [(step, kind) for step, (_, kinds) in STEPS.items()
                                        for kind in kinds])
def test_each_kind_warns_once_naming_the_clip_and_problem(data, svm12, step, kind):
    X, y, normal, garbage = data
    make, _ = STEPS[step]
    est = svm12[1:] if make is None else make().fit(X, y)
    clips = normal[:2] + [garbage[kind]] + normal[2:]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (est.predict if make is None else est.transform)(clips)
    (w,) = _garbage_warnings(caught)
    message = str(w.message)
    assert issubclass(w.category, SilentAudioWarning) == (kind == "silent")
    assert "1 clip(s)" in message and "ndex 2" in message and PHRASE[kind] in message, message
    assert w.filename == __file__


@pytest.mark.parametrize("as_array", [False, True])
def test_normal_clips_do_not_warn(data, svm12, as_array):
    _, _, normal, _ = data
    clips = np.stack([np.resize(x, SR // 2) for x in normal]) if as_array else normal
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svm12.predict(clips)
        svm12[1:].predict(clips)
        make_pipeline(Resampler(SR, 16000), PadTrim(duration=1.0, sr=16000),
                      LogMelSpectrogram(sr=16000)).fit(clips).transform(clips)


def test_the_message_says_what_was_expected(data):
    _, _, normal, garbage = data
    with pytest.warns(GarbageAudioWarning) as caught:
        PadTrim(duration=0.7, sr=SR).fit(normal).transform(
            [garbage["short"], garbage["long"], garbage["loud"], garbage["constant"]])
    message = str(caught[0].message)
    for expected in ("shorter than one 25 ms analysis frame at sr=8000 Hz, 200 samples",
                     "index 0 has 1)", "longer than 3x PadTrim's target_length_ of 5600",
                     "keep only the first 5600", "divide by 32768", "(index 3: 0.5)",
                     "Predictions for them are not meaningful"):
        assert expected in message, message


@pytest.mark.parametrize("as_list", [False, True])
def test_one_warning_per_call_through_a_whole_pipeline(data, as_list):
    # Resampler, PadTrim, MFCC and the guard all check the clips: the first to see a bad clip
    # warns, the next ones do not, and the next call warns again.
    X, y, normal, garbage = data
    model = svm_pipeline(sr=SR, target_sr=16000, duration=0.7, probability=False)
    for pipe in (_unguarded(clone(model)).fit(X, y), _guarded(model).fit(X, y)):
        clips = [np.resize(x, SR // 2) for x in
                 [normal[0], garbage["constant"], normal[1], np.zeros(1), garbage["loud"]]]
        if not as_list:
            clips = np.stack(clips)
        for _ in range(2):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                pipe.predict(clips)
            (w,) = _garbage_warnings(caught)
            assert "3 clip(s)" in str(w.message) and w.filename == __file__
            assert all(f"ndex {i}" in str(w.message) for i in (1, 3, 4))


def test_a_vote_warns_once_per_call_and_says_silence(data):
    X, y, normal, garbage = data
    members = [(name, _guarded(svm_pipeline(sr=SR, C=c).set_params(svc__cv=3)))
               for name, c in (("a", 10.0), ("b", 1.0))]
    vote = GeometricVotingClassifier(members).fit(X, y)
    assert all(m[0].fallback_class_ == "_silence_" for m in vote.estimators_)
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pred = vote.predict(normal + list(garbage.values()))
        assert len(_garbage_warnings(caught)) == 1
    assert pred[len(normal):].tolist() == ["_silence_"] * len(garbage)


# -- a 12-class model says silence ----------------------------------------------------------------
@pytest.mark.parametrize("kind", list(PHRASE))
@pytest.mark.parametrize("as_array", [False, True])
def test_12_class_model_gives_silence_to_garbage(data, svm12, kind, as_array):
    _, _, normal, garbage = data
    clips = [normal[0], garbage[kind], normal[2]]
    if as_array:
        width = len(garbage[kind])
        clips = np.stack([np.resize(normal[0], width), garbage[kind], np.resize(normal[2], width)])
    with pytest.warns(GarbageAudioWarning, match="GarbageGuard gives each the class '_silence_'"):
        pred = svm12.predict(clips)
    with pytest.warns(GarbageAudioWarning):
        proba = svm12.predict_proba(clips)
    assert pred[1] == "_silence_"
    assert proba[1].argmax() == list(svm12.classes_).index("_silence_")
    if not as_array or kind not in ("short", "long"):  # there, the whole batch is the garbage
        assert pred[0] != "_silence_" and pred[2] != "_silence_"
        np.testing.assert_array_equal(pred[[0, 2]], svm12[1:].predict([clips[0], clips[2]]))


def test_unknown_when_there_is_no_silence_class(data):
    X, y, _, garbage = data
    keep = y != "_silence_"
    model = _guarded(svm_pipeline(sr=SR, probability=False)).fit(
        [x for x, k in zip(X, keep) if k], y[keep])
    assert model[0].fallback_class_ == "_unknown_"
    with pytest.warns(GarbageAudioWarning):
        assert model.predict(list(garbage.values())).tolist() == ["_unknown_"] * len(garbage)


def test_without_a_non_command_class_the_warning_is_what_the_user_gets(data):
    X, y, _, garbage = data
    keep = ~np.isin(y, ["_silence_", "_unknown_"])
    model = _guarded(svm_pipeline(sr=SR, probability=False)).fit(
        [x for x, k in zip(X, keep) if k], y[keep])
    assert model[0].fallback_class_ is None and model[0].fallback_clip_ is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pred = model.predict(list(garbage.values()))
    (w,) = _garbage_warnings(caught)
    assert "knows none of the classes ('_silence_', '_unknown_')" in str(w.message)
    assert set(pred) <= {"low", "mid", "high"}


def test_guard_keeps_normal_clips_and_their_dtype(data):
    X, y, normal, garbage = data
    guard = GarbageGuard(sr=SR).fit(X, y)
    with pytest.warns(GarbageAudioWarning):
        assert guard.transform([garbage["constant"]])[0] is not guard.fallback_clip_
    clips = [normal[0], garbage["constant"], normal[1].astype(np.float64)]
    with pytest.warns(GarbageAudioWarning):
        out = guard.transform(clips)
    assert out[0] is normal[0] and out[2] is clips[2] and out[2].dtype == np.float64
    np.testing.assert_array_equal(out[1], guard.fallback_clip_)
    arr = np.stack([np.resize(x, 4000) for x in normal]).astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert guard.transform(arr) is arr
    arr[1] = 0.25
    with pytest.warns(GarbageAudioWarning, match="Index 1: constant"):
        out = guard.transform(arr)
    assert out.dtype == np.float64 and out.shape == arr.shape
    np.testing.assert_array_equal(np.delete(out, 1, axis=0), np.delete(arr, 1, axis=0))
    np.testing.assert_array_equal(out[1], np.resize(guard.fallback_clip_, 4000))
    with pytest.warns(GarbageAudioWarning, match="shorter than"):  # every row too short
        out = guard.transform(np.zeros((3, 5)) + np.arange(5) / 10)
    assert out.shape == (3, len(guard.fallback_clip_))


def test_training_clips_are_neither_replaced_nor_reported(data):
    # Fit-only augmentation makes copies beyond ±1.5 (a gain on a loud clip): fitting is quiet.
    X, y, _, garbage = data
    X = list(X)
    X[0] = garbage["loud"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_pipeline(GarbageGuard(sr=SR), Resampler(SR, 16000), PadTrim(duration=0.5, sr=16000),
                      MFCC(sr=16000)).fit(X, y)
        out = GarbageGuard(sr=SR).fit_transform(X, y)
        MFCC(sr=SR).fit_transform([garbage["constant"]])
    assert all(a is b for a, b in zip(out, X))
    with pytest.warns(GarbageAudioWarning, match="Index 0: constant"):  # the same, predicting
        MFCC(sr=SR).fit([garbage["constant"]]).transform([garbage["constant"]])


def test_loud_clips_can_be_let_through(data):
    X, y, _, garbage = data
    model = make_pipeline(GarbageGuard(sr=SR, max_abs=None), MFCC(sr=SR)).fit(X, y)
    with pytest.warns(GarbageAudioWarning, match="far outside"):  # from MFCC: still wrong input
        frames = model.transform([garbage["loud"]])
    with pytest.warns(GarbageAudioWarning):
        np.testing.assert_array_equal(frames[0], MFCC(sr=SR).transform([garbage["loud"]])[0])


def test_guard_param_errors():
    with pytest.raises(ValueError, match="'max_ratio' parameter of GarbageGuard"):
        GarbageGuard(max_ratio=0.5).fit([np.sin(np.arange(800.0))])


# -- persistence, clone, grid search -------------------------------------------------------------
def test_pickle_clone_and_grid_search(data, svm12, tmp_path):
    X, y, normal, garbage = data
    clips = normal + list(garbage.values())
    with pytest.warns(GarbageAudioWarning):
        expected = svm12.predict_proba(clips)
    joblib.dump(svm12, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    with pytest.warns(GarbageAudioWarning):
        np.testing.assert_array_equal(loaded.predict_proba(clips), expected)
    assert not hasattr(clone(svm12)[0], "fallback_clip_")
    search = GridSearchCV(_guarded(svm_pipeline(sr=SR, probability=False)),
                          {"svc__C": [1.0, 10.0]}, cv=2).fit(X, y)
    with pytest.warns(GarbageAudioWarning):
        pred = search.predict(list(garbage.values()))
    assert pred.tolist() == ["_silence_"] * len(garbage)


# -- real clips ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def speech_commands():
    if not SC_PATH.is_dir():
        pytest.skip(f"Speech Commands not found at {SC_PATH} (set SKSPEECH_SPEECH_COMMANDS)")
    from skspeech.datasets import load_speech_commands

    words = ["yes", "no", "up", "down", "left", "right", "stop"]
    train = load_speech_commands(SC_PATH, words=words, subset="train", task="12")
    val = load_speech_commands(SC_PATH, words=words, subset="validation", task="12")
    return train.data[::8], train.target[::8], val.data, val.target


def test_real_clips_predictions_unchanged_and_garbage_is_silence(speech_commands):
    X, y, X_val, y_val = speech_commands
    plain = _unguarded(svm_pipeline(sr=16000, probability=False)).fit(X, y)
    guarded = _guarded(svm_pipeline(sr=16000, probability=False), sr=16000).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no real clip is garbage
        pred = guarded.predict(X_val)
    np.testing.assert_array_equal(pred, plain.predict(X_val))
    assert np.mean(pred == y_val) > 0.5
    speech = X_val[np.flatnonzero(y_val == "yes")[0]]
    garbage = [np.zeros(16000), np.full(16000, 0.5), speech[:100], np.tile(speech, 60),
               speech * 32767]
    with pytest.warns(GarbageAudioWarning):
        assert guarded.predict(garbage).tolist() == ["_silence_"] * len(garbage)
