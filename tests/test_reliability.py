"""Bad and unusual input (issue 22): every case gives the right answer or a clear error or
warning that names the input and says what was expected. See docs/bad_input.rst."""

import warnings

import numpy as np
import pytest
from conftest import make_tone_commands

from skspeech._validation import as_float_audio, check_audio, check_labels
from skspeech.exceptions import InvalidAudioError
from skspeech.pipelines import svm_pipeline


@pytest.fixture(scope="module")
def fitted():
    X, y = make_tone_commands(n_per_class=6, sr=8000, random_state=1)
    return svm_pipeline(sr=8000, probability=False).fit(X, y), X, y


# -- dtypes: integer PCM is scaled, bool and text are refused ------------------------------

@pytest.mark.parametrize("dtype, full", [(np.int16, 2 ** 15), (np.int32, 2 ** 31),
                                         (np.int8, 2 ** 7)])
def test_integer_pcm_is_scaled_like_read_audio(fitted, dtype, full):
    model, X, _ = fitted
    pcm = [np.round(x * (full - 1) * 0.9).astype(dtype) for x in X]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PCM dtypes are scaled, without a warning
        pred = model.predict(pcm)
    np.testing.assert_array_equal(pred, model.predict(X))
    # 2-D input too
    same = [x[:2400] for x in pcm]
    np.testing.assert_array_equal(model.predict(np.stack(same)),
                                  model.predict([x[:2400] for x in X]))


def test_uint8_is_8bit_wav():
    out = as_float_audio(np.array([0, 128, 255], dtype=np.uint8))
    np.testing.assert_allclose(out, [-1.0, 0.0, 127 / 128])


def test_scaling_matches_read_audio(tmp_path):
    import soundfile as sf
    from scipy.io import wavfile

    from skspeech.io import read_audio

    x = (0.3 * np.sin(np.arange(4000) / 5) * 32767).astype(np.int16)
    sf.write(tmp_path / "a.wav", x, 8000, subtype="PCM_16")
    _, raw = wavfile.read(tmp_path / "a.wav")
    np.testing.assert_array_equal(check_audio([raw])[0], read_audio(tmp_path / "a.wav")[0])


def test_int64_values_beyond_range_warn(fitted):
    model, X, _ = fitted
    with pytest.warns(UserWarning, match="far outside"):
        model.predict([(x * 30000).astype(np.int64) for x in X[:2]])


@pytest.mark.parametrize("make", [lambda X: [x > 0 for x in X],
                                  lambda X: np.stack([x[:2400] > 0 for x in X])])
def test_bool_clips_are_refused(fitted, make):
    model, X, _ = fitted
    with pytest.raises(InvalidAudioError, match="dtype bool.*expected audio samples"):
        model.predict(make(X))


@pytest.mark.parametrize("bad", [np.array([["a", "b"] * 100] * 2),
                                 np.array([["1.0", "x"] * 100], dtype=object),
                                 ["yes.wav", "no.wav"]])
def test_text_is_refused_as_not_clips(fitted, bad):
    with pytest.raises(InvalidAudioError, match="expected audio clips|expected real numbers"):
        fitted[0].predict(bad)


# -- labels ------------------------------------------------------------------------------

@pytest.mark.parametrize("y, match", [
    (["a", None, "b"], "index 1 is missing"),
    (["a", float("nan"), "b"], "index 1 is missing"),
    (["a", "", "b"], "index 1 is missing"),
    (["a", 3, "b"], "mixes labels of different types.*'a' at index 0.*3 at index 1"),
    ([0.5, 1.5, 0.5], "fractional"),
    ("yes", "one string"),
    (None, "is None"),
    (np.zeros((3, 2)), "must be 1-D"),
])
def test_check_labels(y, match):
    with pytest.raises(ValueError, match=match):
        check_labels(y)


def test_check_labels_count():
    with pytest.raises(ValueError, match="2 labels for 3 clips"):
        check_labels(["a", "b"], n_clips=3)
    assert list(check_labels(["a", "b", "a"], n_clips=3)) == ["a", "b", "a"]
