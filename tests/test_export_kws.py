"""TFLite export of kws_pipeline: words out, agreement with Keras, no training-only ops, sizes."""

import json

import numpy as np
import pytest
from conftest import make_tone_commands

tf = pytest.importorskip("tensorflow")
pytest.importorskip("scikeras")

from sklearn.exceptions import NotFittedError  # noqa: E402

from skspeech.export import TFLiteModel, _frontend, _tflite, export_tflite  # noqa: E402  # noqa: E402
from skspeech.export._runtime import make_interpreter  # noqa: E402
from skspeech.pipelines import kws_pipeline  # noqa: E402

pytestmark = pytest.mark.slow

# 16 channels on 40 bands: enough weights (3.3 k) that int8 is clearly smaller than float.
TINY = dict(stem_filters=16, filters=(16, 16), kernel_sizes=5, strides=(1, 2), batch_size=16,
            learning_rate=0.01)


X_REP = make_tone_commands(n_per_class=4, sr=8000, random_state=3)[0]


@pytest.fixture(scope="module")
def kws_export(tmp_path_factory):
    """A tiny KWS pipeline (SpecAugment on) fitted on tones, exported to float and int8."""
    X, y = make_tone_commands(n_per_class=12, sr=8000, random_state=0)
    # cmvn=False: per-clip CMVN removes a steady tone's band levels, its only cue here
    model = kws_pipeline(sr=8000, duration=0.7, cmvn=False, n_copies=0, epochs=15,
                         random_state=0, validation_fraction=None, **TINY).fit(X, y)
    files = export_tflite(model, tmp_path_factory.mktemp("kws"), representative=X)
    X_test, y_test = make_tone_commands(n_per_class=8, sr=8000, random_state=7)
    return model, files, X_test, y_test


def test_tflite_predicts_the_words_keras_predicts(kws_export):
    model, files, X_test, y_test = kws_export
    keras_pred = model.predict(X_test)
    assert np.mean(keras_pred == y_test) >= 0.8  # the network learned something to agree on
    for kind, min_agree, atol in (("float", 1.0, 1e-5), ("int8", 0.9, 0.1)):
        tfl = TFLiteModel(files[kind])
        pred = tfl.predict(X_test)
        assert pred.dtype.kind == "U" and set(pred) <= {"high", "low", "mid"}
        assert np.mean(pred == keras_pred) >= min_agree, kind
        np.testing.assert_allclose(tfl.predict_proba(X_test), model.predict_proba(X_test),
                                   atol=atol)


def test_training_only_layers_leave_no_op(kws_export):
    model, files, X_test, _ = kws_export
    net = model.named_steps["kws"].model_
    assert net.get_layer("spec_augment").time_shift > 0  # augmentation was on in training
    settings = json.loads(files["settings"].read_text())
    for kind in ("float", "int8"):
        ops = settings["ops"][kind]
        assert ops == _tflite._ops(tf, files[kind].read_bytes())
        assert "CONV_2D" in ops and "DEPTHWISE_CONV_2D" in ops
        # the int8 file gives logits (int8 probabilities stop at 0.996): TFLiteModel's softmax
        assert ("SOFTMAX" in ops) == (kind == "float")
        assert not [op for op in ops if "RANDOM" in op or "MULTINOMIAL" in op]
        tfl = TFLiteModel(files[kind])
        np.testing.assert_array_equal(tfl.predict_proba(X_test), tfl.predict_proba(X_test))


def test_int8_is_smaller_names_stripped_buffers_aligned(kws_export, tmp_path):
    model, files, X_test, _ = kws_export
    sizes = files["sizes"]
    assert sizes["int8"] < 0.8 * sizes["float"]
    for kind in ("float", "int8"):
        content = files[kind].read_bytes()
        assert len(content) == sizes[kind]
        assert _tflite._misaligned_buffers(content) == []
        interp = make_interpreter(content)
        assert all(d["name"] == "" for d in interp.get_tensor_details())
    named = export_tflite(model, tmp_path, int8=False, strip_names=False)
    assert named["sizes"]["float"] > sizes["float"] + 2000  # the names weigh kilobytes
    np.testing.assert_allclose(TFLiteModel(named["float"]).predict_proba(X_test),
                               TFLiteModel(files["float"]).predict_proba(X_test),
                               atol=1e-6)


@pytest.mark.parametrize("n_ceps, n_inputs", [(None, 40), (20, 20)])
def test_default_network_int8_file_fits_64_kib(tmp_path, n_ceps, n_inputs):
    # the default width, on the 40 bands (the default) or on 20 cepstra, trained for one epoch:
    # the file's size does not depend on training; 10 words, as FSDD's digits (the output
    # layer grows with the words)
    X, _ = make_tone_commands(n_per_class=4, sr=8000, random_state=0)
    y = np.array([f"word{i % 10}" for i in range(len(X))])
    model = kws_pipeline(sr=8000, n_ceps=n_ceps, n_copies=0, epochs=1, validation_fraction=None,
                         random_state=0).fit(X, y)
    files = export_tflite(model, tmp_path, representative=X)
    assert 40 * 1024 < files["sizes"]["int8"] <= 64 * 1024
    assert files["sizes"]["float"] > 1.8 * files["sizes"]["int8"]
    # the front end a device computes: the level step's log-mel frames, or their cepstra
    settings = json.loads(files["settings"].read_text())
    assert list(settings["steps"]) == ["resample", "padtrim", "features", "level", "cepstra",
                                       "cmvn"]
    if n_ceps is None:
        assert settings["steps"]["cepstra"] is None
    else:
        assert settings["steps"]["cepstra"] == {
            "type": "FunctionTransformer", "func": "skspeech.features.cepstra",
            "kw_args": {"n_ceps": n_ceps}}
    assert settings["input_shape"] == [1, 99, n_inputs]  # 1 s of 10 ms frames
    feats = model[:-1].transform(X[:5])
    np.testing.assert_allclose(TFLiteModel(files["float"]).predict_features_proba(feats),
                               model.predict_proba(X[:5]), atol=1e-5)


def test_frontend_json_describes_the_kws_front_end(kws_export):
    model, files, X_test, _ = kws_export
    settings = json.loads(files["settings"].read_text())
    assert list(settings["steps"]) == ["resample", "padtrim", "features", "level", "cepstra",
                                       "cmvn"]
    assert settings["steps"]["features"]["type"] == "LogMelSpectrogram"
    assert settings["steps"]["features"]["n_mels"] == 40
    assert settings["steps"]["features"]["win_length"] == 200  # 25 ms at 8 kHz, resolved
    assert settings["steps"]["features"]["hop_length"] == 80
    assert settings["steps"]["level"] == {
        "type": "FunctionTransformer", "func": "skspeech.features.relative_log_level",
        "kw_args": {"top_db": 80.0}}
    assert settings["steps"]["cepstra"] is None and settings["steps"]["cmvn"] is None
    assert settings["n_samples"] == 5600 and settings["input_shape"] == [1, 69, 40]
    assert settings["classes"] == ["high", "low", "mid"]
    assert settings["int8"]["input"]["dtype"] == "int8"
    # a device's features (the pipeline's front end) fed straight to the network
    feats = model[:-1].transform(X_test)
    tfl = TFLiteModel(files["float"])
    np.testing.assert_allclose(tfl.predict_features_proba(feats), model.predict_proba(X_test),
                               atol=1e-5)
    # and TFLiteModel computes those features itself, from frontend.json, bit for bit
    assert [name for name, _ in tfl.steps] == ["padtrim", "features", "level"]
    np.testing.assert_array_equal(tfl.features(X_test), feats)


def test_cmvn_step_settings():
    from skspeech.features import CMVN

    assert _frontend.step_settings(CMVN(variance=True)) == {"type": "CMVN", "variance": True}


def test_unfitted_kws_pipeline_is_refused(tmp_path):
    with pytest.raises(NotFittedError):
        export_tflite(kws_pipeline(sr=8000), tmp_path, int8=False)
    assert not list(tmp_path.iterdir())


def test_random_ops_are_refused():
    assert _tflite._check_inference_only("int8", ["CONV_2D", "SOFTMAX"]) == ["CONV_2D", "SOFTMAX"]
    with pytest.raises(ValueError, match="int8 network has random ops \\(RANDOM_UNIFORM\\).*"
                                         "training=False; nothing was written"):
        _tflite._check_inference_only("int8", ["CONV_2D", "RANDOM_UNIFORM"])


def test_augmented_classifier_exports_its_fitted_pipeline(kws_export):
    from skspeech.augment import AugmentedClassifier

    model = kws_export[0]
    wrapped = kws_pipeline(sr=8000)  # the recipe's default: waveform copies while fitting
    assert isinstance(wrapped, AugmentedClassifier)
    with pytest.raises(NotFittedError):
        _tflite.exportable_parts(wrapped)
    wrapped.estimator_ = model  # as fit leaves it: the fitted clone of the pipeline
    front, clf = _tflite.exportable_parts(wrapped)
    assert clf is model.named_steps["kws"]
    assert [name for name, _ in front.steps] == ["guard", "resample", "padtrim", "features",
                                                 "level", "cepstra", "cmvn"]


def test_2d_network_exports_and_predicts_as_keras(tmp_path):
    # kws_pipeline(conv="2d") at its default size, one epoch on tones of 10 words: its int8 file
    # fits in 64 KB too, and the float file gives Keras's probabilities
    X, _ = make_tone_commands(n_per_class=4, sr=8000, random_state=0)
    y = np.array([f"word{i % 10}" for i in range(len(X))])
    model = kws_pipeline(sr=8000, conv="2d", n_copies=0, epochs=1, validation_fraction=None,
                         random_state=0).fit(X, y)
    files = export_tflite(model, tmp_path, representative=X)
    assert files["sizes"]["int8"] <= 64 * 1024
    settings = json.loads(files["settings"].read_text())
    assert settings["input_shape"] == [1, 99, 40]
    assert "DEPTHWISE_CONV_2D" in settings["ops"]["int8"]
    assert not [op for op in settings["ops"]["int8"] if "RANDOM" in op]
    np.testing.assert_allclose(TFLiteModel(files["float"]).predict_proba(X[:5]),
                               model.predict_proba(X[:5]), atol=1e-5)
    int8 = TFLiteModel(files["int8"]).predict_proba(X[:5])
    np.testing.assert_allclose(int8.sum(axis=1), 1.0, atol=0.02)


def test_tflite_model_takes_raw_clips_and_refuses_bad_input(kws_export, tmp_path):
    import shutil
    import warnings

    from skspeech.exceptions import InvalidAudioError

    model, files, X_test, _ = kws_export
    tfl = TFLiteModel(files["float"])
    assert tfl.sr == 8000 and tfl.variant == "float" and list(tfl.classes_) == ["high", "low",
                                                                                 "mid"]
    assert TFLiteModel(files["int8"]).variant == "int8"
    # 16-bit PCM is scaled as everywhere in skspeech: the same probabilities as the floats
    pcm = [np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16) for x in X_test]
    np.testing.assert_allclose(tfl.predict_proba(pcm), model.predict_proba(pcm), atol=1e-5)
    np.testing.assert_allclose(tfl.predict_proba(pcm), tfl.predict_proba(X_test), atol=1e-3)
    assert list(tfl.predict(X_test[:2], sr=8000)) == list(model.predict(X_test[:2]))
    with pytest.raises(ValueError, match="clips are at sr=16000 Hz, but the model takes clips "
                                         "at 8000 Hz"):
        tfl.predict(X_test, sr=16000)
    with pytest.raises(InvalidAudioError, match="for a single clip x pass x\\[np.newaxis\\]"):
        tfl.predict(X_test[0])
    with pytest.raises(InvalidAudioError, match="each clip must be 1-D"):
        tfl.predict([X_test[0], np.zeros((3, 4))])
    with pytest.raises(ValueError, match="features has shape \\(69, 13\\) per clip, but the "
                                         "network takes \\(69, 40\\)"):
        tfl.predict_features_proba(np.zeros((2, 69, 13)))
    # CommandListener reads the rate from it as from a pipeline
    from skspeech.streaming import CommandListener

    with pytest.raises(ValueError, match="is 16000 Hz but the model takes clips at 8000 Hz"):
        CommandListener(tfl, 16000).process(np.zeros(1600, np.float32))
    # the old pipeline= argument is ignored, with a warning
    with pytest.warns(FutureWarning, match="pipeline=.*ignored"):
        old = TFLiteModel(files["float"], model)
    np.testing.assert_array_equal(old.predict_proba(X_test), tfl.predict_proba(X_test))
    # files
    with pytest.raises(IsADirectoryError, match="load_exported"):
        TFLiteModel(files["float"].parent)
    lone = tmp_path / "lone.tflite"
    shutil.copy(files["float"], lone)
    with pytest.raises(FileNotFoundError, match="frontend.json' is missing"):
        TFLiteModel(lone)
    (tmp_path / "frontend.json").write_text("{not json")
    with pytest.raises(ValueError, match="not a readable frontend.json"):
        TFLiteModel(lone)
    # a front-end step it cannot compute: features still work, clips get a clear error
    settings = json.loads(files["settings"].read_text())
    settings["steps"]["level"]["func"] = "os.system"
    (tmp_path / "frontend.json").write_text(json.dumps(settings))
    custom = TFLiteModel(lone)
    feats = model[:-1].transform(X_test)
    np.testing.assert_allclose(custom.predict_features_proba(feats), model.predict_proba(X_test),
                               atol=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="names the function 'os.system'; a TFLiteModel "
                                             "computes only relative_log_level, cepstra"):
            custom.predict(X_test)


def test_load_exported_and_load_model_or_export(kws_export, tmp_path):
    from skspeech import save_model
    from skspeech.export import is_export, load_exported, load_model_or_export

    model, files, X_test, _ = kws_export
    folder = files["float"].parent
    assert is_export(folder) and is_export(files["int8"]) and not is_export(tmp_path)
    default, meta = load_exported(folder, return_metadata=True)
    assert default.variant == "float" and default.path == files["float"]
    assert meta["classes"] == ["high", "low", "mid"] and meta["sr"] == 8000
    assert meta["variant"] == "float" and meta["created"] and meta["versions"]["skspeech"]
    assert load_exported(folder, variant="int8").path == files["int8"]
    assert load_exported(files["int8"], variant="int8").variant == "int8"
    with pytest.raises(ValueError, match="holds the int8 model, not the float one"):
        load_exported(files["int8"], variant="float")
    with pytest.raises(ValueError, match="variant must be None, 'float' or 'int8'"):
        load_exported(folder, variant="int16")
    with pytest.raises(FileNotFoundError, match="is not an export folder: it has no "
                                                "frontend.json"):
        load_exported(tmp_path)
    float_only = export_tflite(model, tmp_path / "float_only", int8=False)
    with pytest.raises(FileNotFoundError, match="has no int8 model; it has: float. Export "
                                                "again with int8"):
        load_exported(float_only["float"].parent, variant="int8")

    # the one loader for a path a user gives: model file or export folder
    exported = load_model_or_export(folder, variant="int8")
    np.testing.assert_array_equal(exported.predict(X_test),
                                  load_exported(folder, variant="int8").predict(X_test))
    path = tmp_path / "model.joblib"
    save_model(path, model)
    loaded, meta = load_model_or_export(path, return_metadata=True)
    assert meta["sr"] == 8000
    np.testing.assert_array_equal(loaded.predict(X_test), model.predict(X_test))
    with pytest.raises(ValueError, match="is a model file; variant='int8' \\(--int8\\) "
                                         "applies only to an export folder"):
        load_model_or_export(path, variant="int8")
    with pytest.raises(IsADirectoryError, match="folder without frontend.json"):
        load_model_or_export(tmp_path)


def test_the_calibrated_listener_threshold_travels_with_the_export(kws_export, tmp_path):
    from skspeech.export import load_exported
    from skspeech.streaming import auto_threshold, threshold_origin
    from skspeech.streaming._stored import probe

    model, files, _, _ = kws_export
    assert "listener" not in json.loads(files["settings"].read_text())  # not calibrated
    assert auto_threshold(load_exported(files["float"].parent)) == 0.999  # a network's default
    model.listener_calibration_ = {"threshold": 0.97, "smoothing": 3, "gate_db": 12.0,
                                   "max_false_alarms_per_hour": 2.0, "hit_rate": 0.9,
                                   "false_alarms_per_hour": 1.1, "minutes": 90.0, "sr": 8000,
                                   "probe": [float(p) for p in probe(model, 8000)]}
    try:
        out = export_tflite(model, tmp_path / "calibrated", representative=X_REP)
    finally:
        del model.listener_calibration_
    listener = json.loads(out["settings"].read_text())["listener"]
    assert listener == {"threshold": 0.97, "smoothing": 3, "gate_db": 12.0,
                        "max_false_alarms_per_hour": 2.0, "hit_rate": 0.9,
                        "false_alarms_per_hour": 1.1, "minutes": 90.0}
    for variant in ("float", "int8"):
        exported = load_exported(out["float"].parent, variant=variant)
        assert auto_threshold(exported) == 0.97
        assert threshold_origin(exported).startswith("calibrated for at most 2 false alarms")


def test_int8_file_gives_logits_so_probabilities_near_one_survive(kws_export):
    """int8 probabilities stop at 255/256: the int8 file ends before the softmax, which
    TFLiteModel applies in float (a listener's 0.999 stays reachable)."""
    model, files, X_test, _ = kws_export
    settings = json.loads(files["settings"].read_text())
    assert settings["int8"]["outputs"] == "logits"
    net = model.named_steps["kws"].model_
    F = TFLiteModel(files["float"]).features(X_test)
    logits = np.asarray(_tflite.logits_network(net)(F, training=False))
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(p / p.sum(axis=1, keepdims=True),
                               np.asarray(net(F, training=False)), atol=1e-5)
    int8 = TFLiteModel(files["int8"]).predict_proba(X_test)
    np.testing.assert_allclose(int8.sum(axis=1), 1, atol=1e-9)
    assert len(np.unique(np.round(int8.max(axis=1), 6))) > 2  # not a 1/256 grid of values
