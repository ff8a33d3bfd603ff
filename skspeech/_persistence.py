"""Model files: a fitted estimator plus what it needs to be trusted later (versions, words, rate).

.. warning::
   Model files are joblib (pickle) files. **Loading one runs code stored in
   it**: load only files you made yourself or got from someone you trust.
"""

import datetime
import os
import sys
import warnings
from pathlib import Path

from sklearn.ensemble import VotingClassifier

_FORMAT = "skspeech-model"
_FORMAT_VERSION = 1


class ModelVersionWarning(UserWarning):
    """A model file was written by another version of skspeech, scikit-learn or TensorFlow."""


def _versions(uses_tensorflow):
    import sklearn

    from . import __version__

    tf_version = None
    if uses_tensorflow or "tensorflow" in sys.modules:
        try:
            from importlib.metadata import version

            tf_version = version("tensorflow")
        except Exception:  # noqa: BLE001 - TensorFlow absent or not a distribution
            tf_version = None
    return {"skspeech": __version__, "scikit-learn": sklearn.__version__,
            "tensorflow": tf_version}


def _steps(estimator):
    """The estimators a model is made of, in order: inside a grid search, an
    AugmentedClassifier, a voting ensemble's members and a Pipeline's steps."""
    est = getattr(estimator, "best_estimator_", estimator)
    if type(est).__name__ == "AugmentedClassifier":
        return _steps(getattr(est, "estimator_", est.estimator))
    if isinstance(est, VotingClassifier):  # and GeometricVotingClassifier
        members = getattr(est, "estimators_", None) or [m for _, m in est.estimators]
        return [s for m in members if m not in (None, "drop") for s in _steps(m)]
    if hasattr(est, "steps"):
        return [s for _, s in est.steps if s not in (None, "passthrough")]
    return [est]


def _input_sr(estimator):
    """The sample rate the model expects from its first step that names one, else None."""
    for step in _steps(estimator):
        params = step.get_params(deep=False) if hasattr(step, "get_params") else {}
        for key in ("orig_sr", "sr"):
            if isinstance(params.get(key), (int,)) and not isinstance(params.get(key), bool):
                return int(params[key])
    return None


def _uses_tensorflow(estimator):
    return any(type(s).__module__.startswith(("skspeech.models._conv1d", "skspeech.models._kws",
                                              "scikeras", "keras"))
               for s in _steps(estimator))


def _check_words(estimator, what):
    classes = getattr(estimator, "classes_", None)
    if classes is None or not hasattr(estimator, "predict"):
        raise ValueError(
            f"{what} must be a fitted classifier with classes_ (e.g. a fitted pipeline from "
            f"skspeech.pipelines); got {type(estimator).__name__}. Fit it first, on word labels.")
    bad = [c for c in classes if not isinstance(c, str)]
    if bad:
        raise ValueError(
            f"{what} must predict words, but its classes_ include {bad[0]!r} "
            f"({type(bad[0]).__name__}). Fit it on the words themselves (strings), not on "
            f"integer codes, so that a loaded model answers in words.")
    return [str(c) for c in classes]


def save_model(path, estimator, *, force=False, sr=None, extra=None):
    """Save a fitted classifier with its metadata to a joblib file.

    The file holds the estimator and a dictionary of metadata: the versions of
    skspeech, scikit-learn and TensorFlow it was made with, the words it
    recognises, the sample rate it expects and the creation time. The file is
    written to a temporary file in the same folder first and then renamed,
    so a crash never leaves a truncated model, and an existing file is kept
    unless ``force=True``.

    Parameters
    ----------
    path : str or path-like
        The file to write (``.joblib`` by convention).
    estimator : estimator
        A fitted classifier whose ``classes_`` are words (str), e.g. a
        fitted pipeline from :mod:`skspeech.pipelines`.
    force : bool, default=False
        Replace ``path`` if it exists.
    sr : int, default=None
        Sample rate the model expects, in Hz. None reads it from the first
        step that names one (``Resampler.orig_sr``, ``MFCC.sr``, ...).
    extra : dict, default=None
        More metadata to store (JSON-like values), e.g. the training data.

    Returns
    -------
    path : pathlib.Path
        The file written.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``force`` is False.
    ValueError
        If ``estimator`` is not fitted or its classes are not words.

    See Also
    --------
    load_model : Read the file back.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from skspeech import save_model, load_model
    >>> from skspeech.pipelines import svm_pipeline
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(4000) / 8000
    >>> X = [np.sin(2 * np.pi * f * t) + 0.1 * rng.standard_normal(t.size)
    ...      for f in [300, 320, 310, 290, 1200, 1250, 1180, 1220]]
    >>> y = ["low"] * 4 + ["high"] * 4
    >>> model = svm_pipeline(sr=8000, probability=False).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "tones.joblib")
    >>> _ = save_model(path, model)
    >>> loaded, meta = load_model(path, return_metadata=True)
    >>> loaded.predict(X[:1]), meta["classes"], meta["sr"]
    (array(['low'], dtype='<U4'), ['high', 'low'], 8000)
    """
    import joblib

    path = Path(os.path.expanduser(os.fspath(path)))
    classes = _check_words(estimator, "estimator")
    if path.is_dir():
        raise IsADirectoryError(f"Cannot save the model to {str(path)!r}: it is a folder; "
                                f"give a file name such as {str(path / 'model.joblib')!r}.")
    if path.exists() and not force:
        raise FileExistsError(f"{str(path)!r} exists; pass force=True (--force on the command "
                              f"line) to replace it, or choose another file name.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"Cannot save the model to {str(path)!r}: the folder "
                                f"{str(path.parent)!r} does not exist.")
    rate = _input_sr(estimator) if sr is None else int(sr)
    metadata = {
        "versions": _versions(_uses_tensorflow(estimator)),
        "classes": classes,
        "sr": rate,
        "estimator": type(estimator).__name__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    if extra:
        metadata.update(dict(extra))
    payload = {"format": _FORMAT, "format_version": _FORMAT_VERSION, "metadata": metadata,
               "estimator": estimator}
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        joblib.dump(payload, tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def load_model(path, *, return_metadata=False):
    """Load a model saved by :func:`save_model`.

    .. warning::
       A model file is a joblib (pickle) file, and **loading it runs code
       stored in it**. Load only files you made or got from someone you
       trust; never a model downloaded from an unknown source.

    A file written by another version of skspeech, scikit-learn or
    TensorFlow loads with a :class:`ModelVersionWarning` that names both
    versions (the model may then fail or predict differently: re-train it to
    be sure). The loaded model always answers in words: a file that holds
    anything other than a fitted classifier with word classes is refused.

    Parameters
    ----------
    path : str or path-like
        The model file.
    return_metadata : bool, default=False
        Also return the metadata dictionary (``versions``, ``classes``,
        ``sr``, ``estimator``, ``created``).

    Returns
    -------
    estimator : estimator
        The fitted classifier.
    metadata : dict
        Only with ``return_metadata=True``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a model file (not joblib, or not a classifier
        that predicts words).

    See Also
    --------
    save_model : Write a model file.

    Examples
    --------
    >>> from skspeech import load_model
    >>> model = load_model("commands.joblib")  # doctest: +SKIP
    >>> model.predict(clips)  # doctest: +SKIP
    array(['yes', 'stop'], dtype='<U4')
    """
    import joblib

    path = Path(os.path.expanduser(os.fspath(path)))
    if not path.exists():
        raise FileNotFoundError(f"No such model file: {str(path)!r}.")
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder; give the model file inside it.")
    try:
        payload = joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - pickle raises many types on foreign files
        raise ValueError(f"{str(path)!r} is not a model file that skspeech can read "
                         f"({type(exc).__name__}: {exc}). Make one with skspeech train or "
                         f"skspeech.save_model.") from exc
    if isinstance(payload, dict) and payload.get("format") == _FORMAT:
        estimator, metadata = payload["estimator"], dict(payload["metadata"])
    elif hasattr(payload, "predict"):  # a bare joblib.dump of an estimator (e.g. skspeech demo)
        estimator = payload
        metadata = {"versions": {}, "classes": None, "sr": _input_sr(payload),
                    "estimator": type(payload).__name__, "created": None}
    else:
        raise ValueError(f"{str(path)!r} holds a {type(payload).__name__}, not a model. "
                         f"Make a model file with skspeech train or skspeech.save_model.")
    metadata["classes"] = _check_words(estimator, f"The model in {str(path)!r}")
    if metadata.get("versions"):
        now = _versions(metadata["versions"].get("tensorflow") is not None)
        for name, then in metadata["versions"].items():
            if then is not None and now.get(name) is not None and then != now[name]:
                warnings.warn(
                    f"{str(path)!r} was saved with {name} {then} and is loaded with {name} "
                    f"{now[name]}; it may fail or predict differently. Re-train and save it "
                    f"again with this version to be sure.", ModelVersionWarning, stacklevel=2)
    return (estimator, metadata) if return_metadata else estimator
