"""Doctest collection: skip modules whose optional extra is not installed.

``pytest`` also collects the docstring examples in ``skspeech/`` (see
pyproject.toml). A module that subclasses a class from an optional dependency
(scikeras for the Keras classifiers) cannot even be imported without it, so it
is left out when that extra is missing, as its tests are skipped.
"""

import importlib.util

_NEEDS = {
    "scikeras": ["skspeech/models/_conv1d.py", "skspeech/models/_kws.py"],
}

collect_ignore = [path for module, paths in _NEEDS.items()
                  if importlib.util.find_spec(module) is None for path in paths]
