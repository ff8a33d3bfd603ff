"""Fitting on clips read batch by batch (AudioFiles): the Pipeline's own front end, the same
features and predictions as in memory, fresh augmentation every epoch."""

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from conftest import make_tone_commands
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.preprocessing import FunctionTransformer

from skspeech.augment import WaveAugmenter
from skspeech.augment._stream import AugmentedClips, augment_lazily
from skspeech.features import CMVN, LogMelSpectrogram
from skspeech.io import AudioFiles, write_audio
from skspeech.pipelines import SpeechPipeline, svm_pipeline
from skspeech.pipelines._kws import relative_log_level
from skspeech.pipelines._streamed import TransformedClips
from skspeech.preprocessing import GarbageGuard, PadTrim

SR = 8000


@pytest.fixture
def commands(tmp_path):
    """30 ragged tone clips of 3 classes, in memory and as files."""
    X, y = make_tone_commands(n_per_class=10, sr=SR)
    paths = []
    for k, x in enumerate(X):
        paths.append(tmp_path / f"{k:02d}.wav")
        write_audio(paths[-1], x, SR, subtype="FLOAT")
    return X, y, AudioFiles(paths, sr=SR)


class Recorder(ClassifierMixin, BaseEstimator):
    """Keeps what fit was given; predicts the first class."""

    def fit(self, X, y):
        self.X_, self.classes_ = X, np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _front_end():
    return [("guard", GarbageGuard(sr=SR)), ("padtrim", PadTrim(duration=0.5, sr=SR)),
            ("features", LogMelSpectrogram(sr=SR, n_mels=20)),
            ("level", FunctionTransformer(relative_log_level, kw_args={"top_db": 80.0})),
            ("cmvn", CMVN(variance=True))]


def test_the_last_step_gets_the_front_ends_features_batch_by_batch(commands):
    X, y, files = commands
    streamed = SpeechPipeline(_front_end() + [("clf", Recorder())]).fit(files, y)
    Xt = streamed.named_steps["clf"].X_
    assert isinstance(Xt, TransformedClips) and len(Xt) == len(y)
    # the Pipeline's own fitted steps compute the batches
    assert [step for _, step in Xt.steps] == [step for _, step in streamed.steps[:-1]]
    in_memory = SpeechPipeline(_front_end()).fit_transform(X, y)
    np.testing.assert_array_equal(Xt.read(), in_memory)
    np.testing.assert_array_equal(Xt.read([7, 2]), in_memory[[7, 2]])
    guard = streamed.named_steps["guard"]
    assert guard.max_length_ == GarbageGuard(sr=SR).fit(X, y).max_length_


def test_svm_recipe_fits_and_predicts_the_same_from_files(commands):
    X, y, files = commands
    proba_files = svm_pipeline(sr=SR).fit(files, y).predict_proba(files)
    proba_memory = svm_pipeline(sr=SR).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(proba_files, proba_memory, atol=1e-12)
    groups = np.arange(len(y)) % 5
    scores = cross_val_score(svm_pipeline(sr=SR), files, y, groups=groups, cv=GroupKFold(5))
    np.testing.assert_allclose(scores, cross_val_score(svm_pipeline(sr=SR), X, y, groups=groups,
                                                       cv=GroupKFold(5)))
    model = pickle.loads(pickle.dumps(svm_pipeline(sr=SR).fit(files, y)))
    assert model.score(files, y) == pytest.approx(np.mean(model.predict(X) == y))


def test_fit_parameters_of_other_steps_are_refused(commands):
    _, y, files = commands
    with pytest.raises(ValueError, match="fit parameters to the last step only.*'guard__x'"):
        SpeechPipeline(_front_end() + [("clf", Recorder())]).fit(files, y, guard__x=1)


def test_augmented_copies_are_fresh_every_epoch_and_repeatable(commands):
    X, y, files = commands
    aug = WaveAugmenter(sr=SR, n_copies=2, random_state=0, tempo=(0.8, 1.25), eq=(-8, 8))
    clips, y_out = augment_lazily(files, y, aug)
    n = len(files)
    assert isinstance(clips, AugmentedClips) and len(clips) == 3 * n
    np.testing.assert_array_equal(y_out, np.concatenate([y] * 3))
    a = clips.read([n + 4, 2 * n + 1, 3], epoch=0)
    b = clips.read([3, n + 4, 2 * n + 1], epoch=0)  # another batch order: the same draws
    np.testing.assert_array_equal(a[0], b[1])
    np.testing.assert_array_equal(a[1], b[2])
    np.testing.assert_array_equal(a[2], X[3])  # the clip itself
    again = pickle.loads(pickle.dumps(clips)).read([n + 4], epoch=0)
    np.testing.assert_array_equal(again[0], a[0])
    fresh = clips.read([n + 4], epoch=1)
    assert not np.array_equal(fresh[0][:1000], a[0][:1000])  # a new draw next epoch
    origin, is_copy = clips.origins()
    assert origin[n + 4] == 4 and is_copy[n + 4] and not is_copy[4]
    origin, is_copy = clips[np.array([2 * n + 1, 1])].origins()
    np.testing.assert_array_equal(origin, [1, 1])
    np.testing.assert_array_equal(is_copy, [True, False])


def test_augmenter_parameters_are_checked_before_reading(commands):
    _, y, files = commands
    with pytest.raises(ValueError, match="tempo factors must be within 0.25-4"):
        augment_lazily(files, y, WaveAugmenter(sr=SR, tempo=(0.1, 1.0)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        augment_lazily(files, y[:-1], WaveAugmenter(sr=SR))


# -- the networks -------------------------------------------------------------------------
TINY = dict(stem_filters=8, filters=(8, 8), strides=(1, 2), kernel_sizes=5)


def _kws(**kwargs):
    pytest.importorskip("scikeras")
    from skspeech.pipelines import kws_pipeline

    return kws_pipeline(sr=SR, duration=0.5, n_mels=20, random_state=0, **TINY, **kwargs)


@pytest.mark.slow
def test_streamed_network_learns_what_it_learns_in_memory(commands):
    X, y, files = commands
    # one batch of every clip, no dropout and no in-network augmentation: the batch order,
    # the one thing streaming changes, cannot matter
    kwargs = dict(augment=False, epochs=2, batch_size=64, dropout=0.0, validation_fraction=None)
    streamed = _kws(**kwargs).fit(files, y)
    in_memory = _kws(**kwargs).fit(X, y)
    np.testing.assert_allclose(streamed.predict_proba(files), in_memory.predict_proba(X),
                               atol=1e-5)
    np.testing.assert_allclose(streamed[-1].history_["loss"], in_memory[-1].history_["loss"],
                               rtol=1e-5)
    assert streamed[-1].X_shape_ == in_memory[-1].X_shape_ == (30, 49, 20)


@pytest.mark.slow
def test_streamed_training_with_fresh_copies_and_a_validation_split(commands, tmp_path):
    import joblib

    X, y, files = commands
    model = _kws(epochs=2, batch_size=16, n_copies=1, patience=None).fit(files, y)
    net = model.estimator_[-1]
    assert model.n_train_ == 60 and len(net.history_["val_loss"]) == 2
    assert 0 <= net.best_epoch_ <= 1
    proba = model.predict_proba(files)
    assert proba.shape == (30, 3) and np.allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-6)
    path = tmp_path / "m.joblib"
    joblib.dump(model, path)
    assert path.stat().st_size < 2_000_000  # the weights, not the clips
    np.testing.assert_allclose(joblib.load(path).predict_proba(files), proba, atol=1e-6)


def test_streamed_batches_split_copies_with_their_clip(commands):
    pytest.importorskip("scikeras")
    from skspeech.models import KWSClassifier
    from skspeech.models._batches import _train_validation_split

    _, y, files = commands
    clips, y_out = augment_lazily(files, y, WaveAugmenter(sr=SR, n_copies=2, random_state=0))
    net = KWSClassifier(validation_fraction=0.2, random_state=0)
    net.classes_, net.n_classes_, net._random_state = np.unique(y), 3, 0
    train, val = _train_validation_split(clips, np.searchsorted(np.unique(y), y_out),
                                         net._validation_split)
    origin, is_copy = clips.origins()
    assert not set(origin[train]) & set(origin[val])  # a clip and its copies on one side
    assert not is_copy[val].any() and len(val) == 6 and len(train) == 72


class _StopAt:
    """A Keras callback raising KeyboardInterrupt (Ctrl-C) as epoch ``epoch`` begins."""

    def __new__(cls, epoch):
        import keras

        class Stop(keras.callbacks.Callback):
            def on_epoch_begin(self, e, logs=None):
                if e == epoch:
                    raise KeyboardInterrupt

        return Stop()


@pytest.mark.slow
def test_an_interrupted_run_resumes_from_its_checkpoint(commands, tmp_path):
    from skspeech.models._checkpoint import TrainingCheckpoint

    _, y, files = commands
    folder = tmp_path / "ck"
    kwargs = dict(epochs=4, batch_size=16, n_copies=1, patience=None)
    model = _kws(**kwargs)
    model.set_params(estimator__kws__callbacks=[TrainingCheckpoint(folder), _StopAt(2)])
    with pytest.raises(KeyboardInterrupt):
        model.fit(files, y)
    assert TrainingCheckpoint(folder).saved_epochs() == 2
    assert {"epoch2.weights.h5", "state.json"} <= {p.name for p in folder.iterdir()}
    full = _kws(**kwargs).fit(files, y).estimator_[-1]
    resumed = _kws(**kwargs)
    resumed.set_params(estimator__kws__callbacks=[TrainingCheckpoint(folder, resume=True)])
    net = resumed.fit(files, y).estimator_[-1]
    assert {k: len(v) for k, v in net.history_.items()} == {
        k: 4 for k in full.history_}  # 2 epochs from the checkpoint, 2 run now
    # the epochs before the interruption are the uninterrupted run's
    np.testing.assert_allclose(net.history_["val_loss"][:2], full.history_["val_loss"][:2],
                               rtol=1e-6)
    np.testing.assert_allclose(net.history_["learning_rate"], full.history_["learning_rate"])
    assert net.best_epoch_ == int(np.argmin(net.history_["val_loss"]))
    with pytest.raises(ValueError, match="checkpoint .* is of another run"):
        other = _kws(**kwargs)
        other.set_params(estimator__kws__callbacks=[
            TrainingCheckpoint(folder, resume=True, fingerprint={"seed": 1})])
        other.fit(files, y)


@pytest.mark.slow
def test_a_checkpoint_caches_the_features_of_the_clips_themselves(commands, tmp_path):
    from skspeech.models._checkpoint import TrainingCheckpoint

    X, y, files = commands
    folder = tmp_path / "ck"
    model = _kws(epochs=2, batch_size=16, n_copies=1, patience=None)
    model.set_params(estimator__kws__callbacks=[TrainingCheckpoint(folder, cache_features=True)])
    model.fit(files, y)
    cache = np.fromfile(folder / "features.f16", dtype=np.float16).reshape(60, 49, 20)
    filled = json.loads((folder / "features.f16.json").read_text())["filled"]
    assert filled == list(range(30))  # every clip itself; no copy is cached
    features = _kws(augment=False)[:-1].fit(X, y).transform(X)
    np.testing.assert_allclose(cache[:30], features, atol=2e-2, rtol=2e-3)
    assert not cache[30:].any()
    # "all": each copy drawn once (epoch None) and its features kept too
    model.set_params(estimator__kws__callbacks=[TrainingCheckpoint(folder, cache_features="all")])
    model.fit(files, y)
    filled = json.loads((folder / "features.f16.json").read_text())["filled"]
    cache = np.fromfile(folder / "features.f16", dtype=np.float16).reshape(60, 49, 20)
    net = model.estimator_[-1]
    copies, _ = augment_lazily(files, y, model.augmenter)
    fixed = TransformedClips(copies, model.estimator_.steps[:-1]).read(np.arange(30, 60))
    # every row but the copies of the 3 validation clips, which are never read
    assert len(filled) == 57 and len(net.history_["loss"]) == 2
    rows = [i for i in filled if i >= 30]
    np.testing.assert_allclose(cache[rows], fixed[np.array(rows) - 30], atol=2e-2, rtol=2e-3)


@pytest.mark.slow
def test_worker_processes_prepare_the_batches_threads_prepare(commands, tmp_path, monkeypatch):
    from skspeech.models._checkpoint import TrainingCheckpoint

    _, y, files = commands
    runs = {}
    for kind, env in [("threads", "0"), ("processes", "2")]:
        monkeypatch.setenv("SKSPEECH_DATA_PROCESSES", env)
        folder = tmp_path / kind
        model = _kws(epochs=3, batch_size=16, n_copies=1, patience=None)
        model.set_params(estimator__kws__callbacks=[
            TrainingCheckpoint(folder, cache_features=True)])
        net = model.fit(files, y).estimator_[-1]
        filled = json.loads((folder / "features.f16.json").read_text())["filled"]
        cache = np.fromfile(folder / "features.f16", dtype=np.float16)
        runs[kind] = net.history_, filled, cache
    (h_thr, filled_thr, cache_thr), (h_proc, filled_proc, cache_proc) = runs.values()
    # the same fresh copies each epoch, the same batches in the same order: the same losses
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(h_proc[key], h_thr[key], rtol=1e-6)
    # the rows the worker processes computed are known to the main process and kept
    assert filled_proc == filled_thr == list(range(30))
    np.testing.assert_array_equal(cache_proc, cache_thr)


@pytest.mark.parametrize("name, value", [("SKSPEECH_DATA_PROCESSES", "two"),
                                         ("SKSPEECH_DATA_PROCESSES", "-1"),
                                         ("SKSPEECH_DATA_WORKERS", "0")])
def test_bad_data_worker_settings_are_named(monkeypatch, name, value):
    pytest.importorskip("scikeras")
    from skspeech.models._workers import data_workers

    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"{name} must be a whole number"):
        data_workers()


def test_data_workers_are_threads_unless_processes_are_asked_for(monkeypatch):
    pytest.importorskip("scikeras")
    from skspeech.models._workers import data_workers

    monkeypatch.delenv("SKSPEECH_DATA_PROCESSES", raising=False)
    monkeypatch.setenv("SKSPEECH_DATA_WORKERS", "3")
    assert data_workers() == (3, False)
    monkeypatch.setenv("SKSPEECH_DATA_PROCESSES", "2")
    assert data_workers() == (2, True)
    assert data_workers(0) == (3, False) and data_workers(4) == (4, True)  # fit(data_processes=)
    with pytest.raises(ValueError, match="data_processes must be a whole number >= 0"):
        data_workers(-1)


# -- skspeech train -----------------------------------------------------------------------
@pytest.mark.slow
def test_skspeech_train_resumes_an_interrupted_run(tmp_path, monkeypatch, capsys):
    pytest.importorskip("scikeras")
    from test_speech_commands import make_speech_commands_folder

    from skspeech import load_model
    from skspeech.cli import main
    from skspeech.models._checkpoint import TrainingCheckpoint

    root = tmp_path / "sc"
    make_speech_commands_folder(root)
    out = tmp_path / "kws.joblib"
    argv = ["train", str(root), "--model", "kws", "--epochs", "2", "--duration", "0.5",
            "--no-augment", "--words", "yes", "no", "up", "-o", str(out)]
    save = TrainingCheckpoint.on_epoch_end

    def save_then_stop(self, epoch, logs=None):  # Ctrl-C right after epoch 1 is saved
        save(self, epoch, logs)
        raise KeyboardInterrupt

    monkeypatch.setattr(TrainingCheckpoint, "on_epoch_end", save_then_stop)
    assert main(argv) == 130
    err = capsys.readouterr().err
    folder = tmp_path / "kws.joblib.checkpoint"
    assert f"The checkpoint in {folder} keeps the epochs done" in err
    assert json.loads((folder / "state.json").read_text())["epoch"] == 1
    assert (folder / "features.f16").is_file()  # the clips' features, for the next epochs
    assert not out.exists()
    monkeypatch.setattr(TrainingCheckpoint, "on_epoch_end", save)
    assert main(argv) == 1  # a fresh run would throw the checkpoint away: refused
    assert "continue it with --resume" in capsys.readouterr().err
    assert main(argv + ["--resume", "--words", "yes", "no"]) == 1  # another run's checkpoint
    assert "is of another run" in capsys.readouterr().err
    assert main(argv + ["--resume"]) == 0
    captured = capsys.readouterr()
    assert f"Resuming from the checkpoint in {folder} after epoch 1" in captured.err
    assert "Epoch 2/2" in captured.err and "clip/s" in captured.err  # the bar of the epoch
    assert "clips/s)" in captured.out and not folder.exists()
    model, meta = load_model(out, return_metadata=True)
    net = model[-1]
    assert len(net.history_["loss"]) == 2  # the epoch before the interruption, and one more
    assert net.callbacks is None  # the saved model keeps no checkpoint to write into
    assert meta["training"]["clips_per_epoch"] > 0 and meta["training"]["clips_per_second"] > 0
    assert main(["train", str(root), "--model", "svm", "--resume", "-o",
                 str(tmp_path / "s.joblib")]) == 1
    assert "--resume continues an interrupted training of --model kws" in \
        capsys.readouterr().err
    assert main(["train", str(root), "--model", "svm", "--fixed-copies", "-o",
                 str(tmp_path / "s.joblib")]) == 1
    assert "--fixed-copies applies to --model kws" in capsys.readouterr().err


def test_warnings_of_a_batch_say_where_the_batch_starts(commands, tmp_path, monkeypatch):
    import skspeech.pipelines._streamed as streamed
    from skspeech.exceptions import GarbageAudioWarning

    X, y, files = commands
    monkeypatch.setattr(streamed, "READ_CHUNK", 8)
    path = tmp_path / "flat.wav"
    write_audio(path, np.full(4000, 0.5), SR, subtype="FLOAT")  # constant: garbage
    test = AudioFiles(list(files.paths[:10]) + [path], sr=SR)
    model = svm_pipeline(sr=SR).fit(files, y)
    with pytest.warns(GarbageAudioWarning, match=r"Clips 8-10 of X \(indices below from 8\)"
                                                 r": .*Index 2: constant"):
        pred = model.predict(test)
    assert pred.shape == (11,)


def test_the_callbacks_pickle_without_the_network(tmp_path):
    keras = pytest.importorskip("keras")
    from skspeech.models._checkpoint import ClipProgress, TrainingCheckpoint

    net = keras.Sequential([keras.Input((300,)), keras.layers.Dense(300)])
    for callback in (ClipProgress(8), TrainingCheckpoint(tmp_path, fingerprint={"a": 1})):
        callback.set_model(net)  # what fit leaves behind: the model would be pickled again
        back = pickle.loads(pickle.dumps(callback))
        assert len(pickle.dumps(callback)) < 2000 and back._model is None
    assert back.fingerprint == {"a": 1} and back.directory == tmp_path


def test_skspeech_train_prepares_fresh_copies_in_processes_unless_told(monkeypatch):
    pytest.importorskip("scikeras")
    import multiprocessing
    import os

    from skspeech.cli import _train_stream
    from skspeech.models._workers import default_processes

    forks = (multiprocessing.get_start_method(allow_none=True)
             or multiprocessing.get_all_start_methods()[0]) == "fork"
    assert default_processes() == (2 if forks and os.cpu_count() >= 2 else 0)
    model, seen = _kws(), []
    model.set_params(estimator__kws__callbacks=[])
    monkeypatch.setattr(type(model), "fit", lambda self, X, y, **params: seen.append(
        (params.get("kws__data_processes"), os.environ.get("SKSPEECH_DATA_PROCESSES"))) or self)
    monkeypatch.delenv("SKSPEECH_DATA_PROCESSES", raising=False)
    _train_stream.fit(model, None, None, say=print)
    assert seen == [(default_processes(), None)]  # a parameter of the network's fit, no variable
    _train_stream.fit(model, None, None, say=print, redraw_copies=False)
    assert seen[-1] == (0, None)  # cached features: a thread reads them as fast
    monkeypatch.setenv("SKSPEECH_DATA_PROCESSES", "3")  # the user's choice wins
    _train_stream.fit(model, None, None, say=print, redraw_copies=False)
    assert seen[-1] == (None, "3")  # the network's fit reads it


def test_babble_copies_of_lazy_clips_are_repeatable(commands):
    X, y, files = commands
    aug = WaveAugmenter(sr=SR, n_copies=1, random_state=0, snr=(0.0, 0.0), noise_prob=1.0,
                        babble=1.0)
    clips, _ = augment_lazily(files, y, aug)
    n = len(files)
    a = clips.read([n + 2], epoch=0)[0]
    plain, _ = augment_lazily(files, y, aug.set_params(babble=0.0))
    assert not np.allclose(a, plain.read([n + 2], epoch=0)[0])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clips)).read([n + 2], epoch=0)[0], a)
    noise = a[:len(X[2])] - X[2][:len(a)]
    assert np.std(noise) > 0.5 * np.std(X[2])  # at 0 dB the babble is as loud as the clip


def test_lazy_babble_leaves_out_the_clips_that_cannot_be_read(commands, tmp_path):
    """A damaged file is left out of the babble (training reads, skips or refuses it as any
    other clip); when no clip can be read, the copies get no babble and a warning says so."""
    X, y, files = commands
    aug = WaveAugmenter(sr=SR, n_copies=1, random_state=0, snr=(0.0, 0.0), noise_prob=1.0,
                        babble=1.0)
    broken = tmp_path / "01.wav"
    broken.write_bytes(broken.read_bytes()[:20])
    clips, _ = augment_lazily(files, y, aug)
    n = len(files)
    a = clips.read([n + 2], epoch=0)[0]  # the babble is made of the 29 readable clips
    assert np.std(a[:len(X[2])] - X[2][:len(a)]) > 0.5 * np.std(X[2])
    for path in files.paths:
        Path(path).write_bytes(b"RIFF")
    clips, _ = augment_lazily(files, y, aug)
    with pytest.warns(UserWarning, match=r"No babble .* none of the 30 clips"):
        assert clips._checked()[2] is None
