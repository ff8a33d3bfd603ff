"""Conv1DClassifier and conv1d_pipeline: scikit-learn behaviour, training, pickling, errors."""

import json
import os
import pickle
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("scikeras")
pytestmark = pytest.mark.slow  # Keras training (STYLE.md 7): the slow run

import joblib  # noqa: E402
from conftest import flat_weights, make_tone_commands, weight_recorder  # noqa: E402
from sklearn.base import clone, is_classifier  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold, check_cv  # noqa: E402
from sklearn.utils import get_tags  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from skspeech.exceptions import InvalidAudioError  # noqa: E402
from skspeech.models import Conv1DClassifier  # noqa: E402
from skspeech.pipelines import conv1d_pipeline  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# Labels whose sorted order differs from their order of appearance.
CLASSES = ("zeta", "alpha", "mid")
# A tiny net on 0.5 s of 8 kHz audio: about 1 s per few epochs.
TINY = dict(filters=(4, 8), kernel_sizes=9, pool_size=4, dense_units=(16,),
            global_pooling="max", learning_rate=0.03, batch_size=16)


@pytest.fixture(scope="module")
def tones():
    """36 equal-length clips (0.5 s at 8 kHz), sorted by label."""
    return make_tone_commands(n_per_class=12, sr=8000, ragged=False, classes=CLASSES)


@pytest.fixture(scope="module")
def fitted(tones):
    X, y = tones
    return Conv1DClassifier(**TINY, epochs=15, validation_fraction=None, random_state=0).fit(X, y)


def _n_classes_in_fold(estimator, X, y):
    """A 'score' that tells which labels a CV test fold holds."""
    return len(np.unique(y))


# --- scikit-learn citizenship -------------------------------------------------

def test_is_classifier_and_tags():
    clf = Conv1DClassifier()
    assert is_classifier(clf)
    tags = get_tags(clf)
    assert tags.estimator_type == "classifier"
    assert tags.classifier_tags is not None and not tags.classifier_tags.multi_label
    assert tags.target_tags.required
    assert not tags.non_deterministic  # a random_state makes fit reproducible (test below)
    assert tags.input_tags.three_d_array


def test_cv_splitter_is_stratified(tones):
    _, y = tones
    assert isinstance(check_cv(5, y, classifier=is_classifier(Conv1DClassifier())),
                      StratifiedKFold)


@pytest.mark.slow
def test_grid_search_stratified_and_parallel(tones):
    """y is sorted by label: KFold's test folds would each hold one label."""
    X, y = tones
    base = Conv1DClassifier(**TINY, epochs=2, validation_fraction=None, random_state=0)
    scoring = {"n_classes": _n_classes_in_fold, "accuracy": "accuracy"}
    results = []
    for n_jobs in (1, 2):  # 2: worker processes, so the estimator must pickle
        search = GridSearchCV(base, {"filters": [(4, 8)]}, cv=3, scoring=scoring,
                              n_jobs=n_jobs, refit=False).fit(X, y)
        n_classes = [search.cv_results_[f"split{i}_test_n_classes"][0] for i in range(3)]
        assert n_classes == [len(CLASSES)] * 3
        results.append([search.cv_results_[f"split{i}_test_accuracy"][0] for i in range(3)])
    # Seeded fits in worker processes give the in-process scores.
    np.testing.assert_allclose(results[0], results[1])


def test_clone_and_set_params_network(tones):
    X, y = tones
    clf = Conv1DClassifier(**TINY, epochs=1, validation_fraction=None)
    other = clone(clf).set_params(filters=(2,), kernel_sizes=5, dense_units=(3,))
    assert clf.filters == (4, 8)
    assert other.get_params()["filters"] == (2,)
    other.fit(X, y)
    assert other.model_.get_layer("conv1").filters == 2
    assert other.model_.get_layer("conv1").kernel_size == (5,)
    assert other.model_.get_layer("dense1").units == 3
    with pytest.raises(ValueError, match="Invalid parameter 'fit' for estimator Conv1DClassifier"):
        clf.set_params(fit__epochs=3)


def test_string_labels_and_predict_proba_order(tones, fitted):
    X, y = tones
    assert list(fitted.classes_) == sorted(CLASSES)
    assert fitted.n_classes_ == 3
    pred = fitted.predict(X)
    assert pred.dtype.kind == "U" and set(pred) <= set(CLASSES)
    # Columns follow classes_: the learned task is only solved with the right order.
    assert np.mean(pred == y) >= 0.9
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(fitted.classes_[proba.argmax(axis=1)], pred)
    for label in CLASSES:
        col = list(fitted.classes_).index(label)
        assert proba[y == label, col].mean() > 0.6


def test_single_clip_shapes_and_speed(tones, fitted):
    X, _ = tones
    assert fitted.predict_proba(X[:1]).shape == (1, 3)  # scikeras would squeeze to (3,)
    assert fitted.predict(X[:1]).shape == (1,)
    assert fitted.predict([X[0]]).shape == (1,)

    def median_ms(fn, n=15):
        fn()
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return 1000 * np.median(times)

    ours = median_ms(lambda: fitted.predict(X[:1]))
    keras_predict = median_ms(lambda: fitted.model_.predict(X[:1, :, None], verbose=0))
    assert ours < 0.5 * keras_predict, (ours, keras_predict)


def test_frame_input(rng):
    X = rng.standard_normal((30, 20, 5)).astype(np.float32)
    y = np.repeat(["a", "b", "c"], 10)
    X[y == "b", :, 0] += 3.0
    clf = Conv1DClassifier(filters=(4,), kernel_sizes=3, pool_size=2, dense_units=(8,),
                           epochs=2, validation_fraction=None, random_state=0).fit(X, y)
    assert clf.model_.input_shape == (None, 20, 5)
    assert not hasattr(clf, "n_features_in_")
    assert clf.X_shape_ == (30, 20, 5)
    # A list of equal-shape frame sequences is the same input.
    np.testing.assert_allclose(clf.predict_proba(list(X[:4])), clf.predict_proba(X[:4]),
                               rtol=1e-6)
    with pytest.raises(ValueError, match=r"frames of shape \(21, 5\).*fitted on \(20, 5\)"):
        clf.predict(rng.standard_normal((2, 21, 5)))
    with pytest.raises(ValueError, match="X holds waveforms.*fitted on feature frames"):
        clf.predict(rng.standard_normal((2, 20)))


def test_network_options(rng):
    X = (5.0 + 2.0 * rng.standard_normal((40, 16, 3))).astype(np.float32)
    y = np.repeat(["a", "b"], 20)
    template = keras.optimizers.SGD(learning_rate=0.5, momentum=0.9)
    clf = Conv1DClassifier(filters=(4, 4), kernel_sizes=(3, 5), pool_size=(2, None),
                           batch_norm=True, global_pooling="avg", input_normalization=True,
                           optimizer=template, learning_rate=0.02, epochs=1,
                           validation_fraction=None, random_state=0).fit(X, y)
    names = [layer.name for layer in clf.model_.layers]
    assert {"batch_norm1", "batch_norm2", "global_avg_pool", "max_pool1"} <= set(names)
    assert "max_pool2" not in names and "flatten" not in names
    assert clf.model_.get_layer("conv2").kernel_size == (5,)
    opt = clf.model_.optimizer
    assert isinstance(opt, keras.optimizers.SGD) and opt is not template
    assert opt.momentum == pytest.approx(0.9)
    assert float(opt.learning_rate) == pytest.approx(0.02)
    assert not template.built  # the template is never trained
    norm = clf.model_.get_layer("input_normalization")
    np.testing.assert_allclose(np.ravel(norm.mean), X.mean(axis=(0, 1)), rtol=1e-4)
    np.testing.assert_allclose(np.ravel(norm.variance), X.var(axis=(0, 1)), rtol=1e-3)


# --- training -----------------------------------------------------------------

def test_early_stopping_restores_best_epoch(rng):
    # Random labels: the network memorises the training split and the
    # validation loss soon rises, so training stops before max epochs.
    X = rng.standard_normal((60, 64)).astype(np.float32)
    y = rng.choice(["a", "b"], size=60)
    recorder = weight_recorder()
    clf = Conv1DClassifier(filters=(8,), kernel_sizes=3, pool_size=2, dropout=0.0,
                           dense_units=(64,), dense_dropout=0.0, learning_rate=0.01,
                           epochs=60, patience=3, validation_fraction=0.25,
                           callbacks=[recorder], random_state=0).fit(X, y)
    n_epochs = len(clf.history_["loss"])
    assert n_epochs < 60
    assert set(clf.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == n_epochs for v in clf.history_.values())
    best = int(np.argmin(clf.history_["val_loss"]))
    assert clf.best_epoch_ == best
    assert n_epochs == best + 1 + 3  # stopped after `patience` epochs without improvement
    final = flat_weights(clf.model_)
    np.testing.assert_array_equal(final, recorder.weights[best])
    assert not np.array_equal(final, recorder.weights[-1])


def test_no_validation_trains_every_epoch(tones):
    X, y = tones
    clf = Conv1DClassifier(**TINY, epochs=3, validation_fraction=None).fit(X, y)
    assert set(clf.history_) == {"loss", "accuracy"}
    assert len(clf.history_["loss"]) == 3 and clf.best_epoch_ == 2


def test_validation_split_is_stratified(tones, fitted):
    X, y = tones
    clf = Conv1DClassifier(**TINY, epochs=1, validation_fraction=0.25, random_state=0)
    clf.fit(X, y)
    y_int = np.searchsorted(clf.classes_, y)  # sorted by label, as FSDD is
    train, val = clf._validation_split(y_int)
    assert len(val) == 9 and len(np.intersect1d(train, val)) == 0
    np.testing.assert_array_equal(np.bincount(y_int[val]), [3, 3, 3])
    few = np.array(["a", "a", "b", "b", "b", "c"])
    with pytest.raises(ValueError, match="class 'c' has 1 clip.*validation_fraction=None"):
        Conv1DClassifier(**TINY).fit(X[:6], few)


def test_random_state_repeatable(tones):
    X, y = tones
    params = dict(TINY, epochs=2, validation_fraction=0.25)
    np_state, py_state = np.random.get_state(), random.getstate()
    a = Conv1DClassifier(**params, random_state=1).fit(X, y)
    # The estimator's seed does not reseed the user's program.
    assert random.getstate() == py_state
    np.testing.assert_array_equal(np.random.get_state()[1], np_state[1])
    from keras.src.utils.rng_utils import get_random_seed

    assert get_random_seed() is None
    from tensorflow.python.framework import config as tf_config

    assert not tf_config.is_op_determinism_enabled()  # switched on for the fit only
    b = Conv1DClassifier(**params, random_state=1).fit(X, y)
    c = Conv1DClassifier(**params, random_state=2).fit(X, y)
    np.testing.assert_array_equal(flat_weights(a.model_), flat_weights(b.model_))
    assert a.history_ == b.history_
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(flat_weights(a.model_), flat_weights(c.model_))


def test_random_state_instance_draws_a_seed():
    from skspeech.models._keras_nets import seed_from as _seed_from

    # scikeras draws randint(low=1) from a RandomState: always 0, whatever the state.
    seeds = [_seed_from(np.random.RandomState(s)) for s in (5, 5, 6)]
    assert seeds[0] == seeds[1] != seeds[2]
    assert _seed_from(7) == 7 and _seed_from(None) is None


def test_warm_start_and_partial_fit(tones):
    X, y = tones
    clf = Conv1DClassifier(**TINY, epochs=2, validation_fraction=None, warm_start=True,
                           random_state=0).fit(X, y)
    model = clf.model_
    before = flat_weights(model)
    clf.fit(X, y)
    assert clf.model_ is model and not np.array_equal(before, flat_weights(model))
    assert list(clf.classes_) == sorted(CLASSES)  # scikeras leaves None after a warm fit
    with pytest.raises(ValueError, match=r"does not know: \['new'\]; its classes are \['"):
        clf.fit(X[:3], ["new", "zeta", "mid"])

    part = Conv1DClassifier(**TINY, random_state=0)
    part.partial_fit(X[y == "zeta"], y[y == "zeta"], classes=list(CLASSES))
    part.partial_fit(X, y)
    assert len(part.history_["loss"]) == 2 and "val_loss" not in part.history_
    assert list(part.classes_) == sorted(CLASSES)
    assert part.predict_proba(X).shape == (len(X), 3)


def test_sample_and_class_weight(tones):
    X, y = tones
    params = dict(TINY, epochs=1, validation_fraction=0.25, random_state=0)
    weighted = Conv1DClassifier(**params).fit(X, y, sample_weight=np.where(y == "zeta", 5, 1))
    by_class = Conv1DClassifier(**params, class_weight={"zeta": 5, "alpha": 1, "mid": 1})
    by_class.fit(X, y)
    plain = Conv1DClassifier(**params).fit(X, y)
    assert weighted.history_ == by_class.history_
    assert weighted.history_["loss"] != plain.history_["loss"]


def test_verbose_progress_bar(tones, capsys):
    X, y = tones
    Conv1DClassifier(**TINY, epochs=2, validation_fraction=None, verbose=1).fit(X, y)
    err = capsys.readouterr().err
    assert "Conv1DClassifier" in err and "2/2" in err and "epoch" in err
    Conv1DClassifier(**TINY, epochs=1, validation_fraction=None).fit(X, y)
    captured = capsys.readouterr()
    assert "epoch" not in captured.err and captured.out == ""


# --- errors before TensorFlow -------------------------------------------------

@pytest.mark.parametrize("X_fn, y_fn, exc, match", [
    (lambda X: X[0], None, InvalidAudioError, "Reshape your data"),
    (lambda X: X[:, :, None, None], None, InvalidAudioError, r"got an array of shape \(36,"),
    (lambda X: np.where(np.arange(X.shape[1]) == 5, np.nan, X), None, ValueError, "NaN"),
    (lambda X: [x[: 3000 + 10 * i] for i, x in enumerate(X)], None, InvalidAudioError,
     r"different lengths \(3000 to 3350\).*PadTrim"),
    (lambda X: X[:, :300], None, ValueError, "X has 300 feature.*needs at least 357"),
    (None, lambda y: np.full(len(y), "a"), ValueError, "needs at least 2 classes"),
    (None, lambda y: np.c_[y, y], ValueError, "one label per clip"),
    (None, lambda y: np.linspace(0, 1, len(y)), ValueError, "Unknown label type"),
    (None, lambda y: y[:-1], ValueError, "inconsistent numbers of samples"),
    (None, lambda y: None, ValueError, "requires y to be passed"),
])
def test_fit_errors_before_tensorflow(tones, X_fn, y_fn, exc, match):
    X, y = tones
    X = X if X_fn is None else X_fn(X)
    y = y if y_fn is None else y_fn(y)
    clf = Conv1DClassifier(epochs=1)
    with pytest.raises(exc, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")


@pytest.mark.parametrize("params, exc, match", [
    (dict(filters=(0, 4)), ValueError, "filters must be positive ints"),
    (dict(filters=(4,), kernel_sizes=(3, 3)), ValueError, "kernel_sizes has 2 values"),
    (dict(optimizer="fancy"), InvalidParameterError, "'optimizer' parameter"),
    (dict(learning_rate=0), InvalidParameterError, "'learning_rate' parameter"),
    (dict(validation_fraction=1.0), InvalidParameterError, "'validation_fraction'"),
    (dict(global_pooling="mean"), InvalidParameterError, "'global_pooling'"),
    (dict(callbacks=["tensorboard"]), ValueError, "keras.callbacks.Callback"),
])
def test_parameter_errors(tones, params, exc, match):
    X, y = tones
    clf = Conv1DClassifier(**params)
    with pytest.raises(exc, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")


def test_predict_errors(tones, fitted):
    X, _ = tones
    with pytest.raises(NotFittedError):
        Conv1DClassifier().predict(X)
    with pytest.raises(ValueError, match=r"X has 3999 features, but Conv1DClassifier is "
                                         r"expecting 4000 features.*PadTrim\(target_length"):
        fitted.predict(X[:, :-1])
    with pytest.raises(ValueError, match="fitted on waveforms"):
        fitted.predict(X[:, :, None])
    with pytest.raises(ValueError, match="NaN"):
        fitted.predict_proba(np.full((1, 4000), np.nan))


# --- pickling and lazy import ---------------------------------------------------

def test_pickle_drops_optimizer_state(tones, fitted):
    X, _ = tones
    from scikeras._saving_utils import pack_keras_model

    assert int(fitted.model_.optimizer.iterations) > 0
    blob = pickle.dumps(fitted)
    loaded = pickle.loads(blob)
    # The pickled network carries no optimizer (Adam keeps two more copies of
    # every weight): it loads uncompiled, ready to predict.
    assert not loaded.model_.compiled
    with_optimizer = pack_keras_model(fitted.model_)[1][0].nbytes  # what scikeras pickles
    assert len(blob) <= with_optimizer - 2 * 4 * fitted.model_.count_params()
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    assert int(fitted.model_.optimizer.iterations) > 0  # the fitted object is untouched
    # Training after loading compiles a fresh optimizer.
    loaded.set_params(warm_start=True, epochs=1).fit(X[::2], fitted.predict(X[::2]))
    assert loaded.model_.compiled and int(loaded.model_.optimizer.iterations) > 0


@pytest.mark.slow
def test_joblib_round_trip_fresh_process(tones, fitted, tmp_path):
    X, _ = tones
    path = tmp_path / "clf.joblib"
    joblib.dump(fitted, path)
    np.save(tmp_path / "X.npy", X[:7])
    code = (
        "import json, sys, joblib, numpy as np\n"
        f"clf = joblib.load({str(path)!r})\n"
        f"X = np.load({str(tmp_path / 'X.npy')!r})\n"
        "print(json.dumps({'pred': clf.predict(X).tolist(),"
        " 'proba': clf.predict_proba(X).tolist()}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["pred"] == fitted.predict(X[:7]).tolist()
    np.testing.assert_allclose(result["proba"], fitted.predict_proba(X[:7]), rtol=1e-6)


def _run_python(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})


def test_imports_do_not_load_tensorflow():
    out = _run_python(
        "import sys\n"
        "import skspeech, skspeech.models, skspeech.pipelines\n"
        "from skspeech.pipelines import conv1d_pipeline\n"
        "import skspeech.plotting\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'scikeras', 'matplotlib') "
        "if m in sys.modules]\n"
        "print('loaded:', heavy)\n"
    )
    assert out.returncode == 0, out.stderr
    assert "loaded: []" in out.stdout


def test_missing_keras_gives_install_hint():
    out = _run_python(
        "import sys\n"
        "for name in ('keras', 'scikeras', 'scikeras.wrappers', 'tensorflow'):\n"
        "    sys.modules[name] = None\n"
        "from skspeech.utils import all_estimators\n"
        "assert 'Conv1DClassifier' not in dict(all_estimators())\n"
        "for stmt in ('from skspeech.models import Conv1DClassifier',\n"
        "             'from skspeech.pipelines import conv1d_pipeline; conv1d_pipeline()'):\n"
        "    try:\n"
        "        exec(stmt)\n"
        "    except ImportError as exc:\n"
        "        print('ImportError:', exc)\n"
    )
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if line.startswith("ImportError")]
    assert len(lines) == 2
    assert all("pip install 'skspeech[keras]'" in line for line in lines)


# --- the pipeline -------------------------------------------------------------

def test_conv1d_pipeline_recipes():
    raw = conv1d_pipeline("raw", sr=16000)
    assert [n for n, _ in raw.steps] == ["guard", "resample", "padtrim", "features", "cmvn",
                                             "conv1d"]
    assert raw.named_steps["resample"].get_params() == {"orig_sr": 16000, "target_sr": 8000}
    assert raw.named_steps["padtrim"].get_params()["duration"] == 1.0
    assert raw.named_steps["padtrim"].get_params()["sr"] == 8000
    net = raw.named_steps["conv1d"]
    assert net.filters == (8, 16, 32, 64) and net.kernel_sizes == (13, 11, 9, 7)
    assert net.dense_units == (256, 128) and net.global_pooling is None

    mfcc = conv1d_pipeline(sr=8000, random_state=3, filters=(8,))
    assert mfcc.named_steps["resample"] == "passthrough"
    assert type(mfcc.named_steps["features"]).__name__ == "MFCC"
    assert mfcc.named_steps["features"].sr == 8000
    assert mfcc.named_steps["conv1d"].filters == (8,)
    assert mfcc.named_steps["conv1d"].input_normalization
    assert mfcc.named_steps["conv1d"].random_state == 3
    logmel = conv1d_pipeline("logmel", cmvn=True)
    assert logmel.named_steps["features"].n_mels == 26
    assert type(logmel.named_steps["cmvn"]).__name__ == "CMVN"
    with pytest.raises(ValueError, match="features must be one of"):
        conv1d_pipeline("spectrogram")
    with pytest.raises(ValueError, match="cmvn=True normalises feature frames"):
        conv1d_pipeline("raw", cmvn=True)
    with pytest.raises(ValueError, match="sr must be the sample rate"):
        conv1d_pipeline(sr=0)


@pytest.mark.parametrize("features, net, input_shape", [
    ("mfcc", dict(filters=(8,), kernel_sizes=3), (49, 13)),
    ("logmel", dict(filters=(8,), kernel_sizes=3), (49, 26)),
    ("raw", dict(filters=(4, 8), kernel_sizes=9, pool_size=4, global_pooling="max"), (4000, 1)),
])
def test_conv1d_pipeline_fit_and_joblib(features, net, input_shape, tmp_path):
    X, y = make_tone_commands(n_per_class=10, sr=8000, classes=CLASSES)  # ragged clips
    model = conv1d_pipeline(features, sr=8000, duration=0.5, epochs=25, random_state=0,
                            dense_units=(16,), learning_rate=0.03, validation_fraction=None,
                            **net)
    model.fit(X, y)
    assert np.mean(model.predict(X) == y) >= 0.9
    assert model.named_steps["conv1d"].model_.input_shape == (None, *input_shape)
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), rtol=1e-6)


def test_training_data_is_where_training_input_is_prepared(tones):
    """The one seam between the clips and keras.Model.fit: a subclass may feed it batches."""
    X, y = tones

    class Batches(keras.utils.PyDataset):
        def __init__(self, x, y, batch_size):
            super().__init__()
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return (len(self.x) + self.batch_size - 1) // self.batch_size

        def __getitem__(self, i):
            part = slice(i * self.batch_size, (i + 1) * self.batch_size)
            return self.x[part], self.y[part]

    class Streamed(Conv1DClassifier):
        def _training_data(self, X, y, sample_weight, *, validate, **options):
            data = super()._training_data(X, y, sample_weight, validate=validate, **options)
            self.batches_ = Batches(data["x"], data["y"], self.batch_size)
            return {"x": self.batches_, "validation_data": data["validation_data"]}

    clf = Streamed(**TINY, epochs=2, validation_fraction=0.25, random_state=0).fit(X, y)
    assert clf.batches_.x.shape == (27, 4000, 1)  # the training split, channel axis added
    assert len(clf.history_["val_loss"]) == 2
    assert clf.predict_proba(X[:2]).shape == (2, 3)
