"""Resampler and PadTrim: values, shapes, list input and errors."""

import joblib
import numpy as np
import pytest
from conftest import make_tone
from scipy.signal import resample_poly
from sklearn.base import clone

from skspeech.exceptions import InvalidAudioError
from skspeech.preprocessing import PadTrim, Resampler

# Toy clips (ones, ramps up to 9) are far from a spoken clip and warn at transform time; the
# tests marked with this check padding and trimming, not the warning (test_garbage_input.py).
toy_clips = pytest.mark.filterwarnings("ignore::skspeech.exceptions.GarbageAudioWarning")


def _peak_hz(x, sr):
    return np.argmax(np.abs(np.fft.rfft(x))) * sr / len(x)


@pytest.mark.parametrize("orig_sr, target_sr", [(16000, 8000), (8000, 16000), (44100, 16000),
                                                (22050, 16000), (16000, 16000)])
def test_resampler_keeps_tone_and_length(orig_sr, target_sr):
    x = make_tone(300, 1.0, orig_sr)
    out = Resampler(orig_sr=orig_sr, target_sr=target_sr).fit_transform(x[np.newaxis])
    assert out.shape == (1, target_sr) and out.dtype == np.float32
    assert abs(_peak_hz(out[0], target_sr) - 300) <= 1


def test_resampler_matches_resample_poly():
    x = 0.1 * np.random.default_rng(0).standard_normal((3, 1600)).astype(np.float32)
    np.testing.assert_allclose(Resampler(16000, 8000).fit_transform(x),
                               resample_poly(x, 1, 2, axis=1), atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16])
@pytest.mark.parametrize("up,down", [(100, 80), (100, 125), (160, 441), (4, 2), (7, 7)])
def test_polyphase_is_resample_poly_with_its_filter_kept(dtype, up, down):
    from skspeech.preprocessing._resample import lowpass_filter, polyphase

    x = (np.random.default_rng(0).standard_normal(4000) * 1000).astype(dtype)
    for _ in range(2):  # the second call takes the kept filter
        y = polyphase(x, up, down)
        expected = resample_poly(x, up, down)
        assert y.dtype == expected.dtype
        np.testing.assert_array_equal(y, expected)
    assert up == down or lowpass_filter.cache_info().hits > 0


def test_resampler_removes_content_above_new_nyquist():
    # 6 kHz is kept at 16 kHz but cannot exist at 8 kHz (Nyquist 4 kHz): no aliasing to 2 kHz
    x = make_tone(6000, 1.0, 16000)
    out = Resampler(16000, 8000).fit_transform(x[np.newaxis])[0]
    assert np.sqrt(np.mean(out**2)) < 0.01 * np.sqrt(np.mean(x**2))


def test_resampler_ragged_list():
    clips = [make_tone(200, d, 16000) for d in (0.2, 0.5, 1.0)]
    out = Resampler(16000, 8000).transform(clips)  # stateless: no fit needed
    assert isinstance(out, list) and [len(c) for c in out] == [1600, 4000, 8000]


def test_resampler_bad_params():
    with pytest.raises(ValueError, match="'target_sr' parameter of Resampler must be an int"):
        Resampler(16000, 0).fit(np.ones((1, 10)))
    with pytest.raises(ValueError, match="'orig_sr' parameter of Resampler"):
        Resampler(orig_sr=16000.5).transform(np.ones((1, 10)))


@toy_clips
def test_padtrim_learns_longest():
    clips = [np.ones(3), np.ones(7), np.ones(5)]
    pt = PadTrim().fit(clips)
    assert pt.target_length_ == 7
    out = pt.transform([np.ones(9)])
    np.testing.assert_array_equal(out, np.ones((1, 7)))


@toy_clips
@pytest.mark.parametrize(
    "pad_side, expected",
    [("end", [1, 2, 0, 0]), ("start", [0, 0, 1, 2]), ("both", [0, 1, 2, 0])],
)
def test_padtrim_pad_side(pad_side, expected):
    out = PadTrim(target_length=4, pad_side=pad_side).fit_transform([np.array([1.0, 2.0])])
    np.testing.assert_array_equal(out[0], expected)


@toy_clips
@pytest.mark.parametrize(
    "trim_side, expected",
    [("end", [1, 2, 3]), ("start", [3, 4, 5]), ("both", [2, 3, 4])],
)
def test_padtrim_trim_side(trim_side, expected):
    x = np.arange(1.0, 6.0)
    pt = PadTrim(target_length=3, trim_side=trim_side)
    np.testing.assert_array_equal(pt.fit_transform([x])[0], expected)
    np.testing.assert_array_equal(pt.transform(x[np.newaxis])[0], expected)  # 2-D path


@toy_clips
def test_padtrim_seconds_and_pad_value():
    out = PadTrim(duration=0.5, sr=8000, pad_value=-1).fit_transform([np.ones(100)])
    assert out.shape == (1, 4000)
    assert out[0, 99] == 1 and out[0, 100] == -1


def test_padtrim_errors():
    with pytest.raises(ValueError, match="needs sr"):
        PadTrim(duration=1.0).fit([np.ones(3)])
    with pytest.raises(ValueError, match="give one of them"):
        PadTrim(target_length=3, duration=1.0, sr=8).fit([np.ones(3)])
    with pytest.raises(ValueError, match="'pad_side' parameter of PadTrim"):
        PadTrim(pad_side="middle").fit([np.ones(3)])


@toy_clips
def test_padtrim_round_trip(tmp_path):
    pt = PadTrim(target_length=5, pad_side="both").fit([np.ones(3)])
    joblib.dump(pt, tmp_path / "pt.joblib")
    loaded = joblib.load(tmp_path / "pt.joblib")
    X = [np.arange(1.0, 4.0), np.arange(9.0)]
    np.testing.assert_array_equal(loaded.transform(X), pt.transform(X))
    assert clone(pt).get_params() == pt.get_params()


@pytest.mark.parametrize("est", [Resampler(), PadTrim()])
@pytest.mark.parametrize(
    "X, match",
    [
        ([], "empty list"),
        ([np.ones(4), np.array([])], "index 1 is empty"),
        ([np.ones(4), np.array([0.1, np.nan])], "index 1 contains NaN"),
        ([np.ones((4, 2))], "index 0 has shape"),
        (np.ones(10), "Reshape your data"),
        (np.ones((2, 3, 4)), "must be a 2-D array"),
        (np.array([[0.1, np.nan]]), "Input X contains NaN"),
        ([np.array(["a", "b"])], "dtype <U1; expected real numbers"),
    ],
)
def test_bad_audio_is_named(est, X, match):
    with pytest.raises(InvalidAudioError if not isinstance(X, np.ndarray) or X.ndim != 2
                       else ValueError, match=match):
        est.fit_transform(X)


@pytest.mark.parametrize("est", [Resampler(), PadTrim(target_length=800)])
def test_silent_clip_rejected_at_fit_warned_at_predict(est):
    from skspeech.exceptions import SilentAudioWarning

    clips = [np.random.default_rng(0).normal(0, 0.1, 800), np.zeros(800)]
    with pytest.raises(InvalidAudioError, match=r"1 clip\(s\) are silent .* at index 1"):
        est.fit(clips)
    est.fit(clips[:1])
    with pytest.warns(SilentAudioWarning, match="index 1"):
        est.transform(clips)


@pytest.mark.parametrize("as_list", [False, True])
def test_silent_clip_warned_once_per_pipeline_at_the_users_line(as_list):
    # Resampler, PadTrim and the log-mel step each check the clips; only the first warns, and
    # the warning points at the caller's line (this file), not inside the library.
    import warnings

    from sklearn.pipeline import make_pipeline

    from skspeech.exceptions import SilentAudioWarning
    from skspeech.features import LogMelSpectrogram

    rng = np.random.default_rng(0)
    clips = rng.normal(size=(3, 4000)).astype(np.float32) * 0.1
    pipe = make_pipeline(Resampler(orig_sr=8000, target_sr=16000), PadTrim(duration=0.5, sr=16000),
                         LogMelSpectrogram(sr=16000)).fit(clips)
    clips[1] = 0.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames = pipe.transform(list(clips) if as_list else clips)
    silent = [w for w in caught if issubclass(w.category, SilentAudioWarning)]
    assert len(silent) == 1, [str(w.message) for w in silent]
    assert "index 1" in str(silent[0].message)
    assert silent[0].filename == __file__
    assert frames.shape[0] == 3
    # A clip that only becomes silent in a later step (sound after the first 0.5 s, trimmed
    # off) is still reported, by the step that sees it silent.
    late = np.concatenate([np.zeros(8000, np.float32), clips[0]])
    with pytest.warns(SilentAudioWarning, match="index 1"):
        pipe[1:].transform([clips[0], late])
