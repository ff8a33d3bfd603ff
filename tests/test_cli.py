"""The ``skspeech`` command line, run as a user would (in a subprocess)."""

import os
import re
import subprocess
import sys

import pytest

from skspeech import load_model


def _run(*args, tmp_path):
    env = dict(os.environ, SKSPEECH_DATA=str(tmp_path / "data"))
    return subprocess.run([sys.executable, "-m", "skspeech", *args], check=False,
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)


def test_help_lists_demo(tmp_path):
    out = _run("--help", tmp_path=tmp_path)
    assert out.returncode == 0 and "demo" in out.stdout
    assert _run(tmp_path=tmp_path).returncode == 2  # no command: help and exit code 2


def test_demo_end_to_end_never_overwrites(tmp_path):
    pytest.importorskip("espeakng_loader")
    args = ("demo", "--n-voices", "8", "--words", "yes", "no", "stop", "--quiet")
    first = _run(*args, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Accuracy on 2 voices never heard in training" in first.stdout
    assert "heard 'yes'" in first.stdout or "heard 'no'" in first.stdout \
        or "heard 'stop'" in first.stdout
    # the model can say "no command": an _unknown_ class of other words, and words it was
    # never trained on (learn, follow), said by the 2 held-out voices, are put to it
    assert re.search(r"^False accepts: [\d.]+% \(\d+/20 _unknown_ clips heard as a command\)$",
                     first.stdout, re.MULTILINE)
    assert re.search(r"^False rejects: [\d.]+% \(\d+/6 command clips heard as no command\)$",
                     first.stdout, re.MULTILINE)
    assert re.search(r"^Words never trained on \(learn, follow\), said by the held-out voices: "
                     r"\d/4 heard as no command \([\d.]+%\)$", first.stdout, re.MULTILINE)
    assert re.search(r"said 'follow'\s+heard .*\(never trained on\)|said 'learn'\s+heard .*"
                     r"\(never trained on\)", first.stdout)
    model, meta = load_model(tmp_path / "skspeech-demo.joblib", return_metadata=True)
    assert set(model.classes_) == {"yes", "no", "stop", "_unknown_"}
    assert meta["sr"] == 16000 and "held-out synthetic voices" in meta["report"]

    before = (tmp_path / "skspeech-demo.joblib").read_bytes()
    second = _run(*args, tmp_path=tmp_path)
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "skspeech-demo.joblib").read_bytes() == before  # kept
    assert (tmp_path / "skspeech-demo-2.joblib").exists()
    assert "Model saved to skspeech-demo-2.joblib" in second.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("demo", "--n-voices", "2"), "--n-voices must be at least 4"),
        (("demo", "--test-voices", "1.5"), "--test-voices must be a fraction"),
        (("demo", "--words", "yes", "cat", "--unknown-words", "cat", "dog"),
         "--unknown-words must name words not used elsewhere: cat is already in --words."),
    ],
)
def test_demo_bad_arguments(tmp_path, args, message):
    out = _run(*args, tmp_path=tmp_path)
    assert out.returncode == 1
    assert message in out.stderr and "Traceback" not in out.stderr
