"""Find every public estimator in skspeech (as :func:`sklearn.utils.all_estimators`)."""

import importlib
import inspect

from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin

_MODULES = ["preprocessing", "features", "models", "augment"]


def all_estimators(type_filter=None):
    """List the public estimators of skspeech.

    Estimators whose optional dependency (TensorFlow, hmmlearn) is missing are
    left out.

    Parameters
    ----------
    type_filter : {"classifier", "transformer"}, default=None
        Keep only that kind.

    Returns
    -------
    estimators : list of (name, class)
        Sorted by name.

    Examples
    --------
    >>> from skspeech.utils import all_estimators
    >>> names = [name for name, _ in all_estimators("transformer")]
    >>> "PadTrim" in names and "MFCC" in names
    True
    """

    found = {}
    for mod_name in _MODULES:
        try:
            module = importlib.import_module(f"skspeech.{mod_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"skspeech.{mod_name}":
                continue
            raise
        for name in getattr(module, "__all__", []):
            try:
                obj = getattr(module, name)
            except ImportError:  # optional dependency missing
                continue
            if (inspect.isclass(obj) and issubclass(obj, BaseEstimator)
                    and not name.startswith("_")):
                found[name] = obj
    kinds = {"classifier": ClassifierMixin, "transformer": TransformerMixin, None: object}
    if type_filter not in kinds:
        raise ValueError(f"type_filter must be 'classifier', 'transformer' or None; "
                         f"got {type_filter!r}.")
    return sorted((n, c) for n, c in found.items() if issubclass(c, kinds[type_filter]))


__all__ = ["all_estimators"]
