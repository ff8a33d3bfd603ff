"""Doctest collection: skip modules whose optional extra is not installed.

``pytest`` also collects the docstring examples in ``skspeech/`` (see
pyproject.toml). A module that subclasses a class from an optional dependency
(scikeras for the Keras classifiers) cannot even be imported without it, so it
is left out when that extra is missing, as its tests are skipped.
"""

import importlib.util

import pytest

# Paths relative to this folder. This file lives here, not at the top of the
# repository, so that it is imported as ``skspeech.conftest`` and never shadows
# ``tests/conftest.py`` (imported as ``conftest`` by joblib worker processes).
_NEEDS = {
    "scikeras": ["models/_conv1d.py", "models/_kws.py"],
}

collect_ignore = [path for module, paths in _NEEDS.items()
                  if importlib.util.find_spec(module) is None for path in paths]


@pytest.fixture(autouse=True)
def _plots_off_screen(request):
    """The plotting examples draw with matplotlib's Agg backend: no window, no display needed.

    Set here once, so that the examples show only what a user writes.
    """
    if "plotting" in request.node.path.parts and importlib.util.find_spec("matplotlib"):
        import matplotlib

        matplotlib.use("Agg")
