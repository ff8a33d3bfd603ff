"""Model files: a fitted estimator plus what it needs to be trusted later (versions, words, rate).

.. warning::
   Model files are joblib (pickle) files. **Loading one runs code stored in
   it**: load only files you made yourself or got from someone you trust.
"""

from __future__ import annotations

import datetime
import os
import pickle
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

# model_sr is documented here (docs/bad_input.rst); _steps is imported by the CLI
from ._atomic import move_into_place, remove_stale_temporaries, temporary_path, write_error
from ._inspection import is_keras_classifier, model_sr  # noqa: F401
from ._inspection import steps as _steps

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator

_FORMAT = "skspeech-model"
_FORMAT_VERSION = 1


class ModelVersionWarning(UserWarning):
    """A model file was written by another version of skspeech, scikit-learn or TensorFlow."""


def _versions(uses_tensorflow):
    import sklearn

    from ._version import __version__

    tf_version = None
    if uses_tensorflow or "tensorflow" in sys.modules:
        try:
            from importlib.metadata import version

            tf_version = version("tensorflow")
        except Exception:  # noqa: BLE001 - TensorFlow absent or not a distribution
            tf_version = None
    return {"skspeech": __version__, "scikit-learn": sklearn.__version__,
            "tensorflow": tf_version}


def check_model_sr(estimator: BaseEstimator, sr: int, *, what: str = "sr") -> int:
    """Raise when ``sr`` is not the rate the model was made for.

    Parameters
    ----------
    estimator : estimator
        The model.
    sr : int
        The rate the caller will give the model clips at.
    what : str, default="sr"
        How the caller names ``sr`` in the message (e.g. ``"CommandListener(sr=...)"``).

    Returns
    -------
    sr : int
        ``sr``, checked.

    Raises
    ------
    ValueError
        If the model takes another rate (its predictions would be wrong
        without a word: words at twice the speed and pitch).
    """
    from ._validation import check_sr

    sr = check_sr(sr, what)
    rate = model_sr(estimator)
    if rate is not None and rate != sr:
        raise ValueError(
            f"{what} is {sr} Hz but the model takes clips at {rate} Hz; its predictions at "
            f"{sr} Hz would be wrong. Give it audio at {rate} Hz (skspeech.io.read_audio(path, "
            f"sr={rate}) resamples), or train a model at {sr} Hz.")
    return sr


def _uses_tensorflow(estimator):
    return any(is_keras_classifier(s) or type(s).__module__.startswith(("scikeras", "keras"))
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


def _check_path(path, what):
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"{what} must be a file name (str, bytes or path-like); got "
                        f"{type(path).__name__} {path!r}.")
    if not os.fspath(path):
        raise ValueError(f"{what} is an empty file name; give e.g. 'model.joblib'.")
    return Path(os.path.expanduser(os.fsdecode(os.fspath(path))))  # bytes: any encoding


def save_model(path: str | os.PathLike, estimator: BaseEstimator, *, force: bool = False,
               sr: int | None = None, extra: dict[str, Any] | None = None) -> Path:
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

    path = _check_path(path, "path")
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
    rate = model_sr(estimator)  # also: the steps agree on one rate
    if sr is not None:
        rate = check_model_sr(estimator, sr, what="save_model(sr=...)")
    extra = _check_extra(extra)
    metadata = {
        "versions": _versions(_uses_tensorflow(estimator)),
        "classes": classes,
        "sr": rate,
        "estimator": type(estimator).__name__,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    if extra:
        metadata.update(extra)
    payload = {"format": _FORMAT, "format_version": _FORMAT_VERSION, "metadata": metadata,
               "estimator": estimator}
    remove_stale_temporaries(path)
    tmp = temporary_path(path)
    try:
        try:
            joblib.dump(payload, tmp)
        except OSError as exc:
            raise write_error(path, exc) from None
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise ValueError(
                f"Cannot save the model to {str(path)!r}: the estimator "
                f"({type(estimator).__name__}) cannot be pickled ({type(exc).__name__}: {exc}). "
                "Lambdas and local functions cannot be saved: use module-level functions."
            ) from exc
        move_into_place(tmp, path, force=force)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


# Metadata save_model writes itself; extra= may not replace them.
_RESERVED = ("versions", "classes", "sr", "estimator", "created")


def _check_extra(extra):
    """``extra`` as a dict whose values can be pickled; errors name ``extra`` and the key."""
    if extra is None:
        return {}
    if not isinstance(extra, dict):
        try:
            extra = dict(extra)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"extra must be a dict of metadata (e.g. {{'data': 'fsdd'}}); got "
                             f"{type(extra).__name__}.") from exc
    for key, value in extra.items():
        if not isinstance(key, str):
            raise TypeError(f"extra keys must be str; got {key!r} ({type(key).__name__}).")
        if key in _RESERVED:
            raise ValueError(f"extra[{key!r}] would replace the metadata save_model writes "
                             f"itself ({', '.join(_RESERVED)}); use another key (for the rate, "
                             f"sr=).")
        try:
            pickle.dumps(value)
        except Exception as exc:
            raise ValueError(
                f"extra[{key!r}] cannot be saved: {type(value).__name__} values cannot be "
                f"pickled ({type(exc).__name__}: {exc}). Store JSON-like values (str, numbers, "
                f"lists, dicts).") from exc
    return dict(extra)


def load_model(path: str | os.PathLike, *, return_metadata: bool = False
               ) -> BaseEstimator | tuple[BaseEstimator, dict[str, Any]]:
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

    path = _check_path(path, "path")
    if not path.exists():
        raise FileNotFoundError(f"No such model file: {str(path)!r}.")
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder, not a model file; give a model "
                                f"file (skspeech train -o), or open a folder written by "
                                f"skspeech export with skspeech.export.load_exported.")
    try:
        payload = joblib.load(path)
    except Exception as exc:
        raise ValueError(f"{str(path)!r} is not a model file that skspeech can read "
                         f"({type(exc).__name__}: {exc}). Make one with skspeech train or "
                         f"skspeech.save_model.") from exc
    if isinstance(payload, dict) and payload.get("format") == _FORMAT:
        version = payload.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValueError(f"{str(path)!r} is damaged: its format version is {version!r}, "
                             f"expected a whole number such as {_FORMAT_VERSION}. Save the "
                             f"model again.")
        if version > _FORMAT_VERSION:
            raise ValueError(f"{str(path)!r} has model file format version {version}, newer "
                             f"than this skspeech reads (version {_FORMAT_VERSION}); upgrade "
                             f"skspeech (pip install -U skspeech) to load it.")
        if version < _FORMAT_VERSION:  # no older format is read (before 1.0: no shims)
            raise ValueError(f"{str(path)!r} has model file format version {version}, which "
                             f"this skspeech no longer reads; re-train and save it again.")
        if "estimator" not in payload or not isinstance(payload.get("metadata"), dict):
            raise ValueError(f"{str(path)!r} is damaged: it lacks the estimator or its "
                             f"metadata. Save the model again.")
        estimator, metadata = payload["estimator"], dict(payload["metadata"])
    elif hasattr(payload, "predict"):  # a bare joblib.dump of an estimator (e.g. skspeech demo)
        estimator = payload
        metadata = {"versions": {}, "classes": None, "sr": model_sr(payload),
                    "estimator": type(payload).__name__, "created": None}
    else:
        raise ValueError(f"{str(path)!r} holds a {type(payload).__name__}, not a model. "
                         f"Make a model file with skspeech train or skspeech.save_model.")
    metadata["classes"] = _check_words(estimator, f"The model in {str(path)!r}")
    try:
        rate = model_sr(estimator)
    except ValueError as exc:
        raise ValueError(f"The model in {str(path)!r} cannot be used: {exc}") from None
    saved = metadata.get("sr")
    if rate is not None and saved is not None and saved != rate:
        raise ValueError(
            f"{str(path)!r} says the model takes {saved} Hz, but the model itself takes "
            f"{rate} Hz: it was saved with a wrong sr=. Save it again without sr= (the rate is "
            f"read from the model).")
    if saved is None:
        metadata["sr"] = rate
    if metadata.get("versions"):
        now = _versions(metadata["versions"].get("tensorflow") is not None)
        for name, then in metadata["versions"].items():
            if then is not None and now.get(name) is not None and then != now[name]:
                warnings.warn(
                    f"{str(path)!r} was saved with {name} {then} and is loaded with {name} "
                    f"{now[name]}; it may fail or predict differently. Re-train and save it "
                    f"again with this version to be sure.", ModelVersionWarning, stacklevel=2)
    return (estimator, metadata) if return_metadata else estimator
