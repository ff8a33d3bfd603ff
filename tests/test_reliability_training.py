"""Streamed training answers bad input as the rest of skspeech does (issue 36): a clip changed
or removed while training is named with what to do, damaged checkpoint files are refused with
their name and the remedy, and a checkpoint folder is locked by the run that writes it.
See docs/bad_input.rst."""

import json
import os
import re

import numpy as np
import pytest
from conftest import make_tone_commands

from skspeech.io import AudioFiles, write_audio

SR = 8000
TINY = dict(stem_filters=4, filters=(4,), kernel_sizes=3, strides=(1,), batch_size=16)


@pytest.fixture
def files(tmp_path):
    X, y = make_tone_commands(n_per_class=10, sr=SR)
    paths = []
    for k, x in enumerate(X):
        paths.append(tmp_path / "clips" / f"{k:02d}.wav")
        paths[-1].parent.mkdir(exist_ok=True)
        write_audio(paths[-1], x, SR, subtype="FLOAT")
    return AudioFiles(paths, sr=SR), y


def _kws(**kwargs):
    pytest.importorskip("scikeras")
    from skspeech.pipelines import kws_pipeline

    return kws_pipeline(sr=SR, duration=0.5, n_mels=20, random_state=0, n_copies=1,
                        patience=None, **TINY, **kwargs)


def _after_epoch(action, epoch=0):
    import keras

    class After(keras.callbacks.Callback):
        def on_epoch_end(self, e, logs=None):
            if e == epoch:
                action()

    return After()


# -- a clip removed or changed while training ---------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("processes", ["0", "2"])
@pytest.mark.parametrize("change", ["remove", "garble"])
def test_clip_changed_during_training_is_named_not_a_graph_error(files, tmp_path, monkeypatch,
                                                                  processes, change):
    from skspeech.exceptions import UnreadableClipError
    from skspeech.models._checkpoint import TrainingCheckpoint

    monkeypatch.setenv("SKSPEECH_DATA_PROCESSES", processes)
    X, y = files
    victim = X.paths[5]

    def act():
        if change == "remove":
            os.remove(victim)
        else:
            with open(victim, "wb") as f:
                f.write(b"overwritten by another program")

    model = _kws(epochs=4)
    model.set_params(estimator__kws__callbacks=[
        TrainingCheckpoint(tmp_path / "ck", cache_features=True), _after_epoch(act)])
    with pytest.raises(UnreadableClipError, match=r"A training clip could not be read in epoch "
                                                  r"[234]: .*'.*05\.wav'.*Restore or replace it, "
                                                  r"or leave it out of the training data") as info:
        model.fit(X, y)
    assert "Graph execution" not in str(info.value) and "np.str_" not in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.slow
def test_clips_that_cannot_be_read_are_left_out_when_asked(files, tmp_path):
    from skspeech.models._checkpoint import TrainingCheckpoint

    X, y = files
    victim = X.paths[3]
    checkpoint = TrainingCheckpoint(tmp_path / "ck", cache_features=True, on_unreadable="skip")
    model = _kws(epochs=4)
    model.set_params(estimator__kws__callbacks=[checkpoint,
                                                _after_epoch(lambda: os.remove(victim))])
    model.fit(X, y)
    assert len(model.estimator_[-1].history_["loss"]) == 4
    skipped = checkpoint.skipped()
    assert len(skipped) == 1 and "03.wav" in skipped[0]  # once, though read in two epochs


# -- damaged checkpoint files -------------------------------------------------------------

@pytest.mark.parametrize("content, problem", [
    ("", "it is empty"),
    ("{\"epoch\": 2, \"weights\": \"epo", "not JSON"),
    ("[1, 2]", "holds a JSON list"),
    (json.dumps({"epoch": "two", "weights": "epoch2.weights.h5", "history": {}}),
     "its epoch is 'two'"),
    (json.dumps({"epoch": 2, "weights": "../../etc/passwd", "history": {}}),
     "its weights entry is '../../etc/passwd'"),
    (json.dumps({"epoch": 2, "weights": "epoch2.weights.h5", "history": {"loss": "x"}}),
     "its history is not lists of numbers"),
])
def test_damaged_state_json_is_refused_with_its_name_and_the_remedy(tmp_path, content, problem):
    pytest.importorskip("keras")
    from skspeech.models._checkpoint import TrainingCheckpoint

    folder = tmp_path / "ck"
    folder.mkdir()
    (folder / "state.json").write_text(content)
    with pytest.raises(ValueError, match=rf"checkpoint file '.*state\.json' is damaged "
                                         rf"\((it )?{problem}.*delete the checkpoint folder "
                                         rf"'.*ck'.*without --resume"):
        TrainingCheckpoint(folder, resume=True).saved_epochs()


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncate weights", "remove weights", "truncate best"])
def test_damaged_weights_are_refused_on_resume(files, tmp_path, damage):
    from skspeech.models._checkpoint import TrainingCheckpoint

    X, y = files
    folder = tmp_path / "ck"

    def stop():
        raise KeyboardInterrupt

    model = _kws(epochs=3, restore_best_weights=True)
    model.set_params(estimator__kws__callbacks=[TrainingCheckpoint(folder),
                                                _after_epoch(stop, epoch=1)])
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    state = json.loads((folder / "state.json").read_text())
    target = folder / (state["weights"] if "weights" in damage else "best.npz")
    assert target.is_file()
    if damage.startswith("remove"):
        target.unlink()
    else:
        target.write_bytes(target.read_bytes()[:target.stat().st_size // 2])
    resumed = _kws(epochs=3, restore_best_weights=True)
    resumed.set_params(estimator__kws__callbacks=[TrainingCheckpoint(folder, resume=True)])
    name = "state.json" if damage.startswith("remove") else target.name
    with pytest.raises(ValueError, match=rf"checkpoint file '.*{name}' is damaged .*Start "
                                         rf"afresh: delete the checkpoint folder"):
        resumed.fit(X, y)


def test_cut_cache_of_features_is_filled_again(tmp_path):
    pytest.importorskip("keras")
    from skspeech.models._feature_cache import FeatureCache

    cache = FeatureCache(tmp_path / "features.f16", 4, (2, 3))
    cache.put(np.arange(4), np.ones((4, 2, 3)))
    cache.save()
    cache.close()
    with open(tmp_path / "features.f16", "r+b") as f:
        f.truncate(10)
    cache = FeatureCache(tmp_path / "features.f16", 4, (2, 3))
    assert not cache.filled.any() and (tmp_path / "features.f16").stat().st_size == 48


def test_damaged_record_of_cached_features_is_recomputed_with_a_warning(tmp_path):
    pytest.importorskip("keras")
    from skspeech.models._feature_cache import FeatureCache

    FeatureCache(tmp_path / "features.f16", 4, (2, 3)).save()
    (tmp_path / "features.f16.json").write_text("{cut")
    with pytest.warns(RuntimeWarning, match="features.f16.json' is damaged.*computed again"):
        cache = FeatureCache(tmp_path / "features.f16", 4, (2, 3))
    assert not cache.filled.any()


# -- skspeech train: the lock, the messages ------------------------------------------------

@pytest.fixture
def sc_folder(tmp_path):
    pytest.importorskip("scikeras")
    from test_speech_commands import make_speech_commands_folder

    root = tmp_path / "sc"
    make_speech_commands_folder(root)
    return root


def _argv(root, out, *extra):
    return ["train", str(root), "--model", "kws", "--epochs", "2", "--duration", "0.5",
            "--words", "yes", "no", "up", "--quiet", "-o", str(out), *extra]


def test_a_second_run_on_the_same_output_is_refused_while_the_first_runs(sc_folder, tmp_path,
                                                                          capsys):
    from skspeech.cli import main
    from skspeech.datasets._lock import data_lock

    out = tmp_path / "kws.joblib"
    folder = tmp_path / "kws.joblib.checkpoint"
    folder.mkdir()
    (folder / "state.json").write_text(json.dumps({"epoch": 1}))  # the live run's
    with data_lock(folder / "lock"):  # held as a running skspeech train holds it
        for extra in ((), ("--force",), ("--resume",), ("--force", "--resume")):
            assert main(_argv(sc_folder, out, *extra)) == 1
            err = capsys.readouterr().err
            assert err.count("\n") == 1, err
            assert f"Another skspeech train is running with -o {str(out)!r}" in err
            assert "another file with -o" in err
    assert json.loads((folder / "state.json").read_text()) == {"epoch": 1}  # untouched
    assert not out.exists()


@pytest.mark.slow
def test_train_names_a_clip_removed_while_training_and_skips_it_when_asked(
        sc_folder, tmp_path, monkeypatch, capsys):
    from test_speech_commands import SPEAKERS

    from skspeech.cli import main
    from skspeech.models._checkpoint import TrainingCheckpoint

    # the training takes of four speakers: some of them are in the network's training split,
    # whose augmented copies are read again every epoch
    victims = [sc_folder / "no" / f"{spk}_nohash_{take}.wav" for spk in SPEAKERS[4:8]
               for take in (0, 1)]
    assert all(v.is_file() for v in victims)
    save = TrainingCheckpoint.on_epoch_end

    def save_then_remove(self, epoch, logs=None):
        save(self, epoch, logs)
        for victim in victims:
            victim.unlink(missing_ok=True)

    monkeypatch.setattr(TrainingCheckpoint, "on_epoch_end", save_then_remove)
    out = tmp_path / "kws.joblib"
    assert main(_argv(sc_folder, out)) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Graph execution" not in err
    assert re.search(r"skspeech train: error: A training clip could not be read in epoch 2: "
                     r".*/no/.*_nohash_\d\.wav.*continue with --resume, or leave out the "
                     r"clips that cannot be read with --skip-unreadable", err), err
    assert not out.exists() and (tmp_path / "kws.joblib.checkpoint" / "state.json").is_file()
    for victim in victims:
        write_audio(victim, 0.3 * np.sin(np.arange(16000) / 3), 16000)
    # skipped during training: the run ends, lists it and exits with 1
    assert main(_argv(sc_folder, out, "--force", "--skip-unreadable")) == 1
    err = capsys.readouterr().err
    assert re.search(r"skipped during training: No audio file at '.*/no/.*_nohash_\d\.wav'",
                     err), err
    assert re.search(r"\d clip\(s\) could not be read during training", err)
    assert out.exists() and not (tmp_path / "kws.joblib.checkpoint").exists()


@pytest.mark.slow
def test_train_resume_refuses_a_damaged_checkpoint_with_the_remedy(sc_folder, tmp_path,
                                                                    monkeypatch, capsys):
    from skspeech.cli import main
    from skspeech.models._checkpoint import TrainingCheckpoint

    save = TrainingCheckpoint.on_epoch_end

    def save_then_stop(self, epoch, logs=None):
        save(self, epoch, logs)
        raise KeyboardInterrupt

    monkeypatch.setattr(TrainingCheckpoint, "on_epoch_end", save_then_stop)
    out = tmp_path / "kws.joblib"
    argv = _argv(sc_folder, out, "--no-augment")
    assert main(argv) == 130
    monkeypatch.setattr(TrainingCheckpoint, "on_epoch_end", save)
    folder = tmp_path / "kws.joblib.checkpoint"
    weights = folder / json.loads((folder / "state.json").read_text())["weights"]
    weights.write_bytes(weights.read_bytes()[:1000])
    capsys.readouterr()
    assert main(argv + ["--resume"]) == 1
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "Traceback" not in err and "truncated file" not in err
    assert f"checkpoint file {str(weights)!r} is damaged" in err and "--force" in err
    (folder / "state.json").write_text("{")
    assert main(argv + ["--resume"]) == 1
    assert "state.json' is damaged (not JSON" in capsys.readouterr().err
    assert main(argv + ["--force"]) == 0  # the remedy works
    assert out.exists() and not folder.exists()


@pytest.mark.parametrize("link", ["loop", "dangling"])
def test_symbolic_link_loops_and_dangling_links_are_named(sc_folder, tmp_path, capsys, link):
    from skspeech.cli import main

    bad = sc_folder / "yes" / "bad.wav"
    os.symlink(bad.name if link == "loop" else "gone.wav", bad)
    reason = ("it is a symbolic link that leads back to itself (a loop). Fix or remove the link"
              if link == "loop" else "is a symbolic link to 'gone.wav', which does not exist")
    out = tmp_path / "svm.joblib"
    argv = ["train", str(sc_folder), "--model", "svm", "--words", "yes", "no", "--quiet",
            "-o", str(out)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Errno" not in err and str(bad) in err and reason in err
    assert "--skip-unreadable" in err
    assert main(argv + ["--skip-unreadable"]) == 1  # trained on the others
    err = capsys.readouterr().err
    assert f"skipped {bad}" in err and reason in err and out.exists()
    assert main(["predict", str(out), str(bad), str(sc_folder / "yes"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Errno" not in err and reason in err and "No such file or folder" not in err
    assert main(["data", "info", str(sc_folder)]) == 1
    err = capsys.readouterr().err
    assert "Errno" not in err and reason in err and "System error" not in err


@pytest.mark.slow
def test_a_checkpoint_that_cannot_be_saved_is_named_with_the_remedy(files, tmp_path, monkeypatch):
    import errno

    import keras

    from skspeech.models._checkpoint import TrainingCheckpoint

    X, y = files

    def full(self, path, overwrite=True):
        raise OSError(errno.ENOSPC, "Unable to synchronously create file (No space left)")

    monkeypatch.setattr(keras.Model, "save_weights", full)
    model = _kws(epochs=2)
    model.set_params(estimator__kws__callbacks=[TrainingCheckpoint(tmp_path / "ck")])
    with pytest.raises(OSError, match=r"Cannot save the checkpoint of epoch 1 in '.*ck' \(No "
                                      r"space left on device\)\. Free some space, then continue "
                                      r"with --resume") as info:
        model.fit(X, y)
    assert info.value.errno == errno.ENOSPC


def test_a_file_where_the_checkpoint_folder_goes_is_one_clear_line(sc_folder, tmp_path, capsys):
    from skspeech.cli import main

    out = tmp_path / "kws.joblib"
    (tmp_path / "kws.joblib.checkpoint").write_text("mine")
    assert main(_argv(sc_folder, out)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "kws.joblib.checkpoint' is a file" in err
    assert (tmp_path / "kws.joblib.checkpoint").read_text() == "mine"


@pytest.mark.slow
@pytest.mark.parametrize("task", ["12", "words"])
def test_unreadable_background_noise_is_named_and_skipped_when_asked(sc_folder, tmp_path,
                                                                     capsys, task):
    from skspeech.cli import main

    noise = sc_folder / "_background_noise_" / "white_noise.wav"
    noise.write_bytes(b"not audio")
    out = tmp_path / "kws.joblib"
    argv = ["train", str(sc_folder), "--model", "kws", "--epochs", "1", "--duration", "0.5",
            "--words", "yes", "no", "--task", task, "--quiet", "-o", str(out)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "Traceback" not in err
    assert re.search(r"Cannot read '.*white_noise\.wav' as audio: .*It is a _background_noise_ "
                     r"recording.*--skip-unreadable", err), err
    assert main(argv + ["--skip-unreadable"]) == 1  # trained without it, and said so
    err = capsys.readouterr().err
    assert re.search(r"skipped .*white_noise\.wav: Cannot read", err) and out.exists()
    assert "error:" not in err


@pytest.mark.slow
def test_truncated_clip_in_lazy_training_is_refused_or_skipped_as_when_loaded(sc_folder,
                                                                              tmp_path, capsys):
    """load_speech_commands refuses a cut file when it reads it; read batch by batch, the
    same file is refused (or skipped) when training reads it, not trained on in part."""
    from test_speech_commands import SPEAKERS

    from skspeech.cli import main

    cut = sc_folder / "yes" / f"{SPEAKERS[6]}_nohash_0.wav"
    data = cut.read_bytes()
    cut.write_bytes(data[:len(data) // 2])
    out = tmp_path / "kws.joblib"
    argv = ["train", str(sc_folder), "--model", "kws", "--epochs", "1", "--duration", "0.5",
            "--words", "yes", "no", "--quiet", "-o", str(out)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "Traceback" not in err and "Warning" not in err
    assert re.search(r"could not be read (before training|in epoch 1): .*nohash_0\.wav' is "
                     r"truncated.*--skip-unreadable", err), err
    assert main(argv + ["--skip-unreadable"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"skipped during training: .*nohash_0\.wav' is truncated", err), err
    assert "error:" not in err and out.exists()
