"""The documentation builds with warnings treated as errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("sphinx_gallery")
    pytest.importorskip("numpydoc")
    pytest.importorskip("pydata_sphinx_theme")
    pytest.importorskip("matplotlib")
    pytest.importorskip("espeakng_loader")
    pytest.importorskip("hmmlearn")
    out_dir = tmp_path / "html"
    env = dict(os.environ, SKSPEECH_EXAMPLE_SMALL="1", SKSPEECH_DATA=str(tmp_path / "data"),
               TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("SKSPEECH_DOCS_ONLINE", None)
    out = subprocess.run(
        # run_stale_examples: execute the gallery even when docs/auto_examples
        # holds results from an earlier build.
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
         "-D", "sphinx_gallery_conf.run_stale_examples=True",
         "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(out_dir)],
        env=env, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-5000:]
    for page in ["index.html", "getting_started.html", "user_guide.html", "api.html",
                 "auto_examples/index.html", "auto_examples/plot_features.html",
                 "generated/skspeech.pipelines.svm_pipeline.html",
                 "generated/skspeech.features.MFCC.html"]:
        assert (out_dir / page).is_file(), page
    # methods from a private base class are documented, sklearn's are left out
    mfcc = (out_dir / "generated/skspeech.features.MFCC.html").read_text()
    assert 'id="skspeech.features.MFCC.transform"' in mfcc
    assert "set_transform_request" not in mfcc
    assert 'id="skspeech.features.MFCC.get_params"' not in mfcc
    # the user guide's feature picture comes from the gallery, rebuilt in this run
    assert (out_dir / "_images" / "sphx_glr_plot_features_001.png").stat().st_size > 10_000
    assert "sphx_glr_plot_features_001.png" in (out_dir / "user_guide.html").read_text()
