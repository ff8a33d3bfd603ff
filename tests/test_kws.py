"""KWSClassifier and kws_pipeline: training, training-only augmentation, determinism, pickling."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("scikeras")
pytestmark = pytest.mark.slow  # Keras training (STYLE.md 7): the slow run

import joblib  # noqa: E402
from conftest import flat_weights, make_tone_commands, weight_recorder  # noqa: E402
from sklearn.base import clone, is_classifier  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from skspeech.models import KWSClassifier  # noqa: E402
from skspeech.models._spec_augment import SpecAugment  # noqa: E402
from skspeech.pipelines import kws_pipeline  # noqa: E402
from skspeech.pipelines._kws import relative_log_level  # noqa: E402

TINY = dict(stem_filters=8, filters=(8, 8), kernel_sizes=5, strides=(1, 2), batch_size=16,
            learning_rate=0.01)


@pytest.fixture(scope="module")
def tones():
    """45 clips of 0.5 s at 8 kHz, three chirp bands."""
    return make_tone_commands(n_per_class=15, sr=8000, ragged=True)


@pytest.fixture(scope="module")
def fitted(tones):
    X, y = tones
    # cmvn=False: a steady tone's class is its bands' level, which per-clip CMVN removes
    # by design (on speech it helps: see docs/unseen_voices.rst).
    return kws_pipeline(sr=8000, duration=0.7, n_mels=20, n_ceps=13, cmvn=False, n_copies=0,
                        epochs=15, random_state=0, validation_fraction=None, **TINY).fit(X, y)


def test_pipeline_learns_and_is_classifier(fitted, tones):
    X, y = tones
    assert is_classifier(KWSClassifier())
    assert [n for n, _ in fitted.steps] == ["guard", "resample", "padtrim", "features", "level",
                                            "cepstra", "cmvn", "kws"]
    assert fitted.named_steps["kws"].X_shape_[1:] == (69, 13)  # 0.7 s of 10 ms frames, 13 cepstra
    assert np.mean(fitted.predict(X) == y) >= 0.9
    proba = fitted.predict_proba(X[:3])
    assert proba.shape == (3, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert fitted.named_steps["kws"].classes_.tolist() == ["high", "low", "mid"]


def test_augmentation_is_training_only(fitted, tones):
    X, _ = tones
    net = fitted.named_steps["kws"].model_
    frames = fitted[:-1].transform(X[:8])
    layer = net.get_layer("spec_augment")
    x = keras.ops.convert_to_tensor(frames)
    # inference: identity, and predictions repeat exactly
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), frames)
    np.testing.assert_array_equal(fitted.predict_proba(X[:8]), fitted.predict_proba(X[:8]))
    # training: the frames change (shifted and masked)
    assert not np.allclose(np.asarray(layer(x, training=True)), frames)


def test_specaugment_masks_and_shift():
    layer = SpecAugment(time_shift=0.0, freq_masks=1, freq_mask_width=0.25, time_masks=0,
                        seed=0)
    x = np.ones((64, 10, 8), np.float32)
    out = np.asarray(layer(x, training=True))
    zero_bands = (out == 0).all(axis=1).sum(axis=1)  # masked bands per clip
    assert zero_bands.max() <= 2 and zero_bands.max() >= 1
    assert np.all((out == 0) | (out == 1))
    shift = SpecAugment(time_shift=0.2, freq_masks=0, time_masks=0, seed=0)
    ramp = np.tile(np.arange(10, dtype=np.float32)[None, :, None], (32, 1, 2))
    rolled = np.asarray(shift(ramp, training=True))
    moves = {int((r[0, 0] - 0) % 10) for r in rolled}
    assert len(moves) > 1 and moves <= {0, 1, 2, 8, 9}
    np.testing.assert_array_equal(np.sort(rolled, axis=1), ramp)  # a roll, nothing lost


def test_freq_warp_stretches_bands_training_only():
    layer = SpecAugment(time_shift=0.0, freq_masks=0, time_masks=0, freq_warp=0.2, seed=0)
    ramp = np.tile(np.arange(10, dtype=np.float32)[None, None, :], (16, 3, 1))
    out = np.asarray(layer(ramp, training=True))
    slopes = out[:, 0, 1] - out[:, 0, 0]  # band index scaled by 1 / alpha
    assert np.all((slopes >= 1 / 1.2 - 1e-5) & (slopes <= 1 / 0.8 + 1e-5))
    assert slopes.std() > 0.01
    np.testing.assert_array_equal(out[:, 0], out[:, 2])  # the same warp for every frame
    np.testing.assert_array_equal(np.asarray(layer(ramp, training=False)), ramp)


def test_deterministic_with_random_state(tones):
    X, y = tones
    model = kws_pipeline(sr=8000, duration=0.5, n_mels=16, n_copies=1, epochs=3, random_state=1,
                         validation_fraction=None, **TINY)
    a = clone(model).fit(X, y).predict_proba(X)
    b = clone(model).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    c = clone(model).set_params(augmenter__random_state=2).fit(X, y).predict_proba(X)
    assert not np.allclose(a, c)  # other waveform copies
    d = clone(model).set_params(estimator__kws__random_state=2).fit(X, y).predict_proba(X)
    assert not np.allclose(a, d)  # other weights and SpecAugment draws


def test_default_augments_waveforms_too_and_n_copies_zero_does_not():
    from skspeech.augment import AugmentedClassifier

    model = kws_pipeline(sr=8000, random_state=3)
    assert isinstance(model, AugmentedClassifier)
    aug = model.augmenter
    assert (aug.sr, aug.n_copies, aug.eq, aug.tempo, aug.random_state) == (
        8000, 2, (-8.0, 8.0), (0.8, 1.25), 3)
    assert kws_pipeline(sr=8000, tempo=None).augmenter.tempo is None
    assert model.estimator.named_steps["kws"].freq_masks == 2  # SpecAugment on as well
    for plain in (kws_pipeline(sr=8000, n_copies=0), kws_pipeline(sr=8000, augment=False)):
        assert [name for name, _ in plain.steps][-1] == "kws"
    assert kws_pipeline(sr=8000, n_copies=0).named_steps["kws"].freq_masks == 2


@pytest.mark.parametrize("params, match", [
    (dict(n_copies=-1), "n_copies must be an int >= 0"),
    (dict(n_copies=1.5), "n_copies must be an int >= 0"),
    (dict(augment="yes"), "augment must be True"),
    (dict(top_db=0), "top_db must be a number of dB > 0"),
    (dict(top_db=-10.0), "top_db must be a number of dB > 0"),
    (dict(top_db="x"), "top_db must be a number of dB > 0"),
    (dict(cmvn="yes"), "cmvn must be True"),
    (dict(n_ceps=0), "n_ceps must be None"),
    (dict(n_ceps=-3), "n_ceps must be None"),
    (dict(n_ceps=2.5), "n_ceps must be None"),
    (dict(tempo=(1.25, 0.8)), "low <= high"),
    (dict(tempo=(0.1, 1.0)), "tempo factors must be within 0.25-4"),
])
def test_bad_recipe_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        kws_pipeline(sr=8000, **params)


def test_cepstra_are_the_dct_of_the_level_frames():
    from scipy.fft import dct

    from skspeech.pipelines._kws import cepstra, relative_log_level

    rng = np.random.default_rng(0)
    clips = rng.normal(size=(3, 8000)).astype(np.float32)
    model = kws_pipeline(sr=8000, augment=False, n_ceps=20)
    assert model.named_steps["cepstra"].kw_args == {"n_ceps": 20}
    front = model[:-1].fit(clips)
    bands = relative_log_level(front.named_steps["features"].transform(clips))
    expected = dct(bands, type=2, norm="ortho", axis=2)[:, :, :20]
    np.testing.assert_allclose(front[:-1].transform(clips), expected, rtol=1e-4, atol=1e-4)
    # the first coefficient is the frame's mean level (times sqrt(n_bands))
    np.testing.assert_allclose(expected[..., 0], bands.mean(axis=2) * np.sqrt(40), rtol=1e-4,
                               atol=1e-4)
    # the default gives the network the bands
    assert kws_pipeline(sr=8000, augment=False).named_steps["cepstra"] == "passthrough"
    # at most n_mels coefficients: a DCT of 16 bands has 16
    assert (kws_pipeline(n_mels=16, n_ceps=20, augment=False).named_steps["cepstra"].kw_args
            == {"n_ceps": 16})
    with pytest.raises(ValueError, match="at least n_ceps=20 bands"):
        cepstra(bands[:, :, :10], n_ceps=20)


def test_augment_false_turns_masks_off():
    net = kws_pipeline(augment=False).named_steps["kws"]
    assert (net.time_shift, net.freq_masks, net.time_masks) == (0.0, 0, 0)
    net = kws_pipeline(augment=False, freq_masks=1).named_steps["kws"]
    assert net.freq_masks == 1


def test_joblib_round_trip(fitted, tones, tmp_path):
    X, _ = tones
    joblib.dump(fitted, tmp_path / "kws.joblib")
    again = joblib.load(tmp_path / "kws.joblib")
    np.testing.assert_allclose(again.predict_proba(X), fitted.predict_proba(X), atol=1e-6)


def test_default_network_size():
    from skspeech.models._keras_nets import build_kws_network

    net = build_kws_network((101, 40), 10)
    assert 20_000 <= net.count_params() <= 40_000  # int8: weights + quantisation in 64 KB
    # strided blocks' shortcuts average frames (no weights); a width change needs a 1x1 conv
    assert [layer.name for layer in net.layers if "shortcut" in layer.name] == [
        "block2_shortcut_pool", "block4_shortcut_pool"]
    wider = build_kws_network((101, 40), 10, stem_filters=8, filters=(8, 16), strides=(1, 2))
    assert wider.get_layer("block2_shortcut").kernel.shape == (1, 8, 16)
    assert wider.output_shape == (None, 10)
    # shortcut="conv": learned strided shortcuts, 2 * (64 * 64 + 4 * 64) parameters more
    conv = build_kws_network((101, 40), 10, stem_filters=64, filters=(64,) * 4, shortcut="conv")
    pool = build_kws_network((101, 40), 10, stem_filters=64, filters=(64,) * 4)
    assert conv.count_params() - pool.count_params() == 2 * (64 * 64 + 4 * 64)
    assert conv.get_layer("block4_shortcut").strides == (2,)
    with pytest.raises(ValueError, match="shortcut must be 'pool' or 'conv'"):
        build_kws_network((101, 40), 10, shortcut="identity")


def test_relative_log_level():
    frames = np.log(np.random.default_rng(0).uniform(1e-3, 1, (2, 5, 4))).astype(np.float32)
    out = relative_log_level(frames)
    np.testing.assert_allclose(out.max(axis=(1, 2)), 0.0)
    np.testing.assert_allclose(relative_log_level(frames + 3.0), out, atol=1e-6)  # gain
    assert out.min() >= -np.log(10.0) * 8 - 1e-5
    with pytest.raises(ValueError, match="n_clips, n_frames, n_bands"):
        relative_log_level(frames[0])


@pytest.mark.parametrize("params, match", [
    (dict(filters=()), "filters must be a non-empty"),
    (dict(filters=(8,), strides=(1, 2)), "strides has 2 values"),
    (dict(filters=(8, 0)), "filters must be a non-empty sequence of positive ints"),
])
def test_bad_network_parameters(params, match):
    frames = np.zeros((6, 10, 4), np.float32) + np.arange(6)[:, None, None]
    with pytest.raises(ValueError, match=match):
        KWSClassifier(**params, epochs=1).fit(frames, ["a", "b"] * 3)


def test_bad_parameter_value():
    with pytest.raises(InvalidParameterError, match="time_shift"):
        KWSClassifier(time_shift=2.0).fit(np.ones((4, 5, 2)), ["a", "b"] * 2)
    with pytest.raises(InvalidParameterError,
                       match="'shortcut' parameter of KWSClassifier must be a str among"):
        KWSClassifier(shortcut="identity").fit(np.ones((4, 5, 2)), ["a", "b"] * 2)


def test_cosine_schedule_lowers_the_learning_rate_to_zero():
    from skspeech.models._keras_nets import CosineDecay

    schedule = CosineDecay(0.003, 4)
    assert [schedule(e) for e in range(5)] == pytest.approx(
        [0.003, 0.003 * (1 + np.cos(np.pi / 4)) / 2, 0.0015,
         0.003 * (1 + np.cos(3 * np.pi / 4)) / 2, 0.0])
    X = np.random.default_rng(0).standard_normal((24, 10, 4)).astype("float32")
    y = np.array(["a", "b"] * 12)
    seen = {}
    for name in ("cosine", "constant"):
        clf = KWSClassifier(stem_filters=4, filters=(4,), strides=1, epochs=4,
                            validation_fraction=None, lr_schedule=name, random_state=0).fit(X, y)
        seen[name] = float(clf.model_.optimizer.learning_rate.numpy())
    assert seen["cosine"] == pytest.approx(schedule(3), rel=1e-5)  # the last epoch's rate
    assert seen["constant"] == pytest.approx(0.003, rel=1e-5)
    with pytest.raises(ValueError, match="lr_schedule"):
        KWSClassifier(lr_schedule="step").fit(X, y)


def test_default_runs_the_whole_schedule_and_keeps_the_best_epoch():
    # Random labels: the validation loss soon rises. patience=3 stops early (and cuts the
    # cosine schedule short); the default (patience=None) runs every epoch, then restores
    # the best one's weights.
    from skspeech.models import KWS2DClassifier

    assert KWSClassifier().patience is None and KWS2DClassifier().patience is None
    assert kws_pipeline(augment=False)[-1].patience is None
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 10, 4)).astype("float32")
    y = rng.choice(["a", "b"], size=60)
    net = dict(stem_filters=4, filters=(4,), strides=1, epochs=25, learning_rate=0.03,
               dropout=0.0, time_shift=0.0, freq_masks=0, time_masks=0,
               validation_fraction=0.25, random_state=0)
    recorder = weight_recorder()
    whole = KWSClassifier(callbacks=[recorder], **net).fit(X, y)
    assert len(whole.history_["loss"]) == len(recorder.weights) == 25
    best = int(np.argmin(whole.history_["val_loss"]))
    assert whole.best_epoch_ == best < 24
    final = flat_weights(whole.model_)
    np.testing.assert_array_equal(final, recorder.weights[best])
    assert not np.array_equal(final, recorder.weights[-1])
    stopped = KWSClassifier(patience=3, **net).fit(X, y)
    assert len(stopped.history_["loss"]) == stopped.best_epoch_ + 1 + 3 < 25


def test_integer_parameters_may_be_numpy_integers():
    # GridSearchCV over np.arange hands the network np.int64 values
    from sklearn.model_selection import GridSearchCV

    X = np.random.default_rng(0).standard_normal((24, 10, 4)).astype("float32")
    X[:12, :, :2] += 2.0
    y = np.array(["a"] * 12 + ["b"] * 12)
    net = KWSClassifier(stem_filters=4, filters=(4,), epochs=1, validation_fraction=None,
                        random_state=0)
    search = GridSearchCV(net, {"kernel_sizes": np.arange(3, 5), "strides": np.arange(1, 2)},
                          cv=2).fit(X, y)
    assert type(search.best_params_["kernel_sizes"]) is np.int64
    kernel = search.best_estimator_.model_.get_layer("block1_sep1").depthwise_kernel
    assert kernel.shape[0] == search.best_params_["kernel_sizes"]
