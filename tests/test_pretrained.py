"""The pretrained model shipped in the package: files, loading without TensorFlow, the CLI's
default, its calibrated threshold and its model card."""

import configparser
import fnmatch
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skspeech import pretrained

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SKSPEECH_DEV_DATA", REPO.parent / "shared" / "data"
                           / "speech_commands_dev"))
TEN = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")

pytestmark = pytest.mark.skipif(not pretrained.available(),
                                reason="the pretrained model's files are not installed")
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"no Speech Commands copy at {DATA}")

# Runs in a new process in which `import tensorflow` fails: what the edge extra gives.
_NO_TF = "import sys; sys.modules['tensorflow'] = None\n"


def _python(code, *, cwd=None):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-c", _NO_TF + code], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def _test_clips(words, per_word=2):
    """The first clips of the test subset's speakers for each word (paths)."""
    listed = (DATA / "testing_list.txt").read_text().split()
    return {w: [DATA / p for p in listed if p.startswith(f"{w}/")][:per_word] for w in words}


def test_files_are_small_int8_and_no_pickle():
    folder = pretrained.path()
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert names == ["MODEL_CARD.md", "embedding_int8.tflite", "frontend.json",
                     "model_int8.tflite"]
    assert sum((folder / n).stat().st_size for n in names) < 1024 * 1024


def test_setup_cfg_ships_every_file():
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    patterns = cfg["options.package_data"]["skspeech.pretrained"].split()
    for p in pretrained.path().iterdir():
        rel = f"{p.parent.name}/{p.name}"
        assert any(fnmatch.fnmatch(rel, pat) for pat in patterns), rel


def test_load_gives_an_estimator_with_words_and_a_calibrated_threshold():
    from skspeech.streaming import auto_threshold, threshold_origin

    model = pretrained.load()
    assert model.sr == 16000 and model.variant == "int8"
    assert sorted(model.classes_) == sorted([*TEN, "_silence_", "_unknown_"])
    proba = model.predict_proba(np.zeros((2, 16000), dtype=np.float32))
    assert proba.shape == (2, 12) and np.allclose(proba.sum(axis=1), 1, atol=0.02)
    assert 0.5 < auto_threshold(model) < 1
    assert "calibrated" in threshold_origin(model) and "twin" in threshold_origin(model)


def test_names_and_errors():
    with pytest.raises(ValueError, match="No pretrained model named 'speech-commands-35'.*"
                                         "speech-commands-12"):
        pretrained.path("speech-commands-35")
    from skspeech.pretrained import load_model_or_pretrained

    model, meta = load_model_or_pretrained("speech-commands-12", return_metadata=True)
    assert meta["pretrained"] == "speech-commands-12" and meta["variant"] == "int8"
    with pytest.raises(ValueError, match="ships only its int8"):
        load_model_or_pretrained("speech-commands-12", variant="float")


def test_model_card_credits_the_data_and_matches_the_benchmark():
    card = pretrained.model_card()
    assert card.startswith("# Model card: speech-commands-12")
    assert "CC BY 4.0" in card and "Pete Warden" in card
    printout = (REPO / "docs" / "benchmarks" / "pretrained.txt").read_text()
    clean = re.search(r"clean\s+accuracy\s+([\d.]+%)", printout).group(1)
    assert clean in card  # the card quotes the benchmark, not a number of its own


@needs_data
def test_recognises_test_speakers_without_tensorflow():
    clips = _test_clips(TEN)
    code = (f"from skspeech import pretrained; from skspeech.io import read_audio\n"
            f"clips = {[[str(p) for p in ps] for ps in clips.values()]!r}\n"
            f"model = pretrained.load()\n"
            f"X = [read_audio(p, sr=16000)[0] for ps in clips for p in ps]\n"
            f"print(' '.join(model.predict(X)))\n"
            f"print('tensorflow' in sys.modules and sys.modules['tensorflow'] is not None)")
    out = _python(code)
    assert out.returncode == 0, out.stderr
    said, tf_loaded = out.stdout.split("\n")[:2]
    want = [w for w, ps in clips.items() for _ in ps]
    assert np.mean(np.array(said.split()) == np.array(want)) >= 0.8, said
    assert tf_loaded == "False"


@needs_data
def test_cli_listen_and_predict_without_a_model_use_it(tmp_path):
    from skspeech.io import read_audio, write_audio

    clips = _test_clips(("yes", "stop", "left"), per_word=1)
    rng = np.random.default_rng(0)
    parts = []
    for w in ("yes", "stop", "left"):
        parts += [0.003 * rng.standard_normal(24000), read_audio(clips[w][0], sr=16000)[0]]
    parts.append(0.003 * rng.standard_normal(24000))
    write_audio(tmp_path / "three.wav", np.concatenate(parts).astype(np.float32), 16000)
    readme = (REPO / "README.md").read_text()
    clip = re.search(r"skspeech listen --file \.\./shared/data/speech_commands_dev/(\S+\.wav)",
                     readme).group(1)  # the README's command, on its clip
    write_audio(tmp_path / "yes.wav", read_audio(DATA / clip, sr=16000)[0], 16000)
    main = "from skspeech.cli import main; sys.exit(main({!r}))"
    # the README's command: one clip, the listener's defaults (its calibrated threshold)
    out = _python(main.format(["listen", "--file", "yes.wav"]), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "using the pretrained model 'speech-commands-12'" in out.stderr
    assert "calibrated" in out.stderr  # which threshold, and why
    assert re.findall(r"\b(yes|no command)\b", out.stdout)[:1] == ["yes"], out.stdout
    # three words in a row (a threshold given: the calibrated one is strict, see the card)
    out = _python(main.format(["listen", "--file", "three.wav", "--threshold", "0.5",
                               "--commands-only"]), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    heard = re.findall(r"\b(yes|stop|left)\b", out.stdout)
    assert heard == ["yes", "stop", "left"], out.stdout
    out = _python(main.format(["predict", "yes.wav", "--csv"]), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "yes.wav,yes,yes," in out.stdout
