"""WaveAugmenter and AugmentedClassifier: fit-only, deterministic, each change does what it says."""

import joblib
import numpy as np
import pytest
from conftest import make_tone, make_tone_commands
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skspeech.augment import AugmentedClassifier, WaveAugmenter
from skspeech.pipelines import svm_pipeline
from skspeech.preprocessing import PadTrim

SR = 8000
NOTHING = dict(shift=None, snr=None, speed=None, tempo=None, pitch=None, gain=None, eq=None)


def _peak_hz(x, sr=SR):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.fft.rfftfreq(len(x), 1 / sr)[np.argmax(spec)]


class _Spy(ClassifierMixin, BaseEstimator):
    """Records what it is fitted on and what it predicts on."""

    def fit(self, X, y):
        self.fit_X_ = [np.array(x) for x in X]
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        self.predict_X_ = [np.array(x) for x in X]
        return np.full(len(X), self.classes_[0])

    def predict_proba(self, X):
        self.predict_X_ = [np.array(x) for x in X]
        return np.full((len(X), len(self.classes_)), 1 / len(self.classes_))


class _CountingAugmenter(WaveAugmenter):
    calls = 0

    def fit_resample(self, X, y):
        type(self).calls += 1
        return super().fit_resample(X, y)


def test_shapes_order_and_originals(rng):
    X = rng.standard_normal((5, 4000)).astype(np.float32)
    y = np.array(list("abcab"))
    Xa, ya = WaveAugmenter(sr=SR, n_copies=3, random_state=0).fit_resample(X, y)
    assert Xa.shape == (20, 4000) and Xa.dtype == np.float32
    assert ya.tolist() == list("abcab") * 4
    np.testing.assert_array_equal(Xa[:5], X)
    assert not np.allclose(Xa[5:10], X)
    Xb, yb = WaveAugmenter(sr=SR, n_copies=2, keep_original=False,
                           random_state=0).fit_resample(X, y)
    assert Xb.shape == (10, 4000) and yb.tolist() == list("abcab") * 2


def test_deterministic_with_random_state(tone_commands):
    X, y = tone_commands
    a = WaveAugmenter(sr=SR, n_copies=2, pitch=(-2, 2), tempo=(0.9, 1.1), random_state=3)
    X1, _ = a.fit_resample(X, y)
    X2, _ = clone(a).fit_resample(X, y)
    X3, _ = a.set_params(random_state=4).fit_resample(X, y)
    assert all(np.array_equal(p, q) for p, q in zip(X1, X2))
    assert not all(p.shape == q.shape and np.allclose(p, q) for p, q in zip(X1[len(X):],
                                                                           X3[len(X):]))


def test_ragged_list_stays_list_and_speed_changes_length(tone_commands):
    X, y = tone_commands
    Xa, ya = WaveAugmenter(sr=SR, **{**NOTHING, "speed": (1.25, 1.25)}).fit_resample(X, y)
    assert isinstance(Xa, list) and len(Xa) == 2 * len(X)
    for x, xa in zip(X, Xa[len(X):]):
        assert len(xa) == pytest.approx(len(x) / 1.25, abs=2)


def test_noise_at_the_requested_snr(rng):
    x = make_tone(440, 0.5, SR)
    aug = WaveAugmenter(sr=SR, **{**NOTHING, "snr": (10.0, 10.0)}, noise_prob=1.0,
                        random_state=0)
    Xa, _ = aug.fit_resample(np.stack([x, x]), ["a", "a"])
    for xa in Xa[2:]:
        noise = xa - x
        snr = 10 * np.log10(np.mean(x.astype(float) ** 2) / np.mean(noise.astype(float) ** 2))
        assert snr == pytest.approx(10.0, abs=0.01)
    # recorded noise: the added signal is a stretch of the recording, scaled
    rec = rng.standard_normal(10000).astype(np.float32)
    aug.set_params(noise=[rec])
    Xa, _ = aug.fit_resample(np.stack([x]), ["a"])
    noise = Xa[1] - x
    corr = max(abs(np.dot(noise, rec[s:s + len(x)])) / (np.linalg.norm(noise)
               * np.linalg.norm(rec[s:s + len(x)])) for s in range(0, 10000 - len(x) + 1))
    assert corr > 0.999


def test_generated_noise_replaces_a_share_of_the_recordings():
    x = make_tone(440, 0.5, SR)
    hum = (0.5 * np.sin(2 * np.pi * 50 * np.arange(4 * SR) / SR)).astype(np.float32)
    aug = WaveAugmenter(sr=SR, **{**NOTHING, "snr": (10.0, 10.0)}, noise_prob=1.0,
                        noise=[hum], n_copies=40, random_state=0)

    def hum_share(generated):
        Xa, _ = aug.set_params(generated_noise=generated).fit_resample(x[None], ["a"])
        spectra = np.abs(np.fft.rfft(Xa[1:] - x, axis=1))
        at_50 = spectra[:, round(50 * len(x) / SR)] / spectra.sum(axis=1)
        return np.mean(at_50 > 0.1)  # copies whose added noise is the 50 Hz hum

    assert hum_share(0.0) == 1.0  # the default: recordings only
    assert 0.25 < hum_share(0.5) < 0.75
    assert hum_share(1.0) == 0.0
    with pytest.raises(ValueError, match="generated_noise"):
        aug.set_params(generated_noise=1.5).fit_resample(x[None], ["a"])


def test_gain_and_shift():
    x = make_tone(440, 0.5, SR)
    Xa, _ = WaveAugmenter(sr=SR, **{**NOTHING, "gain": (6.0, 6.0)}).fit_resample(x[None], ["a"])
    np.testing.assert_allclose(Xa[1], x * 10 ** (6 / 20), rtol=1e-5)
    impulse = np.zeros(4000, np.float32)
    impulse[2000] = 1.0
    Xa, _ = WaveAugmenter(sr=SR, **{**NOTHING, "shift": 0.1}, n_copies=20,
                          random_state=0).fit_resample(impulse[None], ["a"])
    moves = [int(np.argmax(xa)) - 2000 for xa in Xa[1:]]
    assert max(abs(m) for m in moves) <= 800 and len(set(moves)) > 5


def test_pitch_moves_frequency_keeps_duration_tempo_the_reverse():
    x = make_tone(500, 1.0, SR)
    up = WaveAugmenter(sr=SR, **{**NOTHING, "pitch": (12.0, 12.0)}).fit_resample([x], ["a"])[0]
    assert _peak_hz(up[1]) == pytest.approx(1000, rel=0.03)
    assert len(up[1]) == pytest.approx(len(x), rel=0.05)
    slow = WaveAugmenter(sr=SR, **{**NOTHING, "tempo": (0.8, 0.8)}).fit_resample([x], ["a"])[0]
    assert _peak_hz(slow[1]) == pytest.approx(500, rel=0.03)
    assert len(slow[1]) == pytest.approx(len(x) / 0.8, rel=0.05)


def _band_db(x, lo, hi, sr=SR):
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), 1 / sr)
    return 10 * np.log10(spec[(f >= lo) & (f < hi)].mean())


def test_eq_colours_the_spectrum_within_its_range_and_keeps_timing(rng):
    x = rng.standard_normal(8000).astype(np.float32)
    flat = WaveAugmenter(sr=SR, **{**NOTHING, "eq": (0.0, 0.0)}).fit_resample([x], ["a"])[0]
    np.testing.assert_allclose(flat[1], x, atol=1e-5)
    Xa = WaveAugmenter(sr=SR, **{**NOTHING, "eq": (-8.0, 8.0)}, n_copies=20,
                       random_state=0).fit_resample(x[None], ["a"])[0]
    bands = [(100, 200), (450, 900), (1800, 3600)]
    changes = np.array([[_band_db(xa, *b) - _band_db(x, *b) for b in bands] for xa in Xa[1:]])
    assert np.abs(changes).max() < 8.5  # each band moves within the range asked
    assert changes.std(axis=0).min() > 2.0  # and each copy draws its own curve
    assert np.ptp(changes, axis=1).max() > 6.0  # the shape changes, not only the level
    impulse = np.zeros(4000, np.float32)
    impulse[2000] = 1.0
    out = WaveAugmenter(sr=SR, **{**NOTHING, "eq": (-8.0, 8.0)},
                        random_state=0).fit_resample(impulse[None], ["a"])[0][1]
    assert out.shape == impulse.shape and int(np.argmax(np.abs(out))) == 2000  # zero phase


@pytest.mark.parametrize("params, match", [
    (dict(speed=(1.2, 0.8)), "low <= high"),
    (dict(eq=(6.0, -6.0)), "low <= high"),
    (dict(tempo=(0.0, 1.0)), "tempo factors must be within 0.25-4"),
    (dict(speed=(0.001, 0.001)), "speed factors must be within 0.25-4"),
    (dict(pitch=(-20.0, 2.0)), "pitch shifts must be within -12..12"),
    (dict(snr=(5.0,)), r"snr must be a \(low, high\) pair of numbers"),
    (dict(eq=(1.0, 2.0, 3.0)), r"eq must be a \(low, high\) pair of numbers"),
    (dict(gain=("a", "b")), r"gain must be a \(low, high\) pair of numbers"),
    (dict(snr=(5.0, np.inf)), "finite"),
    (dict(noise=[np.array([])]), "noise must be a non-empty list"),
    (dict(noise=[np.zeros((2, 100))]), r"noise must be a list of 1-D .* shapes \[\(2, 100\)\]"),
    (dict(n_copies=0, keep_original=False), "leaves no clips"),
])
def test_bad_parameters(params, match, tone_commands):
    X, y = tone_commands
    with pytest.raises(ValueError, match=match):
        WaveAugmenter(sr=SR, **params).fit_resample(X, y)


def test_bad_input_named():
    with pytest.raises(ValueError, match="X"):
        WaveAugmenter(sr=SR).fit_resample([np.array([np.nan, 1.0])], ["a"])


def test_silent_training_clip_named_by_its_own_index_before_any_copy(tone_commands):
    X, y = tone_commands
    X = list(X)
    X[5] = np.zeros_like(X[5])
    _CountingAugmenter.calls = 0
    with pytest.raises(ValueError, match=r"1 clip\(s\) are silent .* at index 5\. "):
        AugmentedClassifier(_Spy(), WaveAugmenter(sr=SR, n_copies=2)).fit(X, y)
    with pytest.raises(ValueError, match="at index 5"):
        WaveAugmenter(sr=SR).fit(X, y)


def test_zero_copies_returns_the_clips_and_can_be_grid_searched(tone_commands):
    X, y = tone_commands
    Xa, ya = WaveAugmenter(sr=SR, n_copies=0).fit_resample(X, y)
    assert len(Xa) == len(X) and all(np.array_equal(a, b) for a, b in zip(Xa, X))
    np.testing.assert_array_equal(ya, y)
    search = GridSearchCV(AugmentedClassifier(svm_pipeline(sr=SR, probability=False),
                                              WaveAugmenter(sr=SR, random_state=0)),
                          {"augmenter__n_copies": [0, 1]}, cv=3).fit(X, y)
    assert search.best_estimator_.n_train_ == len(y) * (1 + search.best_params_[
        "augmenter__n_copies"])


class _WeightSpy(_Spy):
    def fit(self, X, y, sample_weight=None):
        self.sample_weight_ = sample_weight
        return super().fit(X, y)


def test_per_clip_fit_params_follow_the_copies(tone_commands):
    X, y = tone_commands
    w = np.arange(len(y), dtype=float)
    model = AugmentedClassifier(_WeightSpy(), WaveAugmenter(sr=SR, n_copies=2, random_state=0))
    model.fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(model.estimator_.sample_weight_, np.r_[w, w, w])
    # through a Pipeline to the SVM: one weight per clip, repeated for its copies
    svm = AugmentedClassifier(svm_pipeline(sr=SR, probability=False),
                              WaveAugmenter(sr=SR, n_copies=1, random_state=0))
    svm.fit(X, y, svc__sample_weight=np.ones(len(y)))
    assert svm.n_train_ == 2 * len(y)


class _UnknownOrderSampler(BaseEstimator):
    def fit_resample(self, X, y):
        return list(X) + list(X[:3]), np.r_[y, y[:3]]


def test_per_clip_fit_params_refused_for_an_unknown_augmenter(tone_commands):
    X, y = tone_commands
    model = AugmentedClassifier(_WeightSpy(), _UnknownOrderSampler())
    with pytest.raises(ValueError, match="sample_weight has one value per clip"):
        model.fit(X, y, sample_weight=np.ones(len(y)))


@pytest.mark.parametrize("recipe, param", [  # the first step that knows the rate is named
    (lambda: svm_pipeline(sr=SR, probability=False), "guard__sr"),
    (lambda: svm_pipeline(sr=SR, target_sr=2 * SR, probability=False), "guard__sr"),
    (lambda: svm_pipeline(sr=SR, probability=False).set_params(guard="passthrough"), "mfcc__sr"),
    (lambda: svm_pipeline(sr=SR, target_sr=2 * SR, probability=False).set_params(
        guard="passthrough"), "resample__orig_sr"),
])
def test_augmenter_at_another_sample_rate_is_refused(tone_commands, recipe, param):
    X, y = tone_commands
    model = AugmentedClassifier(recipe(), WaveAugmenter(sr=2 * SR + 1000, random_state=0))
    with pytest.raises(ValueError, match=rf"augmenter.sr is {2 * SR + 1000} Hz but the "
                                         rf"estimator takes clips at {SR} Hz .*{param}.*"
                                         rf"WaveAugmenter\(sr={SR}"):
        model.fit(X, y)
    assert AugmentedClassifier(recipe(), WaveAugmenter(sr=SR, random_state=0)).fit(X, y).n_train_ \
        == 2 * len(y)


def test_augmentation_never_runs_at_predict_time(rng):
    X = rng.standard_normal((6, 800)).astype(np.float32)
    y = np.array(list("ababab"))
    _CountingAugmenter.calls = 0
    model = AugmentedClassifier(_Spy(), _CountingAugmenter(sr=SR, n_copies=2, random_state=0))
    model.fit(X, y)
    assert _CountingAugmenter.calls == 1
    assert len(model.estimator_.fit_X_) == 18 and model.n_train_ == 18
    test = rng.standard_normal((4, 800)).astype(np.float32)
    model.predict(test)
    np.testing.assert_array_equal(np.stack(model.estimator_.predict_X_), test)
    model.predict_proba(test)
    np.testing.assert_array_equal(np.stack(model.estimator_.predict_X_), test)
    model.score(test, np.array(list("abab")))
    np.testing.assert_array_equal(np.stack(model.estimator_.predict_X_), test)
    assert _CountingAugmenter.calls == 1


def test_in_pipeline_gridsearch_and_joblib(tmp_path):
    X, y = make_tone_commands(n_per_class=8)
    model = make_pipeline(
        PadTrim(duration=0.5, sr=SR),
        AugmentedClassifier(svm_pipeline(sr=SR, probability=False),
                            WaveAugmenter(sr=SR, random_state=0)))
    search = GridSearchCV(model, {"augmentedclassifier__augmenter__n_copies": [1, 2]}, cv=3)
    search.fit(X, y)
    assert search.best_score_ >= 0.9
    best = search.best_estimator_
    assert best[-1].n_train_ == len(y) * (1 + search.best_params_[
        "augmentedclassifier__augmenter__n_copies"])
    joblib.dump(best, tmp_path / "m.joblib")
    again = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_array_equal(again.predict(X), best.predict(X))


def test_without_augmenter_is_the_estimator(tone_commands):
    X, y = tone_commands
    plain = svm_pipeline(sr=SR, probability=False).fit(X, y)
    wrapped = AugmentedClassifier(svm_pipeline(sr=SR, probability=False)).fit(X, y)
    np.testing.assert_array_equal(wrapped.predict(X), plain.predict(X))
    assert wrapped.classes_.tolist() == ["high", "low", "mid"]


def test_noise_recordings_from_files_are_read_at_sr_and_kept_as_paths(tmp_path):
    from skspeech.io import write_audio

    hum = 0.1 * np.sin(2 * np.pi * 1000 * np.arange(2 * 16000) / 16000)
    write_audio(tmp_path / "noise.wav", hum.astype(np.float32), 16000)  # at 16 kHz
    x = make_tone(440, 0.5, SR)
    aug = WaveAugmenter(sr=SR, **{**NOTHING, "snr": (10.0, 10.0)}, noise_prob=1.0,
                        noise=[tmp_path / "noise.wav"], random_state=0)
    Xa, _ = aug.fit_resample(np.stack([x, x]), ["a", "a"])
    for xa in Xa[2:]:
        added = xa.astype(float) - x
        snr = 10 * np.log10(np.mean(x.astype(float) ** 2) / np.mean(added ** 2))
        assert snr == pytest.approx(10.0, abs=0.01)
        # resampled to 8 kHz: still 1 kHz (read as 8 kHz samples, it would be 500 Hz)
        assert _peak_hz(added) == pytest.approx(1000, abs=5)
    Xb, _ = clone(aug).fit_resample(np.stack([x, x]), ["a", "a"])
    np.testing.assert_array_equal(Xa, Xb)  # the same seed, the same mixture
    assert aug.get_params()["noise"] == [tmp_path / "noise.wav"]  # a pickle keeps the path
    missing = clone(aug).set_params(noise=[tmp_path / "gone.wav"])
    with pytest.raises(Exception, match="gone.wav"):
        missing.fit_resample(np.stack([x]), ["a"])


def test_kws_pipeline_passes_its_noise_to_the_copies_only():
    pytest.importorskip("scikeras")
    from skspeech.pipelines import kws_pipeline

    noise = [np.zeros(100, np.float32) + 0.1]
    model = kws_pipeline(sr=SR, noise=noise)
    assert model.augmenter.noise is noise
    assert kws_pipeline(sr=SR, augment=False, noise=noise).steps[-1][0] == "kws"
    assert model.augmenter.babble == 0.3 and kws_pipeline(sr=SR, babble=0.0).augmenter.babble == 0.0


def test_babble_is_made_of_the_other_clips_and_replaces_a_share_of_the_noise():
    freqs = [400, 600, 800, 1000, 1200, 1400]
    X = np.stack([make_tone(f, 0.5, SR) for f in freqs])
    y = ["a", "b", "c", "d", "e", "f"]
    aug = WaveAugmenter(sr=SR, **{**NOTHING, "snr": (0.0, 0.0)}, noise_prob=1.0, n_copies=20,
                        babble=1.0, random_state=0)
    Xa, _ = aug.fit_resample(X, y)
    added = Xa[len(X):] - np.tile(X, (20, 1))
    spectrum = np.abs(np.fft.rfft(added, axis=1)) ** 2
    bins = [round(f * X.shape[1] / SR) + d for f in freqs for d in (-2, -1, 0, 1, 2)]
    tonal = spectrum[:, bins].sum(axis=1) / spectrum.sum(axis=1)
    assert np.all(tonal > 0.3)  # every copy's noise is the clips' tones (white noise: 0.01)
    per_tone = spectrum[:, bins].reshape(len(added), len(freqs), 5).sum(axis=2)
    assert np.mean(np.sum(per_tone > 0.02 * spectrum.sum(axis=1, keepdims=True), axis=1)) >= 3
    share = aug.set_params(babble=0.5).fit_resample(X, y)[0][len(X):] - np.tile(X, (20, 1))
    spectrum = np.abs(np.fft.rfft(share, axis=1)) ** 2
    tonal = spectrum[:, bins].sum(axis=1) / spectrum.sum(axis=1)
    assert 0.2 < np.mean(tonal > 0.3) < 0.8  # the rest: generated noise
    # babble=0 draws exactly what an augmenter without the parameter draws
    plain = WaveAugmenter(sr=SR, n_copies=2, random_state=3).fit_resample(X, y)[0]
    np.testing.assert_array_equal(
        plain, WaveAugmenter(sr=SR, n_copies=2, random_state=3, babble=0.0).fit_resample(X, y)[0])
    with pytest.raises(ValueError, match="babble"):
        aug.set_params(babble=2.0).fit_resample(X, y)
