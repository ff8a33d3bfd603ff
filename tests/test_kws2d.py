"""KWS2DClassifier and kws_pipeline(conv="2d"): shapes, learning, training-only augmentation."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("scikeras")
pytestmark = pytest.mark.slow  # Keras training (STYLE.md 7): the slow run

import joblib  # noqa: E402
from conftest import make_tone_commands  # noqa: E402
from sklearn.base import clone, is_classifier  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from skspeech.models import KWS2DClassifier, KWSClassifier  # noqa: E402
from skspeech.models._keras_nets import build_kws2d_network  # noqa: E402
from skspeech.pipelines import kws_pipeline  # noqa: E402

TINY = dict(stem_filters=8, filters=(8, 16), strides=(1, 2), batch_size=16, learning_rate=0.01)


@pytest.fixture(scope="module")
def tones():
    """45 clips of 0.5 s at 8 kHz, three chirp bands."""
    return make_tone_commands(n_per_class=15, sr=8000, ragged=True)


@pytest.fixture(scope="module")
def fitted(tones):
    X, y = tones
    # cmvn=False: a steady tone's class is its bands' level, which per-clip CMVN removes
    return kws_pipeline(sr=8000, duration=0.7, n_mels=20, cmvn=False, conv="2d", n_copies=0,
                        epochs=15, random_state=0, validation_fraction=None, **TINY).fit(X, y)


def test_pipeline_learns_words(fitted, tones):
    X, y = tones
    clf = fitted.named_steps["kws"]
    assert type(clf) is KWS2DClassifier and is_classifier(clf)
    assert clf.X_shape_[1:] == (69, 20)  # 0.7 s of 10 ms frames, 20 bands
    assert np.mean(fitted.predict(X) == y) >= 0.9
    proba = fitted.predict_proba(X[:3])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert clf.classes_.tolist() == ["high", "low", "mid"]


def test_convolutions_slide_over_time_and_bands():
    net = build_kws2d_network((99, 40), 10)
    assert 15_000 <= net.count_params() <= 40_000  # int8: weights + quantisation in 64 KB
    assert net.get_layer("one_channel").output.shape == (None, 99, 40, 1)
    assert net.get_layer("stem").output.shape == (None, 99, 20, 16)  # bands halved
    # block strides 1, 2, 1, 2 over frames and bands: 99 x 20 -> 25 x 5
    assert net.get_layer("block2_add").output.shape == (None, 50, 10, 32)
    assert net.get_layer("block4_add").output.shape == (None, 25, 5, 48)
    assert net.get_layer("block1_depthwise1").kernel.shape == (3, 3, 16, 1)
    # a block that neither strides nor widens has the identity as its shortcut
    small = build_kws2d_network((20, 8), 3, stem_filters=8, filters=(8, 16), strides=1)
    assert [layer.name for layer in small.layers if layer.name.endswith("_shortcut")] == [
        "block2_shortcut"]
    assert net.output_shape == (None, 10)
    # a formant a band higher meets the same weights: global pooling over bands and frames
    assert type(net.get_layer("global_avg_pool")).__name__ == "GlobalAveragePooling2D"


@pytest.mark.parametrize("n_bands", [1, 2, 3, 6])
def test_stem_computes_the_convolution_on_few_bands(n_bands):
    # TensorFlow's oneDNN Conv2D on one channel with strides (1, 2) answered garbage when
    # the bands axis was no wider than 2 (as with the estimator checks' 1-coefficient frames).
    from scipy.signal import correlate2d

    stem = build_kws2d_network((12, n_bands), 3, stem_filters=4).get_layer("stem")
    x = np.random.default_rng(0).standard_normal((5, 12, n_bands, 1)).astype(np.float32)
    got = np.asarray(stem(x))
    kernel = np.asarray(stem.kernel)  # (5, 5, 1, 4)
    band_stride = stem.strides[1]
    assert band_stride == (2 if n_bands > 2 else 1)
    # TensorFlow's "same" padding puts the odd one of a strided axis's padding after it:
    # its outputs are SciPy's centred ones from column 2 - (padding before) on, every stride
    n_out = -(-n_bands // band_stride)
    start = 2 - max((n_out - 1) * band_stride + 5 - n_bands, 0) // 2
    want = np.stack([[correlate2d(clip[..., 0], kernel[..., 0, f], mode="same")
                      [:, start::band_stride][:, :n_out]
                      for f in range(4)] for clip in x]).transpose(0, 2, 3, 1)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_augmentation_is_training_only(fitted, tones):
    X, _ = tones
    net = fitted.named_steps["kws"].model_
    frames = fitted[:-1].transform(X[:8])
    layer = net.get_layer("spec_augment")
    x = keras.ops.convert_to_tensor(frames)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), frames)
    assert not np.allclose(np.asarray(layer(x, training=True)), frames)
    np.testing.assert_array_equal(fitted.predict_proba(X[:8]), fitted.predict_proba(X[:8]))


def test_deterministic_with_random_state(tones):
    X, y = tones
    frames = kws_pipeline(sr=8000, duration=0.5, n_mels=16, augment=False)[:-1].fit_transform(X)
    params = dict(TINY, epochs=2, validation_fraction=None, random_state=3)
    a = KWS2DClassifier(**params).fit(frames, y).predict_proba(frames)
    b = KWS2DClassifier(**params).fit(frames, y).predict_proba(frames)
    np.testing.assert_array_equal(a, b)


def test_joblib_round_trip(fitted, tones, tmp_path):
    X, _ = tones
    joblib.dump(fitted, tmp_path / "kws2d.joblib")
    again = joblib.load(tmp_path / "kws2d.joblib")
    np.testing.assert_allclose(again.predict_proba(X), fitted.predict_proba(X), atol=1e-6)
    clf = again.named_steps["kws"]
    assert type(clf) is KWS2DClassifier and "shortcut" not in clf.get_params()
    assert clone(clf).get_params() == clf.get_params()


def test_recipe_picks_the_network():
    assert type(kws_pipeline(sr=8000).estimator.named_steps["kws"]) is KWSClassifier
    model = kws_pipeline(sr=8000, conv="2d", filters=(8, 8), strides=2)
    clf = model.estimator.named_steps["kws"]
    assert type(clf) is KWS2DClassifier
    assert clf.filters == (8, 8) and clf.strides == 2 and clf.time_shift == 0.1
    off = kws_pipeline(sr=8000, conv="2d", augment=False).named_steps["kws"]
    assert (off.time_shift, off.freq_masks, off.time_masks) == (0.0, 0, 0)
    with pytest.raises(ValueError, match="conv must be '1d' .* or '2d'.*got '3d'"):
        kws_pipeline(sr=8000, conv="3d")
    with pytest.raises(TypeError, match="shortcut"):  # a 1-D network's parameter
        kws_pipeline(sr=8000, conv="2d", shortcut="conv")


@pytest.mark.parametrize("params, match", [
    (dict(filters=(8,)), "strides has 4 values but filters has 1 blocks"),
    (dict(filters=(8, 8), strides=(1, 0)), "strides must hold positive ints"),
    (dict(filters=()), "filters must be a non-empty"),
])
def test_bad_network_parameters(params, match):
    frames = np.zeros((6, 10, 4), np.float32) + np.arange(6)[:, None, None]
    with pytest.raises(ValueError, match=match):
        KWS2DClassifier(**params, epochs=1).fit(frames, ["a", "b"] * 3)


def test_bad_parameter_value():
    with pytest.raises(InvalidParameterError, match="'strides' parameter of KWS2DClassifier"):
        KWS2DClassifier(strides=0).fit(np.ones((4, 5, 2)), ["a", "b"] * 2)
