"""The listener threshold calibrated for a false-alarm budget (calibrate_threshold)."""

import warnings

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skspeech.streaming import (
    CommandListener,
    auto_threshold,
    calibrate_threshold,
    make_command_stream,
    threshold_origin,
)
from skspeech.streaming._calibrate import THRESHOLD_GRID
from skspeech.streaming._listener import OTHER_THRESHOLD

SR = 8000
FREQS = {"low": 400, "high": 1200, "_unknown_": 800}


def _clip(rng, f):
    x = 0.001 * rng.standard_normal(SR)
    x[3500:5900] += 0.3 * np.sin(2 * np.pi * f * np.arange(2400) / SR)
    return x.astype(np.float32)


def _bands(X):
    power = np.abs(np.fft.rfft(X))[:, :4000].reshape(len(X), 40, -1).sum(axis=2) ** 2
    return np.log10(power / power.max(axis=1, keepdims=True) + 1e-6)


def _model():
    return make_pipeline(FunctionTransformer(_bands), LogisticRegression(C=1.0))


@pytest.fixture(scope="module")
def data():
    """A tone model whose "_unknown_" tone (800 Hz) lies between its commands' (400, 1200 Hz):
    held-out tones spread wider, so some of them fool it, more at a lower threshold."""
    rng = np.random.default_rng(0)
    words = list(FREQS) * 8
    X = [_clip(rng, FREQS[w] + rng.uniform(-150, 150)) for w in words]
    held_out = [_clip(rng, FREQS[w] + rng.uniform(-350, 350)) for w in words]
    noise = [0.003 * rng.standard_normal(10 * SR).astype(np.float32)]
    return X, words, held_out, noise


@pytest.fixture
def model(data):
    X, words, _, _ = data
    return _model().fit(np.stack(X), words)


def _calibrate(model, data, budget, **kwargs):
    _, words, held_out, noise = data
    return calibrate_threshold(model, held_out, words, sr=SR, noise=noise, minutes=3,
                               max_false_alarms_per_hour=budget, **kwargs)


def test_the_threshold_meets_its_budget_and_is_the_lowest_that_does(model, data):
    for budget in (0.0, 200.0):
        cal = _calibrate(model, data, budget, store=False)
        assert cal.false_alarms_per_hour <= budget and cal.threshold in THRESHOLD_GRID
        tried = dict((t, fa) for t, _, fa in cal.curve)
        assert tried[cal.threshold] == cal.false_alarms_per_hour
        lower = [t for t in tried if t < cal.threshold]
        if lower:  # the next threshold down that was tried breaks the budget
            assert tried[max(lower)] > budget
        assert cal.minutes >= 3 and cal.n_commands >= 16
        assert not hasattr(model, "listener_calibration_")  # store=False


def test_a_larger_budget_gives_a_lower_threshold_and_more_hits(model, data):
    strict = _calibrate(model, data, 0.0, store=False)
    loose = _calibrate(model, data, 200.0, store=False)
    assert loose.threshold < strict.threshold
    assert loose.hit_rate > strict.hit_rate
    assert 0 < loose.false_alarms_per_hour <= 200


def test_the_listener_takes_the_stored_threshold_and_says_so(model, data):
    assert auto_threshold(model) == OTHER_THRESHOLD  # not calibrated yet: the default
    assert threshold_origin(model) == ("the default for a model that is not a neural network "
                                       "(not calibrated)")
    cal = _calibrate(model, data, 200.0)
    stored = model.listener_calibration_
    assert stored["threshold"] == cal.threshold and stored["max_false_alarms_per_hour"] == 200
    assert auto_threshold(model) == cal.threshold
    assert threshold_origin(model) == ("calibrated for at most 200 false alarms per hour on "
                                       f"{cal.minutes:g} min of held-out speech")
    listener = CommandListener(model, SR)
    listener.process(np.zeros(SR, np.float32))
    assert listener._thr.tolist() == [cal.threshold] * 3
    # an explicit threshold still wins, and a dict fills its gaps with the calibrated one
    listener = CommandListener(model, SR, threshold={"low": 0.5})
    listener.process(np.zeros(SR, np.float32))
    assert sorted(listener._thr.tolist()) == sorted([cal.threshold, cal.threshold, 0.5])


def test_the_calibration_survives_joblib_and_save_model(model, data, tmp_path):
    from skspeech import load_model, save_model

    cal = _calibrate(model, data, 200.0)
    joblib.dump(model, tmp_path / "m.joblib")
    assert auto_threshold(joblib.load(tmp_path / "m.joblib")) == cal.threshold
    save_model(tmp_path / "s.joblib", model, sr=SR)
    assert auto_threshold(load_model(tmp_path / "s.joblib")) == cal.threshold


def test_a_refitted_model_drops_its_old_calibration_with_a_warning(model, data):
    X, words, _, _ = data
    _calibrate(model, data, 200.0)
    model.fit(np.stack(X[::-1]), words[::-1])  # the same data in another order: other weights
    model.set_params(logisticregression__C=0.3).fit(np.stack(X), words)
    with pytest.warns(UserWarning, match="calibration was made before it was fitted again"):
        assert auto_threshold(model) == OTHER_THRESHOLD


def test_a_model_saved_before_calibration_existed_keeps_its_old_default(model, data):
    _calibrate(model, data, 200.0)
    del model.listener_calibration_  # as a model file written before this change
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert auto_threshold(model) == OTHER_THRESHOLD


def test_bad_calibration_input_gets_a_clear_error(model, data):
    _, words, held_out, noise = data
    with pytest.raises(ValueError, match="max_false_alarms_per_hour must be a number >= 0"):
        calibrate_threshold(model, held_out, words, sr=SR, max_false_alarms_per_hour=-1)
    with pytest.raises(ValueError, match="minutes must be None or a number"):
        calibrate_threshold(model, held_out, words, sr=SR, minutes=0)
    with pytest.raises(ValueError, match="noisy_share must be a number from 0 to 1; got 1.5"):
        calibrate_threshold(model, held_out, words, sr=SR, noisy_share=1.5)
    with pytest.raises(ValueError, match="noisy_snr_db must be a number of dB"):
        calibrate_threshold(model, held_out, words, sr=SR, noisy_snr_db="10")
    commands_only = [w for w in words if w != "_unknown_"]
    clips = [x for x, w in zip(held_out, words) if w != "_unknown_"]
    with pytest.raises(ValueError, match="needs clips of the model's commands"):
        calibrate_threshold(model, clips, commands_only, sr=SR)
    with pytest.raises(ValueError, match="one word per clip: got 24 clips and 3 labels"):
        calibrate_threshold(model, held_out, ["low", "high", "low"], sr=SR)
    with pytest.raises(ValueError, match="needs a fitted classifier"):
        calibrate_threshold(_model(), held_out, words, sr=SR)


def test_the_calibration_stream_has_a_noisy_part_over_reversed_babble(data):
    from skspeech.streaming._calibrate import calibration_stream

    _, words, held_out, _ = data
    labels = np.array(words)
    commands = ["high", "low"]
    stream, events = calibration_stream(held_out, labels, commands, sr=SR, noise=None,
                                        n_commands=16, noisy_share=0.5, noisy_snr_db=10.0,
                                        rng=np.random.RandomState(0))
    assert len(events) == 32 and sum(e.is_command for e in events) == 16
    quiet, noisy = events[:16], events[16:]  # the part at recorded level comes first
    start = int((noisy[0].onset - 4.0) * SR)  # the noisy part: babble from its lead on
    assert np.all(stream[:int(quiet[0].onset * SR) - SR // 2] == 0)  # noise=None: silence
    words_rms, bed_rms = [], []
    for a, b in zip(noisy, noisy[1:]):  # each word's loud part, and the babble after it
        words_rms.append(np.sqrt(np.mean(stream[int(a.onset * SR):int(a.offset * SR)] ** 2)))
        gap = stream[int((a.offset + 0.3) * SR):int((b.onset - 0.3) * SR)]
        if len(gap) > SR // 2:
            bed_rms.append(np.sqrt(np.mean(gap ** 2)))
    assert np.mean(stream[start:] != 0) > 0.99  # babble between the noisy words
    snr = 20 * np.log10(np.median(words_rms) / np.median(bed_rms))
    assert 7 < snr < 13  # the words 10 dB above the babble (plus the clips' own noise)
    # noisy_share=0 leaves the stream of the calibration before (every word at its level)
    plain, ev = calibration_stream(held_out, labels, commands, sr=SR, noise=None, n_commands=16,
                                   noisy_share=0.0, noisy_snr_db=10.0,
                                   rng=np.random.RandomState(0))
    assert len(ev) == 32 and np.mean(plain == 0) > 0.5


def test_the_noisy_part_is_stored_and_costs_hits(model, data):
    quiet = _calibrate(model, data, 200.0, store=False)
    noisy = _calibrate(model, data, 200.0, noisy_share=0.5)
    assert (quiet.noisy_share, noisy.noisy_share, noisy.noisy_snr_db) == (0.0, 0.5, 10.0)
    assert model.listener_calibration_["noisy_share"] == 0.5
    assert model.listener_calibration_["noisy_snr_db"] == 10.0
    louder = _calibrate(model, data, 200.0, noisy_share=1.0, noisy_snr_db=0.0, store=False)
    assert louder.hit_rate < quiet.hit_rate  # words at 0 dB SNR are harder to hear


def test_make_command_stream_places_words_at_a_signal_to_noise_ratio():
    rng = np.random.default_rng(1)
    clips = [_clip(rng, f) * g for f, g in ((500, 1.0), (900, 0.1), (1300, 0.02))]
    noise = [0.01 * rng.standard_normal(5 * SR).astype(np.float32)]
    stream, events = make_command_stream(clips, ["a", "b", "c"], sr=SR, noise=noise,
                                         snr_db=10.0, noise_db=-40.0, random_state=0)
    for e in events:  # the word's RMS 10 dB above the noise's, whatever the clip's level
        a, b = int(e.onset * SR), int(e.offset * SR)
        word = stream[a:b].astype(np.float64)
        assert 10 * np.log10(np.mean(word ** 2) / 1e-4 - 1) == pytest.approx(10.0, abs=0.7)
    with pytest.raises(ValueError, match="snr_db sets each clip's level from the noise under "
                                         "it, but noise is None"):
        make_command_stream(clips, ["a", "b", "c"], sr=SR, snr_db=10.0)
    with pytest.raises(ValueError, match="Give gain_db or snr_db, not both"):
        make_command_stream(clips, ["a", "b", "c"], sr=SR, noise=noise, snr_db=10.0,
                            gain_db=3.0)
