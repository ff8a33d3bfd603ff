"""plot_history: training curves of a fitted Conv1DClassifier or Pipeline."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from skspeech.plotting import plot_history  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fitted_pipeline():
    pytest.importorskip("keras")
    from conftest import make_tone_commands

    from skspeech.models import Conv1DClassifier
    from skspeech.preprocessing import PadTrim

    X, y = make_tone_commands(n_per_class=8, sr=8000)
    clf = Conv1DClassifier(filters=(4,), kernel_sizes=9, pool_size=4, dense_units=(8,),
                           global_pooling="max", epochs=4, patience=None,
                           validation_fraction=0.25, random_state=0)
    return make_pipeline(PadTrim(target_length=4000), clf).fit(X, y)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.slow
def test_plot_history_png(fitted_pipeline, tmp_path):
    clf = fitted_pipeline[-1]
    axes = plot_history(fitted_pipeline)
    assert len(axes) == 2
    for ax, metric in zip(axes, ["loss", "accuracy"]):
        lines = {line.get_label(): line for line in ax.get_lines()}
        assert set(lines) == {"training", "validation", f"best epoch ({clf.best_epoch_ + 1})"}
        np.testing.assert_allclose(lines["training"].get_ydata(), clf.history_[metric])
        np.testing.assert_allclose(lines["validation"].get_ydata(), clf.history_[f"val_{metric}"])
        np.testing.assert_array_equal(lines["training"].get_xdata(), [1, 2, 3, 4])
        assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == metric
    path = tmp_path / "history.png"
    axes[0].figure.savefig(path)
    assert path.stat().st_size > 5000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_plot_history_into_given_axes(fitted_pipeline):
    clf = fitted_pipeline[-1]
    fig, ax = plt.subplots()
    out = plot_history(clf, ax=ax, metrics="loss")
    assert out[0] is ax and len(fig.axes) == 1
    assert [line.get_label() for line in ax.get_lines()][:2] == ["training", "validation"]
    with pytest.raises(ValueError, match="ax holds 1 Axes for 2 metrics"):
        plot_history(clf, ax=ax)


def test_plot_history_without_validation():
    from types import SimpleNamespace

    fitted = SimpleNamespace(history_={"loss": [2.0, 1.0, 0.5], "accuracy": [0.3, 0.6, 0.9]})
    axes = plot_history(fitted)
    assert [line.get_label() for line in axes[0].get_lines()] == ["training"]


def test_plot_history_errors():
    pytest.importorskip("keras")
    from skspeech.models import Conv1DClassifier

    with pytest.raises(NotFittedError):
        plot_history(Conv1DClassifier())
    X = np.random.default_rng(0).standard_normal((10, 3))
    svc = make_pipeline(SVC()).fit(X, [0, 1] * 5)
    with pytest.raises(ValueError,
                       match=r"got Pipeline \(its final estimator is SVC\), which has none"):
        plot_history(svc)
    from types import SimpleNamespace

    with pytest.raises(ValueError, match=r"history_ has no \['auc'\]"):
        plot_history(SimpleNamespace(history_={"loss": [1.0]}), metrics=("auc",))


def test_missing_matplotlib_gives_install_hint():
    code = (
        "import sys\n"
        "sys.modules['matplotlib'] = None\n"
        "sys.modules['matplotlib.pyplot'] = None\n"
        "from types import SimpleNamespace\n"
        "from skspeech.plotting import plot_history\n"
        "try:\n"
        "    plot_history(SimpleNamespace(history_={'loss': [1.0], 'accuracy': [0.5]}))\n"
        "except ImportError as exc:\n"
        "    print('ImportError:', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    assert "pip install 'skspeech[plot]'" in out.stdout


@pytest.fixture(scope="module")
def tones():
    from conftest import make_tone_commands

    return make_tone_commands(n_per_class=8, sr=8000)


def _curves(axes):
    """{title: training curve} of each panel."""
    return {ax.get_title(): next(line.get_ydata() for line in ax.get_lines()
                                 if line.get_label() == "training") for ax in np.ravel(axes)}


@pytest.mark.slow
def test_plot_history_draws_every_network_recipe(tones):
    """conv1d_pipeline, kws_pipeline (inside its AugmentedClassifier), the 2-D network and an
    ensemble (a row per network; its SVM member has no epochs)."""
    pytest.importorskip("keras")
    from skspeech._inspection import classifiers
    from skspeech.pipelines import conv1d_pipeline, ensemble_pipeline, kws_pipeline

    X, y = tones
    tiny = dict(stem_filters=4, filters=(4,), strides=1, epochs=2, random_state=0)
    recipes = [conv1d_pipeline(sr=8000, duration=0.5, filters=(4,), kernel_sizes=3,
                               dense_units=(8,), epochs=2, random_state=0),
               kws_pipeline(sr=8000, duration=0.5, n_copies=1, **tiny),
               kws_pipeline(sr=8000, duration=0.5, n_copies=1, conv="2d", **tiny)]
    assert type(recipes[1]).__name__ == "AugmentedClassifier"  # the default: no history_
    for model in recipes:
        model.fit(X, y)
        net = classifiers(model)[0][1]
        axes = plot_history(model)
        assert axes.shape == (2,)
        curves = _curves(axes)
        np.testing.assert_allclose(curves["Loss"], net.history_["loss"])
        np.testing.assert_allclose(curves["Accuracy"], net.history_["accuracy"])
        plt.close("all")

    ensemble = ensemble_pipeline(sr=8000, duration=0.5, hmm=False, epochs=2, random_state=0)
    small = {f"{member}__estimator__kws__{key}": value for member in ("kws", "kws2")
             for key, value in tiny.items() if key != "random_state"}
    ensemble.set_params(**small, svm__svc__cv=2).fit(X, y)
    axes = plot_history(ensemble)
    assert axes.shape == (2, 2)  # the two networks; the SVM has no training history
    curves = _curves(axes)
    assert set(curves) == {"kws: Loss", "kws: Accuracy", "kws2: Loss", "kws2: Accuracy"}
    for member in ("kws", "kws2"):
        net = ensemble.named_estimators_[member].estimator_[-1]
        np.testing.assert_allclose(curves[f"{member}: Loss"], net.history_["loss"])
    with pytest.raises(ValueError, match=r"ax holds 2 Axes for 2 metrics.*one Axes per network "
                                         r"and metric \(2 networks\)"):
        plot_history(ensemble, ax=axes[0])


def test_plot_history_refuses_svm_and_hmm_recipes(tones):
    from skspeech.pipelines import hmm_pipeline, svm_pipeline

    X, y = tones
    svm = svm_pipeline(sr=8000, probability=False).fit(X, y)
    with pytest.raises(ValueError, match=r"got SpeechPipeline \(its final estimator is SVC\), "
                                         r"which has none.*without epochs"):
        plot_history(svm)
    hmm = hmm_pipeline(sr=8000, n_states=2, n_iter=2, augment=True, random_state=0)
    with pytest.raises(NotFittedError):
        plot_history(hmm)
    hmm.set_params(augmenter__n_copies=1).fit(X, y)
    with pytest.raises(ValueError, match=r"got AugmentedClassifier \(its final estimator is "
                                         r"HMMClassifier\), which has none"):
        plot_history(hmm)
