"""Import public names on first use, so optional dependencies load only when needed."""

import importlib


def lazy_getattr(package, names):
    """Build a module ``__getattr__`` that imports ``names[attr]`` from ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names : dict of str to str
        Public name -> private module (relative, e.g. ``"._hmm"``).
    """

    def __getattr__(attr):
        if attr not in names:
            raise AttributeError(f"module {package!r} has no attribute {attr!r}")
        return getattr(importlib.import_module(names[attr], package), attr)

    return __getattr__
