"""svm_pipeline: words in, words out; tuning, persistence and accuracy on real speech."""

import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pytest
from conftest import make_tone_commands
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GridSearchCV

from skspeech.exceptions import InvalidAudioError
from skspeech.pipelines import svm_pipeline


@pytest.fixture(scope="module")
def data():
    X, y = make_tone_commands(n_per_class=12, sr=8000, random_state=1)
    Xt, yt = make_tone_commands(n_per_class=4, sr=8000, random_state=2)
    return X, y, Xt, yt


@pytest.fixture(scope="module")
def fitted(data):
    X, y, _, _ = data
    return svm_pipeline(sr=8000).fit(X, y)


def test_words_in_words_out(data, fitted):
    _, _, Xt, yt = data
    assert is_classifier(fitted)
    assert list(fitted.classes_) == ["high", "low", "mid"]
    pred = fitted.predict(Xt)
    assert pred.dtype.kind == "U" and set(pred) <= {"high", "low", "mid"}
    assert np.mean(pred == yt) >= 0.9
    proba = fitted.predict_proba(Xt)
    assert proba.shape == (len(Xt), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-6)
    # columns follow classes_: the most probable column is mostly the true word
    assert np.mean(fitted.classes_[proba.argmax(axis=1)] == yt) >= 0.9


def test_equal_length_batch_and_list_agree(data, fitted):
    _, _, Xt, _ = data
    same_len = [x[:2400] for x in Xt]
    np.testing.assert_array_equal(fitted.predict(np.stack(same_len)), fitted.predict(same_len))


def test_steps_and_options():
    pipe = svm_pipeline(sr=16000, target_sr=8000, duration=1.0, deltas=0)
    assert list(pipe.named_steps) == ["guard", "resample", "padtrim", "mfcc", "deltas", "stats",
                                      "scale", "svc"]
    assert pipe.named_steps["resample"].target_sr == 8000
    assert pipe.named_steps["padtrim"].duration == 1.0 and pipe.named_steps["mfcc"].sr == 8000
    assert pipe.named_steps["deltas"] == "passthrough"
    default = svm_pipeline(sr=8000)
    assert default.named_steps["resample"] == "passthrough"
    assert default.named_steps["padtrim"] == "passthrough"


def test_resampling_inside(data):
    X, y, Xt, yt = data
    up = [np.repeat(x, 2) for x in X]  # crude 16 kHz versions
    model = svm_pipeline(sr=16000, target_sr=8000, probability=False).fit(up, y)
    assert model.score([np.repeat(x, 2) for x in Xt], yt) >= 0.8


def test_clone_and_set_params(fitted):
    fresh = clone(fitted)
    assert not hasattr(fresh, "classes_")
    fresh.set_params(svc__estimator__C=3.0, mfcc__n_mfcc=10, stats__stats=("mean",))
    assert fresh.get_params()["svc__estimator__C"] == 3.0
    assert fresh.get_params()["mfcc__n_mfcc"] == 10


def test_grid_search_two_workers(data):
    X, y, Xt, yt = data
    grid = GridSearchCV(
        svm_pipeline(sr=8000, probability=False),
        {"mfcc__n_mfcc": [8, 13], "svc__C": [1.0, 10.0]},
        cv=3, n_jobs=2,
    ).fit(X, y)
    assert set(grid.best_params_) == {"mfcc__n_mfcc", "svc__C"}
    assert grid.cv_results_["mean_test_score"].shape == (4,)
    assert grid.score(Xt, yt) >= 0.8


def test_joblib_round_trip_in_fresh_process(tmp_path, data, fitted):
    _, _, Xt, _ = data
    path = tmp_path / "model.joblib"
    joblib.dump(fitted, path)
    np.save(tmp_path / "clips.npy", np.stack([x[:2400] for x in Xt]))
    expected = fitted.predict(np.load(tmp_path / "clips.npy"))
    np.testing.assert_array_equal(joblib.load(path).predict(np.load(tmp_path / "clips.npy")),
                                  expected)
    code = textwrap.dedent(f"""
        import joblib, numpy as np
        model = joblib.load({str(path)!r})
        print(",".join(model.predict(np.load({str(tmp_path / 'clips.npy')!r}))))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().split(",") == list(expected)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.ones(4000), "Reshape your data"),
        ([np.ones(4000) * 0.1, np.array([])], "index 1 is empty"),
        ([np.ones(4000) * 0.1, np.full(4000, np.nan)], "index 1 contains NaN"),
    ],
)
def test_bad_input_is_named(fitted, X, match):
    with pytest.raises(InvalidAudioError, match=match):
        fitted.predict(X)


def test_fsdd_official_split(fsdd_path):
    """FSDD's own split (takes 0-4 test): at least 98.5 % of 300 test clips."""
    from skspeech.datasets import load_fsdd

    train = load_fsdd(fsdd_path, subset="train")
    test = load_fsdd(fsdd_path, subset="test")
    model = svm_pipeline(sr=train.sr).fit(train.data, train.target)
    acc = model.score(test.data, test.target)
    print(f"svm_pipeline FSDD official split: {acc:.4f}")
    assert acc >= 0.985


def test_bad_recipe_options():
    with pytest.raises(ValueError, match="deltas must be 0"):
        svm_pipeline(deltas=3)
    with pytest.raises(ValueError, match="sample rate"):
        svm_pipeline(sr=None)
