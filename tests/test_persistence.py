"""save_model / load_model: metadata, words out, no overwrite, atomic writes, version warnings."""

import os
import warnings

import joblib
import numpy as np
import pytest
from conftest import make_tone_commands

import skspeech
from skspeech import ModelVersionWarning, load_model, save_model
from skspeech.pipelines import svm_pipeline


@pytest.fixture(scope="module")
def fitted():
    X, y = make_tone_commands(n_per_class=6, sr=8000)
    return svm_pipeline(sr=8000, probability=False).fit(X, y), X, y


def test_round_trip_with_metadata(tmp_path, fitted):
    model, X, y = fitted
    path = save_model(tmp_path / "m.joblib", model)
    loaded, meta = load_model(path, return_metadata=True)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.predict(X).dtype.kind == "U"  # words, not codes
    assert meta["classes"] == sorted(set(y))
    assert meta["sr"] == 8000
    assert meta["versions"]["skspeech"] == skspeech.__version__
    assert meta["versions"]["scikit-learn"]
    assert meta["created"].endswith("+00:00")
    assert meta["estimator"] == "SpeechPipeline"
    assert not list(tmp_path.glob(".*tmp*"))  # the temporary file is gone


def test_never_overwrites_without_force(tmp_path, fitted):
    model = fitted[0]
    path = tmp_path / "m.joblib"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="force=True"):
        save_model(path, model)
    assert path.read_bytes() == b"precious"
    save_model(path, model, force=True)
    assert load_model(path).classes_.tolist() == model.classes_.tolist()


def test_crash_during_write_leaves_old_file(tmp_path, fitted, monkeypatch):
    model = fitted[0]
    path = tmp_path / "m.joblib"
    save_model(path, model)
    before = path.read_bytes()

    def boom(obj, filename, *a, **k):
        with open(filename, "wb") as f:
            f.write(b"half a mod")
        raise OSError("disk full")

    monkeypatch.setattr(joblib, "dump", boom)
    with pytest.raises(OSError, match="disk full"):
        save_model(path, model, force=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.joblib"]


def test_version_mismatch_warns_with_both_versions(tmp_path, fitted):
    model = fitted[0]
    path = save_model(tmp_path / "m.joblib", model)
    payload = joblib.load(path)
    payload["metadata"]["versions"]["scikit-learn"] = "0.99.0"
    joblib.dump(payload, path)
    import sklearn

    with pytest.warns(ModelVersionWarning,
                      match=rf"scikit-learn 0\.99\.0 .* {sklearn.__version__}"):
        load_model(path)
    # same versions: no warning
    path2 = save_model(tmp_path / "m2.joblib", model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_model(path2)


def test_refuses_models_that_answer_in_codes(tmp_path):
    X, y = make_tone_commands(n_per_class=4, sr=8000)
    codes = np.unique(y, return_inverse=True)[1]
    model = svm_pipeline(sr=8000, probability=False).fit(X, codes)
    with pytest.raises(ValueError, match="must predict words"):
        save_model(tmp_path / "m.joblib", model)
    joblib.dump(model, tmp_path / "codes.joblib")
    with pytest.raises(ValueError, match="must predict words"):
        load_model(tmp_path / "codes.joblib")
    with pytest.raises(ValueError, match="fitted classifier"):
        save_model(tmp_path / "u.joblib", svm_pipeline(sr=8000))


def test_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="No such model file"):
        load_model(tmp_path / "missing.joblib")
    (tmp_path / "text.joblib").write_text("not a model")
    with pytest.raises(ValueError, match="not a model file"):
        load_model(tmp_path / "text.joblib")
    joblib.dump(np.zeros(3), tmp_path / "array.joblib")
    with pytest.raises(ValueError, match="holds a ndarray, not a model"):
        load_model(tmp_path / "array.joblib")
    with pytest.raises(IsADirectoryError):
        load_model(tmp_path)


def test_bare_joblib_estimator_still_loads(tmp_path, fitted):
    model = fitted[0]
    joblib.dump(model, tmp_path / "demo.joblib")  # what ``skspeech demo`` writes
    _, meta = load_model(tmp_path / "demo.joblib", return_metadata=True)
    assert meta["sr"] == 8000 and meta["classes"] == model.classes_.tolist()
    assert os.path.exists(tmp_path / "demo.joblib")
