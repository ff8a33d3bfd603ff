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
    assert re.search(r"Trained svm on 30 clips of 3 words \(high, low, mid\) at 8000 Hz", out.stdout)
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
    rows = [line for line in out.stdout.splitlines() if re.match(r"^(low|mid|high)\s+\d+\s+\d+", line)]
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
    (("export", "model.joblib"), "needs --representative"),
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
    from skspeech.cli._train import fit_with_progress
    from skspeech.pipelines import hmm_pipeline, svm_pipeline

    X, y = make_tone_commands(n_per_class=8, sr=8000, random_state=3)
    X_new, _ = make_tone_commands(n_per_class=3, sr=8000, random_state=4)
    for make in (lambda: svm_pipeline(sr=8000, probability=False),
                 lambda: hmm_pipeline(sr=8000, n_states=3, random_state=0)):
        plain = make().fit(X, y)
        stepped = fit_with_progress(make(), X, y, chunk=5)  # several chunks, ragged clips
        np.testing.assert_array_equal(stepped.predict(X_new), plain.predict(X_new))
    assert "Features: mfcc" in capsys.readouterr().err
