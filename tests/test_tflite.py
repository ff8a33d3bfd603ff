"""TFLite export: float equals Keras, int8 close to float (FSDD), sizes, frontend.json, errors."""

import json

import numpy as np
import pytest
from conftest import make_tone_commands

from skspeech.pipelines import svm_pipeline


def test_refuses_models_it_cannot_export(tmp_path):
    from skspeech.export import export_tflite

    X, y = make_tone_commands(n_per_class=4, sr=8000)
    svm = svm_pipeline(sr=8000, probability=False).fit(X, y)
    with pytest.raises(ValueError, match="needs a fitted Conv1D pipeline.*Pipeline ending in SVC"):
        export_tflite(svm, tmp_path, int8=False)


tf = pytest.importorskip("tensorflow")
pytest.importorskip("scikeras")


@pytest.fixture(scope="module")
def tone_model():
    from skspeech.pipelines import conv1d_pipeline

    X, y = make_tone_commands(n_per_class=12, sr=8000, random_state=0)
    model = conv1d_pipeline("mfcc", sr=8000, duration=0.7, epochs=20, filters=(8, 16),
                            dense_units=(16,), random_state=0)
    return model.fit(X, y), X, y


@pytest.mark.slow
def test_float_equals_keras_and_int8_is_smaller(tone_model, tmp_path):
    from skspeech.export import TFLiteModel, export_tflite

    model, X, y = tone_model
    X_test, y_test = make_tone_commands(n_per_class=6, sr=8000, random_state=5)
    files = export_tflite(model, tmp_path / "out", representative=X)
    sizes = files["sizes"]
    print(f"tone net: float {sizes['float'] / 1024:.1f} KB, int8 {sizes['int8'] / 1024:.1f} KB")
    assert sizes["int8"] < sizes["float"] and files["int8"].stat().st_size == sizes["int8"]

    as_float = TFLiteModel(files["float"])
    np.testing.assert_allclose(as_float.predict_proba(X_test), model.predict_proba(X_test),
                               atol=1e-5)
    np.testing.assert_array_equal(as_float.predict(X_test), model.predict(X_test))
    as_int8 = TFLiteModel(files["int8"])
    assert as_int8._in["dtype"] == np.int8 and as_int8._out["dtype"] == np.int8
    agree = np.mean(as_int8.predict(X_test) == model.predict(X_test))
    assert agree >= 0.9

    settings = json.loads(files["settings"].read_text())
    assert settings["sr"] == 8000 and settings["model_sr"] == 8000
    assert settings["n_samples"] == 5600
    assert settings["steps"]["features"]["type"] == "MFCC"
    assert settings["steps"]["features"]["n_mfcc"] == 13
    assert settings["steps"]["features"]["win_length"] == 200  # 25 ms at 8 kHz, resolved
    assert settings["steps"]["features"]["hop_length"] == 80
    assert settings["input_shape"][0] == 1 and settings["input_shape"][2] == 13
    assert settings["classes"] == ["high", "low", "mid"]
    assert settings["int8"]["input"]["dtype"] == "int8" and settings["int8"]["input"]["scale"] > 0

    # the features a device computes from frontend.json feed the network directly
    feats = model[:-1].transform(X_test)
    np.testing.assert_allclose(as_float.predict_features_proba(feats),
                               model.predict_proba(X_test), atol=1e-5)

    with pytest.raises(FileExistsError, match="force=True"):
        export_tflite(model, tmp_path / "out", representative=X)
    export_tflite(model, tmp_path / "out", int8=False, force=True)
    with pytest.raises(ValueError, match="representative clips"):
        export_tflite(model, tmp_path / "other")


@pytest.mark.slow
def test_fsdd_int8_within_one_point_of_float(fsdd_path, tmp_path):
    from skspeech.datasets import load_fsdd
    from skspeech.export import TFLiteModel, export_tflite
    from skspeech.pipelines import conv1d_pipeline

    train = load_fsdd(fsdd_path, subset="train")
    test = load_fsdd(fsdd_path, subset="test")
    model = conv1d_pipeline("mfcc", sr=train.sr, random_state=0).fit(train.data, train.target)
    rng = np.random.default_rng(0)
    rep = [train.data[i] for i in rng.permutation(len(train.data))[:300]]
    files = export_tflite(model, tmp_path, representative=rep)
    acc = {"keras": np.mean(model.predict(test.data) == test.target)}
    for key in ("float", "int8"):
        acc[key] = np.mean(TFLiteModel(files[key]).predict(test.data) == test.target)
    sizes = files["sizes"]
    print(f"FSDD test (300 clips): Keras {acc['keras']:.1%}, float {acc['float']:.1%}, "
          f"int8 {acc['int8']:.1%}; float {sizes['float'] / 1024:.1f} KB, "
          f"int8 {sizes['int8'] / 1024:.1f} KB")
    assert acc["float"] == acc["keras"]
    assert abs(acc["int8"] - acc["float"]) <= 0.01
    assert sizes["int8"] <= 64 * 1024
