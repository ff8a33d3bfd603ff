"""Import public names on first use, so optional dependencies load only when needed."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_getattr(package: str, names: dict[str, str]) -> Callable[[str], object]:
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


def lazy_attach(package: str, names: dict[str, str]
                ) -> tuple[Callable[[str], object], Callable[[], list[str]], list[str]]:
    """``__getattr__, __dir__, __all__`` of a package whose public names load on first use.

    As ``lazy_loader.attach`` (scientific Python's SPEC 1): a subpackage's
    ``__init__`` is then ``__getattr__, __dir__, __all__ = lazy_attach(__name__, _LAZY)``.
    The parameters are :func:`lazy_getattr`'s.
    """
    public = sorted(names)

    def __dir__():
        return list(public)

    return lazy_getattr(package, names), __dir__, list(public)
