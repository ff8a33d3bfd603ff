"""The package: light to import, optional dependencies loaded only when used."""

import subprocess
import sys

import pytest

import skspeech

HEAVY = ("tensorflow", "keras", "scikeras", "hmmlearn", "espeakng_loader", "matplotlib")


def test_version():
    assert skspeech.__version__.count(".") == 2


def test_import_loads_no_optional_dependency():
    code = (
        "import sys, skspeech, skspeech.io, skspeech.preprocessing, skspeech.features, "
        "skspeech.pipelines, skspeech.models, skspeech.datasets, skspeech.cli\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_unknown_public_name():
    import skspeech.models

    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        skspeech.models.Nope  # noqa: B018


def test_all_estimators_filters():
    from skspeech.utils import all_estimators

    transformers = dict(all_estimators("transformer"))
    assert {"Resampler", "PadTrim", "MFCC", "LogMelSpectrogram", "Deltas", "CMVN",
            "FrameStats"} <= set(transformers)
    with pytest.raises(ValueError, match="type_filter must be"):
        all_estimators("regressor")
