"""The 12-class task in the command line: train, evaluate, predict and listen with "no command".

The folder is a tiny Speech Commands copy (13 words x 8 speakers x 2 takes of pure tones,
two background-noise recordings), written by the test.
"""

import csv
import io
import json
import re
import shutil

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from test_speech_commands import FREQ, OTHERS, SPEAKERS, SR, TEN, make_speech_commands_folder

from skspeech import load_model, save_model
from skspeech.cli import build_parser, main
from skspeech.io import write_audio
from skspeech.metrics import NON_COMMANDS

TWELVE = sorted(TEN + list(NON_COMMANDS))


@pytest.fixture(scope="module")
def sc_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("task") / "speech_commands"
    make_speech_commands_folder(root)
    return root


@pytest.fixture(scope="module")
def svm12(sc_folder, tmp_path_factory):
    """``skspeech train FOLDER --model svm``: the 12-class task (the default), the SVM."""
    path = tmp_path_factory.mktemp("svm12") / "m.joblib"
    assert main(["train", str(sc_folder), "--model", "svm", "-o", str(path), "--quiet"]) == 0
    return path


def _copy(folder, tmp_path, name):
    root = tmp_path / name
    shutil.copytree(folder, root)
    return root


class ToneAnswers(ClassifierMixin, BaseEstimator):
    """A stand-in model with known answers: it hears which word's tone a clip holds (or
    noise: ``_silence_``), says the word if it knows it and ``_unknown_`` if not, unless
    ``answers`` maps the word heard to another answer."""

    def __init__(self, answers=None):
        self.answers = answers

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def _answer(self, x):
        spec = np.abs(np.fft.rfft(x))
        f = np.fft.rfftfreq(len(x), 1 / SR)[np.argmax(spec)]
        word = min(FREQ, key=lambda w: abs(FREQ[w] - f))
        if spec.max() < 50 * np.median(spec) or abs(FREQ[word] - f) > 20:
            word = "_silence_"  # white noise or hum: no tone
        default = word if word in self.classes_ else "_unknown_"
        return (self.answers or {}).get(word, default)

    def predict(self, X):
        return np.array([self._answer(np.asarray(x, dtype=float)) for x in X])

    def predict_proba(self, X):
        pred = self.predict(X)
        return (pred[:, None] == self.classes_[None, :]).astype(float)


def _tone_model(path, classes, answers=None):
    model = ToneAnswers(answers).fit(None, np.array(classes))
    save_model(path, model, sr=SR)
    return path


# -- train ---------------------------------------------------------------------------------
def test_train_on_a_speech_commands_folder_is_the_12_class_task(svm12, capsys):
    _model, meta = load_model(svm12, return_metadata=True)
    assert meta["classes"] == TWELVE
    assert meta["training"]["task"] == "12" and meta["training"]["noise"] is None  # svm
    # train: speakers 4-7, 2 takes, 10 words = 80 clips; + 10 % _silence_ (8); _unknown_: 30 %
    # of the word clips drawn (24: every clip of the 3 other words, 8 each, as many as a
    # command has, so balance_unknown_words repeats none): 24
    assert meta["training"]["n_clips"] == 112


def test_train_prints_the_classes_and_no_command(sc_folder, tmp_path, capsys):
    path = tmp_path / "m.joblib"
    assert main(["train", str(sc_folder), "--model", "svm", "-o", str(path), "--quiet"]) == 0
    out = capsys.readouterr()
    assert ("Trained svm on 112 clips of 10 words (down, go, left, no, off, on, right, stop, "
            "up, yes) + no command (_silence_ 8, _unknown_ 24 clips) at 16000 Hz") in out.out
    # every word well covered, noise present: only how _unknown_ was built
    assert out.err.count("Note:") == 1
    assert "_unknown_: 24 clips of the other words (30 % of the word clips at most), the rare " \
           "words repeated (0 repeats)" in out.err


def test_train_balance_commands_repeats_the_rare_ones(sc_folder, tmp_path, capsys):
    from skspeech.datasets import load_speech_commands

    root = tmp_path / "uneven"
    shutil.copytree(sc_folder, root)
    go = load_speech_commands(root, subset="train", words=["go"], task="words").filenames
    for name in go[:3]:  # go: 5 training clips, every other command 8
        (root / "go" / name.replace("\\", "/").split("/")[-1]).unlink()
    path = tmp_path / "m.joblib"
    assert main(["train", str(root), "--model", "svm", "-o", str(path), "--quiet",
                 "--no-calibrate", "--balance-commands"]) == 0
    err = capsys.readouterr().err
    assert "commands: the rare ones repeated up to the median command's clips (3 repeats)" in err
    assert load_model(path, return_metadata=True)[1]["training"]["n_clips"] == 112
    assert main(["train", str(root), "--model", "svm", "-o", str(path), "--quiet",
                 "--no-calibrate", "--force", "--no-balance-commands"]) == 0
    assert "the rare ones repeated up to" not in capsys.readouterr().err
    assert load_model(path, return_metadata=True)[1]["training"]["n_clips"] == 109
    assert main(["train", str(root), "--model", "svm", "--task", "words", "-o",
                 str(tmp_path / "w.joblib"), "--quiet", "--balance-commands"]) == 1
    assert "--balance-commands applies to the 12-class task" in capsys.readouterr().err
    assert main(["train", "synthetic", "--model", "svm", "-o", str(tmp_path / "s.joblib"),
                 "--quiet", "--balance-commands"]) == 1
    assert "--balance-commands applies to a Speech Commands folder's 12-class task; " \
           "'synthetic' is synthetic data" in capsys.readouterr().err


def test_train_task_words_and_35(sc_folder, tmp_path, capsys):
    path = tmp_path / "w.joblib"
    assert main(["train", str(sc_folder), "--model", "svm", "--task", "words", "-o", str(path),
                 "--quiet"]) == 0
    assert "Trained svm on 80 clips of 10 words (down, go, left, no, off, on, right, stop, " \
           "up, yes) at 16000 Hz" in capsys.readouterr().out
    meta = load_model(path, return_metadata=True)[1]
    assert meta["classes"] == sorted(TEN) and meta["training"]["task"] == "words"

    assert main(["train", str(sc_folder), "--model", "svm", "--task", "35", "-o", str(path),
                 "--force", "--quiet"]) == 0
    meta = load_model(path, return_metadata=True)[1]
    assert meta["classes"] == sorted(TEN + OTHERS) and meta["training"]["n_clips"] == 104

    assert main(["train", str(sc_folder), "--task", "35", "--words", "yes", "no", "-o",
                 str(tmp_path / "x.joblib"), "--quiet"]) == 1
    assert "--task 35 trains every word folder; drop --words" in capsys.readouterr().err


def test_train_with_words_makes_the_rest_unknown(sc_folder, tmp_path, capsys):
    path = tmp_path / "yn.joblib"
    assert main(["train", str(sc_folder), "--model", "svm", "--words", "yes", "no", "-o",
                 str(path), "--quiet"]) == 0
    assert load_model(path, return_metadata=True)[1]["classes"] == \
        ["_silence_", "_unknown_", "no", "yes"]
    # 16 word clips: ceil(1.6) = 2 clips of _silence_; ceil(4.8) = 5 clips of _unknown_ drawn,
    # each of their 4 words then repeated to the 8 clips of a command: 32
    out = capsys.readouterr()
    assert "Trained svm on 50 clips of 2 words (no, yes) + no command (_silence_ 2, " \
           "_unknown_ 32 clips)" in out.out
    assert "_unknown_: 5 clips of the other words" in out.err


def test_train_leaves_scarce_words_out_and_says_so(sc_folder, tmp_path, capsys):
    root = _copy(sc_folder, tmp_path, "scarce")
    for word in ("go", "on", "off"):  # 2 clips left of each, against 16 of the other words
        for spk in SPEAKERS[1:]:
            for take in range(2):
                (root / word / f"{spk}_nohash_{take}.wav").unlink()
    path = tmp_path / "m.joblib"
    assert main(["train", str(root), "--model", "svm", "--subset", "all", "-o", str(path),
                 "--quiet"]) == 0
    out = capsys.readouterr()
    assert ("Note: on, off, go have few clips in the 'all' subset (on 2, off 2, go 2, "
            "against a median of 16): left out of the words and used as _unknown_ material. "
            "Pass --words to choose the words yourself.") in out.err
    assert load_model(path, return_metadata=True)[1]["classes"] == sorted(
        [w for w in TEN if w not in ("go", "on", "off")] + list(NON_COMMANDS))
    # 112 word clips, ceil(11.2) of _silence_; ceil(33.6) of _unknown_, then repeated so that
    # each of their words has the 16 clips of a command: 96
    assert "Trained svm on 220 clips of 7 words" in out.out
    assert "_silence_ 12, _unknown_ 96 clips" in out.out
    # chosen by the user: kept, with a warning
    assert main(["train", str(root), "--model", "svm", "--subset", "all", "--words", "yes",
                 "no", "go", "-o", str(path), "--force", "--quiet"]) == 0
    out = capsys.readouterr()
    assert "Note: go has few clips in the 'all' subset (go 2, against a median of 16): " \
           "expect poor recognition." in out.err
    assert "go" in load_model(path, return_metadata=True)[1]["classes"]
    # --task words: left out too, and said so
    assert main(["train", str(root), "--model", "svm", "--subset", "all", "--task", "words",
                 "-o", str(path), "--force", "--quiet"]) == 0
    assert "left out of the words and not trained." in capsys.readouterr().err


def test_train_without_background_noise_trains_the_words(sc_folder, tmp_path, capsys):
    root = _copy(sc_folder, tmp_path, "quiet")
    shutil.rmtree(root / "_background_noise_")
    path = tmp_path / "m.joblib"
    assert main(["train", str(root), "--model", "svm", "-o", str(path), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "has no _background_noise_/ to cut _silence_ clips from: training the words " \
           "only (--task words)." in err
    assert load_model(path, return_metadata=True)[1]["classes"] == sorted(TEN)
    assert main(["train", str(root), "--model", "svm", "--task", "12", "-o", str(path),
                 "--force", "--quiet"]) == 1
    assert "--task 12 cannot be built: " in capsys.readouterr().err


@pytest.mark.parametrize("data, args, message", [
    ("synthetic", ("--task", "12"), ("--task applies to a Speech Commands folder; synthetic "
                                    "speech has only its words")),
    ("fsdd_folder", ("--task", "words"), "--task applies to a Speech Commands folder; FSDD"),
    ("synthetic", ("--model", "kws", "--noise"), ("--noise mixes in a Speech Commands folder's "
                                                 "_background_noise_ recordings; synthetic")),
    ("sc", ("--model", "svm", "--noise"), ("--noise applies to --model kws or kws2d or "
                                           "ensemble, not to --model svm")),
    ("sc", ("--model", "kws", "--noise", "--no-augment"), ("--noise mixes background noise "
                                                          "into the augmented copies, but "
                                                          "--no-augment makes none")),
])
def test_train_refuses_task_and_noise_where_they_do_not_apply(sc_folder, tmp_path, capsys,
                                                             data, args, message):
    if data == "fsdd_folder":
        data = tmp_path / "fsdd"
        data.mkdir()
        for take in range(2):
            write_audio(data / f"3_bea_{take}.wav", np.full(400, 0.2, np.float32), 8000)
    elif data == "sc":
        data = sc_folder
    code = main(["train", str(data), *args, "-o", str(tmp_path / "m.joblib"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and message in err, err
    assert not (tmp_path / "m.joblib").exists()


def _noise_for(folder, *args):
    from skspeech.cli._train import _noise_files, build_model, load_data

    parsed = build_parser().parse_args(["train", str(folder), *args])
    data = load_data(str(folder), subset="train", task=parsed.task, verbose=False)
    said = []
    noise = _noise_files(parsed, data, said.append)
    return noise, build_model(parsed, 16000, 8, noise=noise), said


def test_network_recipes_get_the_folders_noise_files(sc_folder):
    pytest.importorskip("tensorflow")
    pytest.importorskip("scikeras")
    files = [str((sc_folder / "_background_noise_" / name).resolve())
             for name in ("hum.wav", "white_noise.wav")]
    noise, model, said = _noise_for(sc_folder, "--model", "kws")
    assert noise == files and model.get_params()["augmenter__noise"] == files
    assert said == [("Mixing the folder's 2 _background_noise_ recordings (hum.wav, "
                    "white_noise.wav) into the augmented copies (--no-noise: generated "
                    "noise instead)")]
    noise, model, said = _noise_for(sc_folder, "--model", "kws2d", "--no-noise")
    assert noise is None and model.get_params()["augmenter__noise"] is None and not said
    assert _noise_for(sc_folder, "--model", "kws", "--no-augment")[0] is None
    noise, model, _ = _noise_for(sc_folder, "--model", "ensemble")
    params = model.get_params()
    assert params["kws__augmenter__noise"] == files and params["kws2__augmenter__noise"] == files
    assert [name for name, _ in model.estimators] == ["hmm", "kws", "kws2", "svm"]
    assert _noise_for(sc_folder, "--model", "svm")[0] is None  # svm: never


@pytest.mark.slow
def test_train_kws_saves_the_noise_files(sc_folder, tmp_path, capsys):
    pytest.importorskip("tensorflow")
    pytest.importorskip("scikeras")
    path = tmp_path / "k.joblib"
    assert main(["train", str(sc_folder), "--model", "kws", "--epochs", "1", "--duration",
                 "0.5", "-o", str(path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "with augmentation (+ the folder's 2 background-noise recordings)" in out
    model, meta = load_model(path, return_metadata=True)
    assert model.get_params()["augmenter__noise"] == [
        str((sc_folder / "_background_noise_" / name).resolve())
        for name in ("hum.wav", "white_noise.wav")]
    assert meta["training"]["noise"] == ["hum.wav", "white_noise.wav"]
    assert meta["classes"] == TWELVE


# -- evaluate ------------------------------------------------------------------------------
def test_evaluate_reports_false_accepts_and_rejects(sc_folder, tmp_path, capsys):
    # "no" is rejected, "up" heard as "down", every other word accepted as "yes"
    answers = {"no": "_unknown_", "up": "down", **{w: "yes" for w in OTHERS}}
    path = _tone_model(tmp_path / "t.joblib", TWELVE, answers)
    assert main(["evaluate", str(path), str(sc_folder), "--quiet"]) == 0
    out = capsys.readouterr().out
    # test: speakers 0-1 x 2 takes x 10 words = 40 commands, ceil(4) _unknown_, 4 _silence_
    assert f"Accuracy on 48 clips of Speech Commands at {sc_folder} (test, task 12): 75.0% " \
           "(36/48)" in out
    assert "False accepts: 50.0% (4/8 _unknown_ or _silence_ clips heard as a command: " \
           "_unknown_ 4/4, _silence_ 0/4)" in out
    assert "False rejects: 10.0% (4/40 command clips heard as no command)" in out
    assert "Wrong commands: 10.0% (4/40 command clips heard as another command)" in out


def test_evaluate_the_trained_12_class_model(svm12, sc_folder, capsys):
    assert main(["evaluate", str(svm12), str(sc_folder), "--quiet"]) == 0
    out = capsys.readouterr().out
    m = re.search(r"False accepts: ([\d.]+)% \((\d+)/8 _unknown_ or _silence_ clips", out)
    assert m, out
    assert re.search(r"False rejects: [\d.]+% \(\d+/40 command clips heard as no command\)",
                     out)
    assert re.search(r"^\s+_unknown_\s+[\d.]+", out, re.MULTILINE)  # in the per-class report


def test_evaluate_words_model_prints_no_rates_and_plain_words(sc_folder, tmp_path, capsys):
    path = _tone_model(tmp_path / "w.joblib", ["no", "yes"])
    assert main(["evaluate", str(path), str(sc_folder), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Accuracy on 8 clips" in out and "False accepts" not in out
    assert main(["evaluate", str(path), str(sc_folder), "--words", "yes", "cat",
                 "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "The data has words the model never learned: cat; the model knows no, yes." in err
    assert "np.str_" not in err


def test_evaluate_12_class_model_with_words(sc_folder, tmp_path, capsys):
    path = _tone_model(tmp_path / "t.joblib", TWELVE)
    assert main(["evaluate", str(path), str(sc_folder), "--words", "yes", "--quiet"]) == 0
    out = capsys.readouterr().out
    # the model's other words are not _unknown_ here: only yes and the no-command clips
    assert "Accuracy on 12 clips" in out and "100.0% (12/12)" in out
    assert "False rejects: 0.0% (0/4 command clips heard as no command)" in out
    assert main(["evaluate", str(path), str(sc_folder), "--words", "cat", "--quiet"]) == 1
    assert "--words names words the model never learned: cat" in capsys.readouterr().err


def test_evaluate_model_with_only_unknown_on_a_12_class_folder(sc_folder, tmp_path, capsys):
    path = _tone_model(tmp_path / "u.joblib", ["_unknown_", "no", "yes"])
    assert main(["evaluate", str(path), str(sc_folder), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "Note: the model has no _silence_ class: left out 1 such clips." in captured.err
    assert "False accepts: 0.0% (0/1 _unknown_ clips heard as a command)" in captured.out


# -- predict and listen --------------------------------------------------------------------
def test_predict_prints_no_command(sc_folder, tmp_path, capsys):
    path = _tone_model(tmp_path / "t.joblib", TWELVE)
    files = [sc_folder / "yes" / f"{SPEAKERS[0]}_nohash_0.wav",
             sc_folder / "cat" / f"{SPEAKERS[0]}_nohash_0.wav"]
    assert main(["predict", str(path), *map(str, files), "--quiet"]) == 0
    rows = [line.split(None, 1)[1].rsplit(None, 1) for line in
            capsys.readouterr().out.splitlines()[1:]]
    assert rows == [["yes", "1.00"], ["no command", "1.00"]]
    assert main(["predict", str(path), *map(str, files), "--csv", "--quiet"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["word"], r["command"]) for r in rows] == [("yes", "yes"), ("_unknown_", "")]
    assert main(["predict", str(path), *map(str, files), "--json", "--quiet"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["word"], r["command"]) for r in rows] == [("yes", "yes"), ("_unknown_", None)]


def _tone(word, seconds):
    t = np.arange(int(seconds * SR)) / SR
    return 0.4 * np.sin(2 * np.pi * FREQ[word] * t)


def test_listen_prints_no_command(tmp_path, capsys):
    path = _tone_model(tmp_path / "t.joblib", TWELVE)
    rng = np.random.default_rng(0)
    rec = 0.003 * rng.standard_normal(8 * SR)
    rec[2 * SR:int(2.6 * SR)] += _tone("cat", 0.6)  # another word, around 2.3 s
    rec[5 * SR:int(5.6 * SR)] += _tone("yes", 0.6)  # a command, around 5.3 s
    write_audio(tmp_path / "s.wav", rec.astype(np.float32), SR)
    (tmp_path / "truth.csv").write_text("time,word\n5.3,yes\n")
    assert main(["listen", str(path), "--file", str(tmp_path / "s.wav"), "--truth",
                 str(tmp_path / "truth.csv")]) == 0
    out = capsys.readouterr()
    found = re.findall(r"^\s*([\d.]+) s  (no command|\w+)\s+p=", out.out, re.MULTILINE)
    assert [w for _, w in found] == ["no command", "yes"], out.out
    assert abs(float(found[0][0]) - 2.3) < 0.3 and abs(float(found[1][0]) - 5.3) < 0.3
    assert "hits 1/1, misses 0, false alarms 0" in out.out  # "no command" is no false alarm
    assert "(anything else: no command)" in out.err
    assert "1 command(s) detected, 1 sound(s) heard as no command." in out.err
    assert "_unknown_" not in out.out

    assert main(["listen", str(path), "--file", str(tmp_path / "s.wav"), "--commands-only",
                 "--quiet"]) == 0
    found = re.findall(r"^\s*[\d.]+ s  (no command|\w+)\s+p=", capsys.readouterr().out,
                       re.MULTILINE)
    assert found == ["yes"]


def test_train_calibrates_the_listener_on_the_validation_speakers(svm12, sc_folder, tmp_path,
                                                                  capsys):
    from skspeech.streaming import auto_threshold

    model, meta = load_model(svm12, return_metadata=True)
    stored = model.listener_calibration_
    assert meta["training"]["listener"]["threshold"] == stored["threshold"]
    assert stored["max_false_alarms_per_hour"] == 2.0 and stored["sr"] == 16000
    assert auto_threshold(model) == stored["threshold"]
    # another budget, said on the command line and printed
    path = tmp_path / "m.joblib"
    assert main(["train", str(sc_folder), "--model", "svm", "--false-alarms", "500", "-o",
                 str(path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Listener threshold [\d.]+: calibrated for at most 500 false alarms per "
                     r"hour on [\d.]+ min of the validation speakers \(there", out), out
    assert load_model(path).listener_calibration_["max_false_alarms_per_hour"] == 500
    # --no-calibrate: the default for the kind of model
    assert main(["train", str(sc_folder), "--model", "svm", "--no-calibrate", "-o", str(path),
                 "--force", "--quiet"]) == 0
    assert not hasattr(load_model(path), "listener_calibration_")
    assert main(["train", str(sc_folder), "--model", "svm", "--no-calibrate", "--false-alarms",
                 "1", "-o", str(path), "--force", "--quiet"]) == 1
    assert "--false-alarms sets the budget of the calibration, but --no-calibrate turns it off" \
        in capsys.readouterr().err
    # trained on every speaker: none left to calibrate on, and said so
    assert main(["train", str(sc_folder), "--model", "svm", "--subset", "all", "-o", str(path),
                 "--force", "--quiet"]) == 0
    assert "the listener's threshold is not calibrated: the model trained on the 'all' subset" \
        in capsys.readouterr().err
    assert not hasattr(load_model(path), "listener_calibration_")


def test_train_chooses_the_network_on_speech_commands_and_the_svm_elsewhere():
    from skspeech.cli._train import DEFAULT_MODELS

    assert build_parser().parse_args(["train", "x"]).model is None  # chosen per kind of data
    assert DEFAULT_MODELS == {"speech_commands": "kws"}
