"""skspeech train / evaluate / predict / listen / export, run as a user would (subprocesses)."""

import csv
import io
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import make_tone_commands

from skspeech import load_model
from skspeech.io import write_audio

WORDS = ("low", "mid", "high")


def _run(*args, cwd):
    env = dict(os.environ, SKSPEECH_DATA=str(cwd / "data"), OPENBLAS_NUM_THREADS="1",
               TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "skspeech", *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A Speech Commands layout: one folder of 8 kHz WAV tones per word."""
    root = tmp_path_factory.mktemp("commands")
    X, y = make_tone_commands(n_per_class=10, sr=8000, classes=WORDS, random_state=1)
    for i, (x, w) in enumerate(zip(X, y)):
        (root / w).mkdir(exist_ok=True)
        write_audio(root / w / f"spk{i % 5}_nohash_{i}.wav", x, 8000)
    return root


@pytest.fixture(scope="module")
def svm_model(folder, tmp_path_factory):
    cwd = tmp_path_factory.mktemp("svm")
    out = _run("train", folder, "--subset", "all", "--words", *WORDS, "--model", "svm",
               "-o", "m.joblib", "--quiet", cwd=cwd)
    assert out.returncode == 0, out.stderr
    return cwd / "m.joblib", out


def test_help_reads_well():
    out = subprocess.run([sys.executable, "-m", "skspeech", "--help"], capture_output=True,
                         text=True, timeout=120)
    for cmd in ("train", "evaluate", "predict", "listen", "export", "demo"):
        assert re.search(rf"^\s+{cmd}\s+\w", out.stdout, re.M), cmd


def test_train_writes_a_model_and_report(svm_model):
    path, out = svm_model
    assert re.search(r"Trained svm on 30 clips of 3 words \(high, low, mid\) at 8000 Hz",
                     out.stdout)
    assert "Model saved to m.joblib" in out.stdout
    model, meta = load_model(path, return_metadata=True)
    assert meta["classes"] == ["high", "low", "mid"] and meta["sr"] == 8000
    assert meta["training"]["n_clips"] == 30 and meta["training"]["model"] == "svm"


def test_train_never_overwrites(svm_model, folder):
    path, _ = svm_model
    before = path.read_bytes()
    out = _run("train", folder, "--subset", "all", "-o", path.name, "--quiet", cwd=path.parent)
    assert out.returncode == 1 and "exists; use --force" in out.stderr
    assert path.read_bytes() == before


def test_evaluate_prints_scores_and_plots(svm_model, folder):
    path, _ = svm_model
    out = _run("evaluate", path, folder, "--subset", "all", "--plot", "cm.png", "--quiet",
               cwd=path.parent)
    assert out.returncode == 0, out.stderr
    m = re.search(r"Accuracy on 30 clips .*: ([\d.]+)% \((\d+)/30\)", out.stdout)
    assert m and int(m[2]) >= 27  # separable tones: at most 3 training clips wrong
    assert "precision" in out.stdout and "recall" in out.stdout
    rows = [line for line in out.stdout.splitlines()
            if re.match(r"^(low|mid|high)\s+\d+\s+\d+", line)]
    assert len(rows) == 3 and sum(sum(map(int, r.split()[1:])) for r in rows) == 30
    png = path.parent / "cm.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000


def test_predict_table_csv_json(svm_model, folder):
    path, _ = svm_model
    files = sorted((folder / "high").glob("*.wav"))[:2]
    table = _run("predict", path, *files, "--quiet", cwd=path.parent)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["file", "word", "probability"]
    as_csv = _run("predict", path, folder / "low", "--csv", "--quiet", cwd=path.parent)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == 10 and sum(r["word"] == "low" for r in rows) >= 9
    assert all(0 <= float(r["probability"]) <= 1 for r in rows)
    as_json = json.loads(_run("predict", path, *files, "--json", "--quiet",
                              cwd=path.parent).stdout)
    assert [r["file"] for r in as_json] == [str(f) for f in files]
    assert {r["word"] for r in as_json} <= set(WORDS)


@pytest.mark.parametrize("args, message", [
    (("train", "missing_folder", "-o", "new.joblib"), "No such data folder: 'missing_folder'"),
    (("train", "notes.txt", "-o", "new.joblib"), "is a file; give a data folder"),
    (("evaluate", "missing.joblib", "synthetic"), "No such model file"),
    (("evaluate", "notes.txt", "synthetic"), "is not a model file"),
    (("predict", "model.joblib", "missing.wav"), "No such file or folder: 'missing.wav'"),
    (("predict", "model.joblib", "notes.txt"), "Cannot read"),
    (("predict", "notes.txt", "notes.txt"), "is not a model file"),
    (("listen", "model.joblib", "--file", "missing.wav"), "No such audio file"),
    (("listen", "model.joblib", "--word-threshold", "stop"), "WORD=PROBABILITY"),
    (("export", "model.joblib", "--representative", "x"), "needs a fitted Conv1D pipeline"),
    # an SVM cannot be exported: said first, before asking for --representative
    (("export", "model.joblib"), "needs a fitted Conv1D pipeline"),
])
def test_bad_paths_and_files(svm_model, tmp_path, args, message):
    (tmp_path / "notes.txt").write_text("not audio, not a model")
    (tmp_path / "model.joblib").write_bytes(svm_model[0].read_bytes())
    out = _run(*args, cwd=tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr, out.stderr


def _session(sr, rng):
    """A model trained on one take of each voice, and 30 s of quiet noise with the other take
    of commands at known times (the speakers of a household, heard again)."""
    from skspeech.datasets import make_spoken_commands
    from skspeech.pipelines import svm_pipeline

    said = make_spoken_commands(words=["yes", "no", "stop", "go"], n_voices=8, n_takes=2,
                                sr=sr, noise=None, random_state=7)
    train = said.take == 0
    X = said.data[train] + 0.003 * rng.standard_normal(said.data[train].shape).astype(np.float32)
    model = svm_pipeline(sr=sr).fit(X, said.target[train])
    rec = (0.003 * rng.standard_normal(30 * sr)).astype(np.float32)
    rec[int(26.0 * sr):int(28.0 * sr)] *= 3  # a louder stretch of noise, no speech
    truth, start = [], 2.0
    for i in np.flatnonzero(~train)[::3][:8]:  # all four words, twice, from six voices
        clip = said.data[i]
        e = clip.astype(np.float64) ** 2
        centre = float(np.sum(e * np.arange(clip.size)) / e.sum()) / sr
        s = int(start * sr)
        rec[s:s + clip.size] += clip
        truth.append((round(start + centre, 3), str(said.target[i])))
        start += 3.0
    return model, rec, truth


def test_listen_file_finds_commands_at_their_times(tmp_path):
    pytest.importorskip("espeakng_loader")
    from skspeech import save_model

    sr = 8000
    model, rec, truth = _session(sr, np.random.default_rng(0))
    assert len({w for _, w in truth}) == 4
    save_model(tmp_path / "words.joblib", model)
    write_audio(tmp_path / "session.wav", rec, sr)
    (tmp_path / "truth.csv").write_text("time,word\n" + "".join(f"{t},{w}\n" for t, w in truth))
    out = _run("listen", "words.joblib", "--file", "session.wav", "--truth", "truth.csv",
               cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    found = [(float(m[1]), m[2]) for m in re.finditer(r"^\s*([\d.]+) s\s+(\S+)\s+p=", out.stdout,
                                                      re.M)]
    hits = sum(any(w == fw and abs(t - ft) <= 0.5 for ft, fw in found) for t, w in truth)
    near = [(ft, fw) for ft, fw in found if any(abs(ft - t) <= 0.5 for t, _ in truth)]
    false_alarms = len(found) - len(near)
    print(f"listen --file: hits {hits}/{len(truth)}, misses {len(truth) - hits}, "
          f"false alarms {false_alarms}; detections {found}")
    assert hits == len(truth)
    assert false_alarms == 0  # nothing in the silent and noisy stretches
    assert ("Threshold 0.6: the default for a model that is not a neural network (not "
            "calibrated) (--threshold sets another).") in out.stderr
    assert f"hits {len(truth)}/{len(truth)}, misses 0, false alarms 0" in out.stdout


@pytest.mark.slow
def test_train_evaluate_predict_export_conv1d(folder, tmp_path):
    pytest.importorskip("tensorflow")
    pytest.importorskip("scikeras")
    train = _run("train", folder, "--subset", "all", "--words", *WORDS, "--model", "conv1d",
                 "--duration", "0.7", "--filters", "8", "16", "--epochs", "15", "-o", "c.joblib",
                 "--quiet", cwd=tmp_path)
    assert train.returncode == 0, train.stderr
    ev = _run("evaluate", "c.joblib", folder, "--subset", "all", "--quiet", cwd=tmp_path)
    assert ev.returncode == 0 and "Accuracy on 30 clips" in ev.stdout, ev.stderr
    pred = _run("predict", "c.joblib", folder / "mid", "--json", "--quiet", cwd=tmp_path)
    assert pred.returncode == 0 and len(json.loads(pred.stdout)) == 10, pred.stderr
    exp = _run("export", "c.joblib", "-o", "tfl", "--representative", folder, "--quiet",
               cwd=tmp_path)
    assert exp.returncode == 0, exp.stderr
    sizes = dict(re.findall(r"(float|int8): \S+ \(([\d.]+) KB\)", exp.stdout))
    assert set(sizes) == {"float", "int8"} and float(sizes["int8"]) < float(sizes["float"])
    settings = json.loads((tmp_path / "tfl" / "frontend.json").read_text())
    assert settings["sr"] == 8000 and settings["n_samples"] == 5600
    assert settings["classes"] == ["high", "low", "mid"]
    again = _run("export", "c.joblib", "-o", "tfl", "--representative", folder, "--quiet",
                 cwd=tmp_path)
    assert again.returncode == 1 and "--force" in again.stderr


def test_listen_without_sounddevice_says_how_to_install(svm_model):
    try:
        import sounddevice  # noqa: F401
    except ImportError:
        expected = "pip install 'skspeech[mic]'"
    except OSError:  # the package is there, the PortAudio library is not
        expected = "apt install libportaudio2"
    else:
        pytest.skip("sounddevice and PortAudio are installed: the microphone would be opened")
    path, _ = svm_model
    out = _run("listen", path.name, "--quiet", cwd=path.parent)
    assert out.returncode == 1 and expected in out.stderr
    assert "Traceback" not in out.stderr


def test_fit_with_progress_equals_pipeline_fit(capsys):
    from skspeech.augment import AugmentedClassifier
    from skspeech.pipelines import fit_with_progress, hmm_pipeline, svm_pipeline

    X, y = make_tone_commands(n_per_class=8, sr=8000, random_state=3)
    X_new, _ = make_tone_commands(n_per_class=3, sr=8000, random_state=4)
    for make in (lambda: svm_pipeline(sr=8000, probability=False),
                 lambda: hmm_pipeline(sr=8000, n_states=3, random_state=0, augment=False),
                 lambda: hmm_pipeline(sr=8000, n_states=3, random_state=0)):  # augmented
        plain = make().fit(X, y)
        stepped = fit_with_progress(make(), X, y, chunk=5)  # several chunks, ragged clips
        np.testing.assert_array_equal(stepped.predict(X_new), plain.predict(X_new))
        if hasattr(plain, "predict_proba"):
            np.testing.assert_array_equal(stepped.predict_proba(X_new),
                                          plain.predict_proba(X_new))
    assert isinstance(stepped, AugmentedClassifier) and stepped.n_train_ == 3 * len(y)
    np.testing.assert_array_equal(stepped.classes_, plain.classes_)
    err = capsys.readouterr().err
    assert "Features: mfcc" in err and f"Augmenting: {len(y)} clips -> {3 * len(y)}" in err


# --- choosing the model and its augmentation (in-process: the models are what is tested) ----

def _train_in_process(folder, tmp_path, *args):
    from skspeech.cli import main

    code = main(["train", str(folder), "--subset", "all", "--words", *WORDS, "-o",
                 str(tmp_path / "m.joblib"), "--quiet", *map(str, args)])
    return code, tmp_path / "m.joblib"


def test_train_hmm_augments_by_default_and_not_with_no_augment(folder, tmp_path, capsys):
    from sklearn.pipeline import Pipeline

    from skspeech.augment import AugmentedClassifier

    code, path = _train_in_process(folder, tmp_path, "--model", "hmm", "--n-states", "3",
                                   "--n-iter", "5")
    assert code == 0, capsys.readouterr().err
    assert "Trained hmm on 30 clips of 3 words (high, low, mid) at 8000 Hz with augmentation" \
        in capsys.readouterr().out
    model, meta = load_model(path, return_metadata=True)
    assert isinstance(model, AugmentedClassifier) and model.n_train_ == 90
    assert model.estimator_.named_steps["hmm"].n_states == 3
    assert meta["training"]["augment"] is True and meta["sr"] == 8000

    code, path = _train_in_process(folder, tmp_path, "--model", "hmm", "--no-augment",
                                   "--n-states", "3", "--n-iter", "5", "--force")
    assert code == 0, capsys.readouterr().err
    assert "with augmentation" not in capsys.readouterr().out
    plain, meta = load_model(path, return_metadata=True)
    assert isinstance(plain, Pipeline) and plain.named_steps["hmm"].n_states == 3
    assert meta["training"]["augment"] is False and meta["classes"] == ["high", "low", "mid"]
    X, y = make_tone_commands(n_per_class=4, sr=8000, classes=WORDS, random_state=9)
    assert np.mean(plain.predict(X) == y) >= 0.9 and np.mean(model.predict(X) == y) >= 0.9


def test_train_svm_augment_wraps_the_recipe(folder, tmp_path, capsys):
    from skspeech.augment import AugmentedClassifier, WaveAugmenter
    from skspeech.cli._train import inner_pipeline

    code, path = _train_in_process(folder, tmp_path, "--model", "svm", "--augment", "--C", "3",
                                   "--seed", "5")
    assert code == 0, capsys.readouterr().err
    model, meta = load_model(path, return_metadata=True)
    assert isinstance(model, AugmentedClassifier) and isinstance(model.augmenter, WaveAugmenter)
    assert (model.augmenter.n_copies, model.augmenter.sr, model.augmenter.random_state) == \
        (2, 8000, 5)
    assert model.n_train_ == 90 and meta["training"]["augment"] is True
    assert inner_pipeline(model) is model.estimator_
    assert model.estimator_.named_steps["svc"].estimator.C == 3
    X, y = make_tone_commands(n_per_class=4, sr=8000, classes=WORDS, random_state=9)
    proba = model.predict_proba(X)  # the CLI's predict and listen need probabilities
    assert proba.shape == (12, 3) and np.mean(model.classes_[proba.argmax(1)] == y) >= 0.9
    # svm's default stays off
    code, path = _train_in_process(folder, tmp_path, "--model", "svm", "--force")
    assert code == 0 and type(load_model(path)).__name__ == "SpeechPipeline"


def test_predict_with_an_augmented_model(folder, tmp_path):
    out = _run("train", folder, "--subset", "all", "--words", *WORDS, "--model", "hmm",
               "--n-states", "3", "--n-iter", "5", "-o", "h.joblib", "--quiet", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    pred = _run("predict", "h.joblib", folder / "low", "--json", "--quiet", cwd=tmp_path)
    assert pred.returncode == 0, pred.stderr
    rows = json.loads(pred.stdout)
    assert len(rows) == 10 and sum(r["word"] == "low" for r in rows) >= 9
    assert all(0 <= r["probability"] <= 1 for r in rows)
    ev = _run("evaluate", "h.joblib", folder, "--subset", "all", "--quiet", cwd=tmp_path)
    assert ev.returncode == 0 and re.search(r"Accuracy on 30 clips .*\((\d+)/30\)", ev.stdout)


@pytest.mark.parametrize("args, message", [
    (("--model", "hmm", "--epochs", "3"), "--epochs applies to --model conv1d or kws or "
                                          "kws2d or ensemble, not to --model hmm"),
    (("--model", "ensemble", "--n-states", "3"), "--n-states applies to --model hmm"),
    (("--model", "kws", "--features", "logmel"), "--features applies to --model conv1d"),
    (("--model", "kws", "--filters", "8"), "--filters applies to --model conv1d"),
    (("--model", "svm", "--n-states", "3"), "--n-states applies to --model hmm"),
    (("--model", "hmm", "--C", "1"), "--C applies to --model svm"),
    (("--model", "kws", "--epochs", "0"), "--epochs must be at least 1; got 0"),
    (("--model", "conv1d", "--duration", "0"), "--duration must be a positive number"),
    (("--model", "svm", "--babble", "0.3"), "--babble applies to --model kws or kws2d"),
    (("--model", "kws", "--babble", "1.5"), "--babble is a share of the noisy copies, from 0 "
                                            "to 1; got 1.5"),
    (("--model", "kws", "--babble", "0.3", "--no-augment"), "--babble mixes babble into the "
                                                            "augmented copies"),
])
def test_train_rejects_options_of_other_models(folder, tmp_path, capsys, args, message):
    code, path = _train_in_process(folder, tmp_path, *args)
    err = capsys.readouterr().err
    assert code == 1 and message in err, err
    assert not path.exists()


def test_train_help_names_kws_and_augment():
    from skspeech.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["train", "synthetic"])
    assert args.augment is None and args.model is None  # None: each recipe's own default
    assert parser.parse_args(["train", "x", "--no-augment"]).augment is False
    assert parser.parse_args(["train", "x", "--model", "kws", "--augment"]).augment is True
    out = subprocess.run([sys.executable, "-m", "skspeech", "train", "--help"],
                         capture_output=True, text=True, timeout=120).stdout
    assert "{svm,conv1d,hmm,kws,kws2d,ensemble,custom}" in out and "--augment, --no-augment" in out
    assert "kws: a small keyword-spotting network" in " ".join(out.split())


@pytest.mark.slow
def test_train_evaluate_predict_listen_kws(folder, tmp_path, capsys):
    pytest.importorskip("tensorflow")
    pytest.importorskip("scikeras")
    from skspeech.cli import main

    # in this process: one TensorFlow start-up for the four commands
    code, path = _train_in_process(folder, tmp_path, "--model", "kws", "--epochs", "1",
                                   "--duration", "0.7")
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Trained kws on 30 clips" in out.out and "with augmentation" in out.out
    model, meta = load_model(path, return_metadata=True)
    assert model.augmenter.n_copies == 2  # waveform copies while fitting, by default
    pipe = model.estimator_
    net = pipe.named_steps["kws"]
    assert (net.epochs, net.random_state, len(net.history_["loss"])) == (1, 0, 1)
    assert net.freq_masks > 0 and pipe.named_steps["padtrim"].duration == 0.7
    assert meta["training"]["model"] == "kws" and meta["sr"] == 8000

    k = str(path)
    assert main(["predict", k, str(folder / "mid"), "--json", "--quiet"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 10 and {r["word"] for r in rows} <= set(WORDS)
    assert all(0 <= r["probability"] <= 1 for r in rows)
    assert main(["evaluate", k, str(folder), "--subset", "all", "--quiet"]) == 0
    assert "Accuracy on 30 clips" in capsys.readouterr().out
    clips = [_read(p) for p in sorted((folder / "mid").glob("*.wav"))[:3]]
    write_audio(tmp_path / "s.wav", np.concatenate(clips + [np.zeros(8000, np.float32)]), 8000)
    assert main(["listen", k, "--file", str(tmp_path / "s.wav"), "--threshold", "0.01",
                 "--quiet"]) == 0
    assert re.search(r"^\s*[\d.]+ s\s+(low|mid|high)\s+p=", capsys.readouterr().out, re.M)
    assert main(["export", k, "-o", str(tmp_path / "tfl"), "--representative", str(folder),
                 "--n-representative", "12", "--quiet"]) == 0
    sizes = dict(re.findall(r"(float|int8): \S+ \(([\d.]+) KB\)", capsys.readouterr().out))
    assert set(sizes) == {"float", "int8"} and float(sizes["int8"]) < float(sizes["float"])
    settings = json.loads((tmp_path / "tfl" / "frontend.json").read_text())
    assert settings["classes"] == ["high", "low", "mid"] and settings["n_samples"] == 5600


@pytest.mark.slow
def test_train_predict_listen_ensemble(folder, tmp_path, capsys):
    pytest.importorskip("tensorflow")
    pytest.importorskip("scikeras")
    pytest.importorskip("hmmlearn")
    from skspeech.cli import main

    code, path = _train_in_process(folder, tmp_path, "--model", "ensemble", "--epochs", "2",
                                   "--duration", "0.7")
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Trained ensemble on 30 clips" in out.out and "with augmentation" in out.out
    model, meta = load_model(path, return_metadata=True)
    assert [name for name, _ in model.estimators] == ["hmm", "kws", "kws2", "svm"]
    assert model.named_estimators_["kws2"].estimator_.named_steps["kws"].epochs == 2
    assert meta["sr"] == 8000 and meta["training"]["model"] == "ensemble"
    k = str(path)
    assert main(["predict", k, str(folder / "low"), "--json", "--quiet"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 10 and sum(r["word"] == "low" for r in rows) >= 8
    clips = [_read(p) for p in sorted((folder / "high").glob("*.wav"))[:2]]
    write_audio(tmp_path / "s.wav", np.concatenate(clips + [np.zeros(8000, np.float32)]), 8000)
    assert main(["listen", k, "--file", str(tmp_path / "s.wav"), "--threshold", "0.01",
                 "--quiet"]) == 0
    assert re.search(r"^\s*[\d.]+ s\s+high\s+p=", capsys.readouterr().out, re.M)


def test_train_kws_no_augment_turns_the_network_masks_off():
    pytest.importorskip("tensorflow")
    pytest.importorskip("scikeras")
    from skspeech.cli import build_parser
    from skspeech.cli._train import _augmented, build_model

    parser = build_parser()
    default = build_model(parser.parse_args(["train", "x", "--model", "kws"]), 8000, 10)
    off = build_model(parser.parse_args(["train", "x", "--model", "kws", "--no-augment",
                                         "--epochs", "3", "--seed", "4"]), 8000, 10)
    assert _augmented(default) and not _augmented(off)
    assert default.augmenter.n_copies == 2 and default.augmenter.random_state == 0
    net = default.estimator.named_steps["kws"]
    assert net.freq_masks > 0 and net.time_masks > 0 and net.time_shift > 0
    assert net.epochs == 60 and default.estimator.named_steps["padtrim"].duration == 1.0
    net = off.named_steps["kws"]
    assert (net.freq_masks, net.time_masks, net.time_shift) == (0, 0, 0.0)
    assert (net.epochs, net.random_state) == (3, 4)
    # --model kws2d: the same recipe on the 2-D network
    two_d = build_model(parser.parse_args(["train", "x", "--model", "kws2d", "--no-augment",
                                           "--epochs", "3"]), 8000, 10)
    net = two_d.named_steps["kws"]
    assert type(net).__name__ == "KWS2DClassifier" and not _augmented(two_d)
    assert (net.freq_masks, net.epochs) == (0, 3)
    assert _augmented(build_model(parser.parse_args(["train", "x", "--model", "kws2d"]), 8000,
                                  10))


def test_train_ensemble_fits_the_svm_calibration_to_few_clips():
    pytest.importorskip("tensorflow")
    pytest.importorskip("scikeras")
    pytest.importorskip("hmmlearn")
    from skspeech.cli import build_parser
    from skspeech.cli._train import build_model

    args = build_parser().parse_args(["train", "x", "--model", "ensemble"])
    assert build_model(args, 8000, 10).get_params()["svm__svc__cv"] == 5
    assert build_model(args, 8000, 3).get_params()["svm__svc__cv"] == 3
    assert build_model(args, 8000, 1).get_params()["svm"] == "drop"


def _read(path):
    from skspeech.io import read_audio

    return read_audio(path)[0]


def test_listen_threshold_is_auto_unless_given_and_fills_unnamed_words():
    from argparse import Namespace

    from skspeech.cli._listen import _thresholds

    def args(words=(), threshold=None):
        return Namespace(word_threshold=words, threshold=threshold)

    assert _thresholds(args(), ["a", "b"]) == "auto"  # CommandListener: by the kind of model
    assert _thresholds(args(threshold=0.7), ["a", "b"]) == 0.7
    assert _thresholds(args(("a=0.5",), 0.7), ["a", "b"]) == {"a": 0.5, "b": 0.7}
    assert _thresholds(args(("a=0.5",)), ["a", "b"]) == {"a": 0.5}  # b: the automatic one


def test_listen_says_which_threshold_it_uses_and_why():
    from sklearn.dummy import DummyClassifier

    from skspeech.streaming import describe_threshold

    model = DummyClassifier().fit([[0], [1]], ["a", "b"])
    assert describe_threshold(model, 0.7) == "0.7 (given)"
    assert describe_threshold(model) == ("0.6: the default for a model that is not a neural "
                                         "network (not calibrated)")
    model.listener_calibration_ = {"threshold": 0.98, "max_false_alarms_per_hour": 2.0,
                                   "minutes": 91.5}
    assert describe_threshold(model, "auto") == (
        "0.98: calibrated for at most 2 false alarms per hour on 91.5 min of held-out speech")
    assert describe_threshold(model, {"a": 0.5}) == (
        "a=0.5 (given), the other words 0.98: calibrated for at most 2 false alarms per hour on "
        "91.5 min of held-out speech")
