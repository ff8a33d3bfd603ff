"""Bad and unusual input (issue 22): every case gives the right answer or a clear error or
warning that names the input and says what was expected. See docs/bad_input.rst."""

import os
import re
import time
import warnings

import numpy as np
import pytest
from conftest import make_tone_commands

from skspeech._validation import as_float_audio, check_audio, check_labels
from skspeech.exceptions import InvalidAudioError
from skspeech.pipelines import svm_pipeline


@pytest.fixture(scope="module")
def fitted():
    X, y = make_tone_commands(n_per_class=6, sr=8000, random_state=1)
    return svm_pipeline(sr=8000, probability=False).fit(X, y), X, y


# -- dtypes: integer PCM is scaled, bool and text are refused ------------------------------

@pytest.mark.parametrize("dtype, full", [(np.int16, 2 ** 15), (np.int32, 2 ** 31),
                                         (np.int8, 2 ** 7)])
def test_integer_pcm_is_scaled_like_read_audio(fitted, dtype, full):
    model, X, _ = fitted
    pcm = [np.round(x * (full - 1) * 0.9).astype(dtype) for x in X]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PCM dtypes are scaled, without a warning
        pred = model.predict(pcm)
    np.testing.assert_array_equal(pred, model.predict(X))
    # 2-D input too
    same = [x[:2400] for x in pcm]
    np.testing.assert_array_equal(model.predict(np.stack(same)),
                                  model.predict([x[:2400] for x in X]))


def test_uint8_is_8bit_wav():
    out = as_float_audio(np.array([0, 128, 255], dtype=np.uint8))
    np.testing.assert_allclose(out, [-1.0, 0.0, 127 / 128])


def test_scaling_matches_read_audio(tmp_path):
    import soundfile as sf
    from scipy.io import wavfile

    from skspeech.io import read_audio

    x = (0.3 * np.sin(np.arange(4000) / 5) * 32767).astype(np.int16)
    sf.write(tmp_path / "a.wav", x, 8000, subtype="PCM_16")
    _, raw = wavfile.read(tmp_path / "a.wav")
    np.testing.assert_array_equal(check_audio([raw])[0], read_audio(tmp_path / "a.wav")[0])


def test_int64_values_beyond_range_warn(fitted):
    model, X, _ = fitted
    with pytest.warns(UserWarning, match="far outside"):
        model.predict([(x * 30000).astype(np.int64) for x in X[:2]])


@pytest.mark.parametrize("make", [lambda X: [x > 0 for x in X],
                                  lambda X: np.stack([x[:2400] > 0 for x in X])])
def test_bool_clips_are_refused(fitted, make):
    model, X, _ = fitted
    with pytest.raises(InvalidAudioError, match="dtype bool.*expected audio samples"):
        model.predict(make(X))


@pytest.mark.parametrize("bad", [np.array([["a", "b"] * 100] * 2),
                                 np.array([["1.0", "x"] * 100], dtype=object),
                                 ["yes.wav", "no.wav"]])
def test_text_is_refused_as_not_clips(fitted, bad):
    with pytest.raises(InvalidAudioError, match="expected audio clips|expected real numbers"):
        fitted[0].predict(bad)


@pytest.mark.parametrize("bad, match", [
    (None, "got None"), ({"a": np.zeros(10)}, "got a dict"), ({1.0, 2.0}, "got a set"),
    (3.0, "single number"), ((np.zeros(10) for _ in range(2)), "generator; pass a list"),
    ([np.ones(800) * 0.1, None], "index 1 is None"),
    (np.array([np.ones(800) * 0.1, None], dtype=object), "index 1 is None"),
    (np.ones((2, 800), dtype=complex), "complex numbers.*Complex data not supported"),
])
def test_containers_that_cannot_hold_clips(fitted, bad, match):
    with pytest.raises(InvalidAudioError, match=match):
        fitted[0].predict(bad)


def test_object_array_of_clips_is_a_list_of_clips(fitted):
    model, X, _ = fitted
    arr = np.empty(3, dtype=object)
    arr[:] = X[:3]
    np.testing.assert_array_equal(model.predict(arr), model.predict(X[:3]))


@pytest.mark.parametrize("call", ["save", "load"])
def test_model_paths_must_be_file_names(fitted, call):
    from skspeech import load_model, save_model

    with pytest.raises(TypeError, match="path must be a file name.*NoneType"):
        save_model(None, fitted[0]) if call == "save" else load_model(None)


# -- labels ------------------------------------------------------------------------------

@pytest.mark.parametrize("y, match", [
    (["a", None, "b"], "index 1 is missing"),
    (["a", float("nan"), "b"], "index 1 is missing"),
    (["a", "", "b"], "index 1 is missing"),
    (["a", 3, "b"], "mixes labels of different types.*'a' at index 0.*3 at index 1"),
    ([0.5, 1.5, 0.5], "fractional"),
    ("yes", "one string"),
    (None, "is None"),
    (np.zeros((3, 2)), "must be 1-D"),
])
def test_check_labels(y, match):
    with pytest.raises(ValueError, match=match):
        check_labels(y)


def test_check_labels_count():
    with pytest.raises(ValueError, match="2 labels for 3 clips"):
        check_labels(["a", "b"], n_clips=3)
    assert list(check_labels(["a", "b", "a"], n_clips=3)) == ["a", "b", "a"]


# -- sample rates ------------------------------------------------------------------------

def test_model_sr_finds_the_rate_and_checks_the_steps(fitted):
    from sklearn.base import clone

    from skspeech._persistence import check_model_sr, model_sr

    model = fitted[0]
    assert model_sr(model) == 8000
    assert model_sr(svm_pipeline(sr=16000, target_sr=8000)) == 16000
    assert check_model_sr(model, 8000) == 8000
    with pytest.raises(ValueError, match="16000 Hz but the model takes clips at 8000 Hz"):
        check_model_sr(model, 16000)
    mixed = clone(model).set_params(mfcc__sr=16000)
    with pytest.raises(ValueError, match="steps disagree.*'mfcc'.*16000 Hz.*8000 Hz"):
        model_sr(mixed)


def test_recipes_refuse_steps_at_different_rates_at_fit_and_predict(fitted):
    """set_params can put one step at another rate: fit and predict say so, never run wrong."""
    from sklearn.base import clone

    from skspeech.pipelines import SpeechPipeline, hmm_pipeline, kws_pipeline

    model, X, y = fitted
    assert isinstance(model, SpeechPipeline)
    mixed = clone(model).set_params(mfcc__sr=16000)
    with pytest.raises(ValueError, match="steps disagree.*'mfcc'.*16000 Hz.*8000 Hz"):
        mixed.fit(X, y)
    broken = clone(model).fit(X, y)
    assert broken.score(X, y) > 0.9
    broken.set_params(guard__sr=16000)  # after fit: the first step's rate no longer agrees
    for method in ("predict", "decision_function", "score"):
        with pytest.raises(ValueError, match="steps disagree"):
            getattr(broken, method)(*((X, y) if method == "score" else (X,)))
    assert not hasattr(broken, "predict_proba")  # as scikit-learn's Pipeline: the SVC has none
    # every recipe builds the checking Pipeline (the HMM's and the network's inside their wrapper)
    for recipe in (hmm_pipeline(sr=8000, augment=False), kws_pipeline(sr=8000, augment=False)):
        assert isinstance(recipe, SpeechPipeline)


def test_save_model_refuses_a_wrong_rate_and_mixed_steps(tmp_path, fitted):
    from sklearn.base import clone

    from skspeech import save_model

    model, X, y = fitted
    with pytest.raises(ValueError, match=r"save_model\(sr=...\) is 16000 Hz.*8000 Hz"):
        save_model(tmp_path / "m.joblib", model, sr=16000)
    mixed = clone(model).fit(X, y).set_params(mfcc__sr=16000)  # fit refuses mixed rates
    with pytest.raises(ValueError, match="steps disagree"):
        save_model(tmp_path / "m.joblib", mixed)
    assert not list(tmp_path.iterdir())
    save_model(tmp_path / "m.joblib", model, sr=8000)  # the right rate is fine


def test_load_model_refuses_a_file_whose_rate_disagrees(tmp_path, fitted):
    import joblib

    from skspeech import load_model, save_model

    path = save_model(tmp_path / "m.joblib", fitted[0])
    payload = joblib.load(path)
    payload["metadata"]["sr"] = 16000  # as written by an older save_model(sr=16000)
    joblib.dump(payload, path)
    with pytest.raises(ValueError, match="says the model takes 16000 Hz.*8000 Hz"):
        load_model(path)


# -- model files ---------------------------------------------------------------------------

@pytest.mark.parametrize("version, match", [(99, "format version 99, newer.*upgrade"),
                                            (0, "damaged|no longer reads"),
                                            ("1", "damaged"), (None, "damaged")])
def test_load_model_checks_the_format_version(tmp_path, fitted, version, match):
    import joblib

    from skspeech import load_model, save_model

    path = save_model(tmp_path / "m.joblib", fitted[0])
    payload = joblib.load(path)
    payload["format_version"] = version
    joblib.dump(payload, path)
    with pytest.raises(ValueError, match=match):
        load_model(path)


@pytest.mark.parametrize("extra, match", [
    ({"f": lambda: 0}, r"extra\['f'\] cannot be saved"),
    ({"sr": 16000}, r"extra\['sr'\] would replace"),
    ({"classes": ["x"]}, r"extra\['classes'\] would replace"),
    ("fsdd", "extra must be a dict"),
])
def test_save_model_checks_extra(tmp_path, fitted, extra, match):
    from skspeech import save_model

    with pytest.raises(ValueError, match=match):
        save_model(tmp_path / "m.joblib", fitted[0], extra=extra)
    assert not list(tmp_path.iterdir())  # nothing written, no temporary file


def test_save_model_read_only_folder_names_the_target(tmp_path, fitted):
    import os

    from skspeech import save_model

    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: permissions are not enforced")
        with pytest.raises(PermissionError, match="m.joblib.*no permission.*'.*ro'") as info:
            save_model(folder / "m.joblib", fitted[0])
        assert ".tmp-" not in str(info.value)
    finally:
        folder.chmod(0o700)


def test_save_model_permission_error_names_the_target_not_the_temporary(tmp_path, fitted,
                                                                        monkeypatch):
    import errno

    import joblib

    from skspeech import save_model

    def denied(obj, filename, *args, **kwargs):  # what a read-only folder gives a non-root user
        raise PermissionError(errno.EACCES, "Permission denied", str(filename))

    monkeypatch.setattr(joblib, "dump", denied)
    with pytest.raises(PermissionError, match="m.joblib.*no permission") as info:
        save_model(tmp_path / "m.joblib", fitted[0])
    assert ".tmp-" not in str(info.value)


@pytest.mark.parametrize("errno_name, match", [("ENOSPC", "disk.*is full"),
                                               ("EFBIG", "larger than the file system allows")])
def test_save_model_full_disk_names_the_target(tmp_path, fitted, monkeypatch, errno_name,
                                               match):
    import errno

    import joblib

    from skspeech import save_model

    def full(obj, filename, *args, **kwargs):
        with open(filename, "wb") as fh:
            fh.write(b"half")
        raise OSError(getattr(errno, errno_name), os_strerror(errno_name))

    monkeypatch.setattr(joblib, "dump", full)
    with pytest.raises(OSError, match=f"m.joblib.*{match}"):
        save_model(tmp_path / "m.joblib", fitted[0])
    assert not list(tmp_path.iterdir())  # the half-written temporary file is gone


def os_strerror(name):
    import errno
    import os

    return os.strerror(getattr(errno, name))


def test_stale_temporary_files_of_killed_saves_are_removed(tmp_path, fitted):
    import subprocess
    import sys

    from skspeech import save_model

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".m.joblib.tmp-{dead}"
    stale.write_bytes(b"x" * 1000)
    os.utime(stale, (time.time() - 120, time.time() - 120))  # killed two minutes ago
    fresh = tmp_path / f".m.joblib.tmp-{int(dead) + 1}"  # maybe a writer on another host
    fresh.write_bytes(b"x")
    alive = tmp_path / f".m.joblib.tmp-{os_getppid()}"  # a running process: kept
    alive.write_bytes(b"y")
    other = tmp_path / ".other.joblib.tmp-1"  # another file's: not ours to judge here
    other.write_bytes(b"z")
    save_model(tmp_path / "m.joblib", fitted[0])
    assert not stale.exists()
    assert alive.exists() and other.exists() and fresh.exists()


def os_getppid():
    import os

    return os.getppid()


def test_save_without_force_never_replaces_a_file_made_meanwhile(tmp_path, fitted, monkeypatch):
    import joblib

    from skspeech import save_model

    target = tmp_path / "m.joblib"
    real_dump = joblib.dump

    def dump_then_race(obj, filename, *args, **kwargs):
        real_dump(obj, filename, *args, **kwargs)
        target.write_bytes(b"another process's model")

    monkeypatch.setattr(joblib, "dump", dump_then_race)
    with pytest.raises(FileExistsError, match="written while"):
        save_model(target, fitted[0])
    assert target.read_bytes() == b"another process's model"
    assert [p.name for p in tmp_path.iterdir()] == ["m.joblib"]


# -- files: truncated, unreadable, missing -----------------------------------------------

def _wav(path, seconds=0.5, sr=8000, freq=440):
    from skspeech.io import write_audio

    t = np.arange(int(seconds * sr)) / sr
    write_audio(path, 0.3 * np.sin(2 * np.pi * freq * t), sr)
    return path


def _cut(path, fraction=0.5):
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * fraction)])
    return path


@pytest.mark.parametrize("ext", ["wav", "aiff"])
def test_truncated_file_warns_naming_it(tmp_path, ext):
    from skspeech.exceptions import TruncatedAudioWarning
    from skspeech.io import read_audio

    path = _cut(_wav(tmp_path / f"cut.{ext}"))
    with pytest.warns(TruncatedAudioWarning, match=rf"cut.{ext}' is truncated.*header announ"):
        y, _ = read_audio(path)
    assert 0 < len(y) < 4000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_audio(_wav(tmp_path / f"whole.{ext}"))  # a whole file does not warn


def test_read_audio_refuses_pipes_and_unreadable_files(tmp_path, monkeypatch):
    from skspeech.io import read_audio

    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    with pytest.raises(InvalidAudioError, match="pipe.wav' is not a regular file"):
        read_audio(fifo)
    path = _wav(tmp_path / "a.wav")
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    with pytest.raises(PermissionError, match="a.wav': no permission"):
        read_audio(path)


def test_write_audio_cleans_stale_temporaries_and_names_the_target(tmp_path, monkeypatch):
    import errno
    import subprocess
    import sys

    import soundfile as sf

    from skspeech.io import write_audio

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".a.wav.tmp-{dead}"
    stale.write_bytes(b"x")
    os.utime(stale, (time.time() - 120, time.time() - 120))
    write_audio(tmp_path / "a.wav", np.zeros(80) + 0.1, 8000)
    assert not stale.exists()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sf, "write", full)
    with pytest.raises(OSError, match=r"b.wav.*full"):
        write_audio(tmp_path / "b.wav", np.zeros(80) + 0.1, 8000)
    with pytest.raises(FileNotFoundError, match="folder.*does not exist"):
        write_audio(tmp_path / "nowhere" / "c.wav", np.zeros(80) + 0.1, 8000)


def _speech_commands(root, *, lists=True, n=3):
    for w, f in (("yes", 300), ("no", 900)):
        (root / w).mkdir(parents=True)
        for i in range(n):
            _wav(root / w / f"spk{i}_nohash_0.wav", seconds=1.0, sr=16000, freq=f + 20 * i)
    if lists:
        (root / "validation_list.txt").write_text("yes/spk1_nohash_0.wav\n")
        (root / "testing_list.txt").write_text("no/spk1_nohash_0.wav\n")
    return root


def test_binary_list_file_is_named(tmp_path):
    from skspeech.datasets import load_speech_commands

    root = _speech_commands(tmp_path / "sc")
    (root / "validation_list.txt").write_bytes(b"\xff\xfe\x00\x81binary")
    with pytest.raises(ValueError, match=r"validation_list.txt' is not a text list"):
        load_speech_commands(root, words=["yes", "no"])


def test_list_entries_naming_missing_clips_warn(tmp_path):
    from skspeech.datasets import load_speech_commands

    root = _speech_commands(tmp_path / "sc")
    (root / "testing_list.txt").write_text("no/spk1_nohash_0.wav\nno/gone_nohash_0.wav\n"
                                           "absentword/x_nohash_0.wav\n")
    with pytest.warns(UserWarning, match=r"testing_list.txt names 1 clip.*no/gone_nohash_0"):
        data = load_speech_commands(root, words=["yes", "no"], subset="test")
    assert list(data.target) == ["no"]


def test_speech_commands_skip_unreadable_clips(tmp_path):
    from skspeech.datasets import load_speech_commands
    from skspeech.exceptions import SkippedFilesWarning

    root = _speech_commands(tmp_path / "sc", lists=False)
    (root / "yes" / "spk0_nohash_0.wav").write_bytes(b"not audio at all")
    _cut(root / "no" / "spk2_nohash_0.wav")
    with pytest.raises(InvalidAudioError, match="spk0_nohash_0.wav"):
        load_speech_commands(root, words=["yes", "no"], subset="all")
    with pytest.warns(SkippedFilesWarning, match=r"left out 2 clip.*spk0_nohash_0.wav: .*"
                      r"spk2_nohash_0.wav: .*truncated"):
        data = load_speech_commands(root, words=["yes", "no"], subset="all", on_error="skip")
    assert len(data.target) == 4 and len(data.data) == 4
    assert not any("spk0" in f and "yes" in f for f in data.filenames)


def test_fsdd_skip_unreadable_recordings(tmp_path):
    from skspeech.datasets import load_fsdd
    from skspeech.exceptions import SkippedFilesWarning

    rec = tmp_path / "fsdd" / "recordings"
    rec.mkdir(parents=True)
    for d in range(2):
        for take in range(5, 8):
            _wav(rec / f"{d}_jackson_{take}.wav", freq=300 + 500 * d + take)
    (rec / "1_jackson_6.wav").write_bytes(b"")
    with pytest.raises(InvalidAudioError, match="1_jackson_6.wav"):
        load_fsdd(tmp_path / "fsdd")
    with pytest.warns(SkippedFilesWarning, match="1_jackson_6.wav"):
        data = load_fsdd(tmp_path / "fsdd", on_error="skip")
    assert len(data.data) == len(data.target) == len(data.filenames) == 5


# -- the command line: every bad file reported, the good ones processed -------------------

@pytest.fixture(scope="module")
def cli_setup(fitted, tmp_path_factory):
    from skspeech import save_model
    from skspeech.io import write_audio

    model, X, y = fitted
    root = tmp_path_factory.mktemp("cli")
    path = save_model(root / "m.joblib", model)
    data = root / "data"
    for i, (x, w) in enumerate(zip(X, y)):
        (data / w).mkdir(parents=True, exist_ok=True)
        write_audio(data / w / f"spk{i % 3}_nohash_{i}.wav", x, 8000)
    return path, data, X, y


def _main(*args):
    from skspeech.cli import main

    return main([str(a) for a in args])


def test_predict_reports_every_bad_file_and_predicts_the_good(cli_setup, tmp_path, capsys):
    from skspeech.io import write_audio

    path, _, X, _y = cli_setup
    folder = tmp_path / "mixed"
    folder.mkdir()
    for i in range(3):
        write_audio(folder / f"good{i}.wav", X[i * 6], 8000)
    (folder / "broken.wav").write_bytes(b"RIFF....WAVEnot really")
    (folder / "empty.flac").write_bytes(b"")
    _cut(folder / "good0.wav")  # truncated: reported as well
    code = _main("predict", path, folder, "--csv", "--quiet")
    out, err = capsys.readouterr()
    assert code == 1
    rows = out.strip().splitlines()[1:]
    assert sorted(r.split(",")[0].rsplit("/", 1)[1] for r in rows) == ["good1.wav", "good2.wav"]
    for name, reason in (("broken.wav", "Cannot read"), ("empty.flac", "Cannot read"),
                         ("good0.wav", "truncated")):
        assert re.search(rf"error: .*{name}: .*{reason}", err), (name, err)
    assert "3 of 5 file(s) could not be predicted" in err


def test_predict_all_good_exits_0(cli_setup, tmp_path, capsys):
    from skspeech.io import write_audio

    path, _, X, _ = cli_setup
    write_audio(tmp_path / "a.wav", X[0], 8000)
    assert _main("predict", path, tmp_path / "a.wav", "--quiet") == 0


def test_predict_resamples_files_to_the_models_rate(cli_setup, tmp_path, capsys):
    from skspeech.io import write_audio
    from skspeech.preprocessing._resample import resample

    path, _, X, y = cli_setup
    for i in (0, 6, 12):
        write_audio(tmp_path / f"{i}.wav", resample(np.asarray(X[i], float), 8000, 16000),
                    16000)
    assert _main("predict", path, tmp_path, "--csv", "--quiet") == 0
    out = capsys.readouterr().out
    words = {r.split(",")[0].rsplit("/", 1)[1]: r.split(",")[1]
             for r in out.strip().splitlines()[1:]}
    assert words == {"0.wav": y[0], "12.wav": y[12], "6.wav": y[6]}


def test_evaluate_reports_bad_files_and_scores_the_rest(cli_setup, tmp_path, capsys):
    import shutil

    path, data, _X, y = cli_setup
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    bad = min((copy / "low").iterdir())
    bad.write_bytes(b"garbage")
    code = _main("evaluate", path, copy, "--subset", "all", "--quiet")
    out, err = capsys.readouterr()
    assert code == 1
    assert re.search(rf"skipped .*{bad.name}: .*Cannot read", err)
    assert f"Accuracy on {len(y) - 1} clips" in out


def test_train_names_the_word_with_too_few_clips(cli_setup, tmp_path, capsys):
    import shutil

    _, data, _, _ = cli_setup
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    for f in sorted((copy / "mid").iterdir())[1:]:
        f.unlink()
    code = _main("train", copy, "--subset", "all", "--words", "low", "mid", "high",
                 "--model", "svm", "-o", tmp_path / "m.joblib", "--quiet")
    err = capsys.readouterr().err
    assert code == 1
    assert re.search(r"at least 2 clips per word; mid \(1\) has fewer", err), err


def test_train_skip_unreadable(cli_setup, tmp_path, capsys):
    import shutil

    _, data, _, _ = cli_setup
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    bad = min((copy / "high").iterdir())
    bad.write_bytes(b"junk")
    args = ["train", copy, "--subset", "all", "--words", "low", "mid", "high", "--model", "svm",
            "-o", tmp_path / "m.joblib", "--quiet"]
    assert _main(*args) == 1
    err = capsys.readouterr().err
    assert bad.name in err and "--skip-unreadable" in err
    assert not (tmp_path / "m.joblib").exists()
    assert _main(*args, "--skip-unreadable") == 1  # trained without it, and said so
    err = capsys.readouterr().err
    assert re.search(rf"skipped .*{bad.name}", err)
    assert (tmp_path / "m.joblib").exists()


def test_export_says_svm_cannot_be_exported_first(cli_setup, capsys):
    path = cli_setup[0]
    assert _main("export", path, "--quiet") == 1
    err = capsys.readouterr().err
    assert "TFLite export needs a fitted Conv1D pipeline" in err
    assert "--representative" not in err


def test_data_info_lists_unreadable_files_and_describes_the_rest(cli_setup, tmp_path, capsys):
    import shutil

    _, data, _, y = cli_setup
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    bad = min((copy / "mid").iterdir())
    bad.write_bytes(b"junk")
    assert _main("data", "info", copy, "--quiet") == 1
    out, err = capsys.readouterr()
    assert f"{len(y) - 1} clips, 3 words" in out
    assert re.search(rf"unreadable .*{bad.name}: Cannot read", err)


def test_write_audio_refuses_unscaled_floats_that_would_clip(tmp_path):
    from skspeech.io import read_audio, write_audio

    x = 0.5 * np.sin(np.arange(800) / 3)
    with pytest.raises(InvalidAudioError, match="reaches 16383.*must be in \\[-1, 1\\].*clip"):
        write_audio(tmp_path / "a.wav", x * 32767, 8000)
    with pytest.raises(InvalidAudioError, match="dtype bool"):
        write_audio(tmp_path / "a.wav", x > 0, 8000)
    write_audio(tmp_path / "a.wav", (x * 32767).astype(np.int16), 8000)  # int16 PCM is fine
    np.testing.assert_allclose(read_audio(tmp_path / "a.wav")[0], x, atol=1e-4)
    write_audio(tmp_path / "b.wav", x * 3, 8000, subtype="FLOAT")  # floats may exceed 1
    assert read_audio(tmp_path / "b.wav")[0].max() > 1


def test_evaluate_names_unknown_words_plainly(cli_setup, tmp_path, capsys):
    import shutil

    path, data, _, _ = cli_setup
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    (copy / "cat").mkdir()
    for i in range(3):
        shutil.copy(min((copy / "low").iterdir()), copy / "cat" / f"s{i}_nohash_{i}.wav")
    assert _main("evaluate", path, copy, "--subset", "all", "--words", "low", "cat",
                 "--quiet") == 1
    err = capsys.readouterr().err
    assert "never learned: cat; the model knows high, low, mid" in err
    assert "np.str_" not in err


def test_predict_names_the_files_far_from_a_spoken_clip(cli_setup, tmp_path, capsys):
    from skspeech.io import write_audio

    path, _, X, _ = cli_setup
    write_audio(tmp_path / "quiet.wav", np.zeros(4000), 8000)
    write_audio(tmp_path / "dc.wav", np.full(4000, 0.3), 8000)
    write_audio(tmp_path / "word.wav", X[0], 8000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the library's by-index warning is replaced
        code = _main("predict", path, tmp_path, "--quiet")
    out, err = capsys.readouterr()
    assert code == 0 and len(out.strip().splitlines()) == 4  # every file predicted
    assert re.search(r"warning: .*quiet.wav: silent", err)
    assert re.search(r"warning: .*dc.wav: constant", err)
    assert "word.wav" not in err and "Index" not in err


def test_audio_paths_and_formats(tmp_path):
    from skspeech.io import read_audio, write_audio

    with pytest.raises(TypeError, match="path must be a file name.*NoneType"):
        read_audio(None)
    with pytest.raises(TypeError, match="path must be a file name.*int"):
        write_audio(3, np.zeros(10) + 0.1, 8000)
    with pytest.raises(ValueError, match="'.xyz' is not an audio format"):
        write_audio(tmp_path / "a.xyz", np.zeros(10) + 0.1, 8000)


def test_stale_temporaries_of_a_name_with_glob_characters(tmp_path, fitted):
    from skspeech import save_model
    from skspeech._atomic import remove_stale_temporaries

    stale = tmp_path / ".m[1].joblib.tmp-999999999"
    stale.write_bytes(b"x")
    os.utime(stale, (time.time() - 120, time.time() - 120))
    save_model(tmp_path / "m[1].joblib", fitted[0])
    assert not stale.exists()
    assert remove_stale_temporaries(tmp_path / "missing" / "x.joblib") == []
