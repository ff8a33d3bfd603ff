"""The examples run (small settings) and produce their figures."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _case(name, expected, *needs, slow=False):
    """An example file, a line it must print and the modules it needs."""
    return pytest.param(name, expected, list(needs), id=name,
                        marks=[pytest.mark.slow] if slow else [])


# the TensorFlow examples are slow (TensorFlow start-up and training)
CASES = [
    _case("plot_svm_commands.py", "accuracy on unseen voices", "espeakng_loader"),
    _case("plot_features.py", "MFCC frames (99, 13)", "espeakng_loader"),
    _case("plot_compare_fsdd.py", "HMM: accuracy", "espeakng_loader", "hmmlearn"),
    _case("plot_grid_search.py", "best cross-validated accuracy", "espeakng_loader"),
    _case("plot_streaming.py", "detected", "espeakng_loader"),
    _case("tutorial_conv1d.py", "MFCC, 16 kHz: accuracy", "espeakng_loader", "keras", "scikeras",
          slow=True),
    _case("export_tflite.py", "int8 TFLite agrees with Keras", "espeakng_loader", "keras",
          "scikeras", slow=True),
]


@pytest.mark.parametrize("name, expected, needs", CASES)
def test_example_runs(tmp_path, name, expected, needs):
    pytest.importorskip("matplotlib")
    for module in needs:
        pytest.importorskip(module)
    png = tmp_path / "figure.png"
    env = dict(os.environ, SKSPEECH_EXAMPLE_SMALL="1", SKSPEECH_EXAMPLE_OUTPUT=str(png),
               SKSPEECH_DATA=str(tmp_path / "data"), TF_CPP_MIN_LOG_LEVEL="2")
    out = subprocess.run([sys.executable, str(EXAMPLES / name)], env=env, capture_output=True,
                         text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    assert expected in out.stdout
    assert png.stat().st_size > 10_000


_DEV = Path(os.environ.get("SKSPEECH_DEV_DATA", Path(__file__).resolve().parents[2] / "shared"
                           / "data" / "speech_commands_dev"))


@pytest.mark.skipif(not _DEV.is_dir(), reason=f"no Speech Commands copy at {_DEV}")
def test_custom_words_example_hears_the_new_word(tmp_path):
    """A word the pretrained model never heard, taught with ten clips, heard in a stream."""
    pytest.importorskip("matplotlib")
    from skspeech import pretrained

    if not pretrained.available():
        pytest.skip("the pretrained model's files are not installed")
    png = tmp_path / "figure.png"
    env = dict(os.environ, SKSPEECH_EXAMPLE_OUTPUT=str(png), SKSPEECH_DEV_DATA=str(_DEV))
    out = subprocess.run([sys.executable, str(EXAMPLES / "custom_words.py")], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if " heard, " in x)
    hits, total, false_alarms = int(line.split()[0]), int(line.split()[2]), int(line.split()[4])
    assert total == 8 and hits >= 6 and false_alarms <= 2, out.stdout
    assert png.stat().st_size > 10_000


def test_streaming_example_finds_commands(tmp_path):
    """The streaming example hears most of the commands it placed in the recording."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("espeakng_loader")
    env = dict(os.environ, SKSPEECH_EXAMPLE_SMALL="1", SKSPEECH_DATA=str(tmp_path / "data"))
    out = subprocess.run([sys.executable, str(EXAMPLES / "plot_streaming.py")], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith("detected"))
    found, total = int(line.split()[1]), int(line.split()[3])
    assert total == 4 and found >= 2, out.stdout
