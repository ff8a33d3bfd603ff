"""The examples run (small settings) and produce their figures."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("name", ["plot_svm_commands.py"])
def test_example_runs(tmp_path, name):
    pytest.importorskip("matplotlib")
    pytest.importorskip("espeakng_loader")
    png = tmp_path / "figure.png"
    env = dict(os.environ, SKSPEECH_EXAMPLE_SMALL="1", SKSPEECH_EXAMPLE_OUTPUT=str(png),
               SKSPEECH_DATA=str(tmp_path / "data"))
    out = subprocess.run([sys.executable, str(EXAMPLES / name)], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "accuracy on unseen voices" in out.stdout
    assert png.stat().st_size > 10_000
