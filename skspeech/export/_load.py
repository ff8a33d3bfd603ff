"""Open an export folder (or one of its .tflite files), or a model file, as a model."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._runtime import SETTINGS, TFLiteModel, read_settings

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator

_VARIANTS = ("float", "int8")
_DEFAULT_FILES = {"float": "model_float.tflite", "int8": "model_int8.tflite"}


def is_export(path: str | os.PathLike) -> bool:
    """Whether ``path`` is an export folder (with ``frontend.json``), its ``frontend.json`` or a
    ``.tflite`` file."""
    path = Path(os.path.expanduser(os.fspath(path)))
    if path.is_dir():
        return (path / SETTINGS).is_file()
    return path.suffix.lower() == ".tflite" or path.name == SETTINGS


def _tflite_file(folder, variant):
    """The ``.tflite`` file of ``variant`` in an export folder; None: float, else int8."""
    settings = read_settings(folder / SETTINGS)
    named = settings.get("files") or _DEFAULT_FILES
    have = [k for k in _VARIANTS if k in named and (folder / named[k]).is_file()]
    if variant is None:  # the float file gives the Keras model's own answers
        variant = "float" if "float" in have or not have else "int8"
    if variant not in have:
        listed = [k for k in _VARIANTS if k in named]
        lost = variant in listed
        raise FileNotFoundError(
            f"The export folder {str(folder)!r} has no {variant} model"
            + (f" ({named[variant]!r}, which its {SETTINGS} lists, is missing)" if lost else "")
            + f"; it has: {', '.join(have) or 'no .tflite file'}. "
            + ("Export again with int8 (skspeech export --representative DATA)."
               if variant == "int8" and not lost else "Export the model again."))
    return folder / named[variant]


def load_exported(path: str | os.PathLike, *, variant: str | None = None,
                  runtime: str | None = None, return_metadata: bool = False
                  ) -> TFLiteModel | tuple[TFLiteModel, dict[str, Any]]:
    """Open an export folder (or a ``.tflite`` file of one) as a :class:`TFLiteModel`.

    Needs no TensorFlow and no pickle: LiteRT (``pip install
    'skspeech[edge]'``) runs the network and skspeech's NumPy transformers
    compute its input from ``frontend.json``.

    Parameters
    ----------
    path : str or path-like
        A folder written by :func:`export_tflite` (``skspeech export``), or
        one of its ``.tflite`` files.
    variant : {None, "float", "int8"}, default=None
        Which file of a folder: None takes ``model_float.tflite`` (the Keras
        model's own answers) when present, else ``model_int8.tflite``.
        Must match the file when ``path`` is a file.
    runtime : {None, "litert", "tensorflow"}, default=None
        See :class:`TFLiteModel`.
    return_metadata : bool, default=False
        Also return a dictionary shaped as :func:`skspeech.load_model`'s:
        ``classes``, ``sr``, ``estimator``, ``created``, ``versions``, and
        ``variant`` and ``path``.

    Returns
    -------
    model : TFLiteModel
    metadata : dict
        Only with ``return_metadata=True``.

    Raises
    ------
    FileNotFoundError
        If the folder, its ``frontend.json`` or the requested file is missing.
    ValueError
        If ``variant`` is not one of the above, or does not match the file;
        if ``frontend.json`` is not the schema or version skspeech export
        writes, says a sample rate its own steps do not take, or lists a
        number of words other than the network's outputs; if a ``.tflite``
        file is empty, cut short or not a TFLite model. The message names
        the file and says to export again.

    See Also
    --------
    load_model_or_export : A model file or an export folder, whichever ``path`` is.

    Examples
    --------
    >>> from skspeech.export import load_exported
    >>> model = load_exported("tflite/", variant="int8")  # doctest: +SKIP
    >>> model.predict(clips)  # doctest: +SKIP
    array(['yes', 'stop'], dtype='<U4')
    """
    if variant not in (None, *_VARIANTS):
        raise ValueError(f"variant must be None, 'float' or 'int8'; got {variant!r}.")
    path = Path(os.path.expanduser(os.fspath(path)))
    if path.name == SETTINGS and not path.is_dir():  # the folder's settings: the folder
        path = path.parent
    if path.is_dir():
        if not (path / SETTINGS).is_file():
            raise FileNotFoundError(f"{str(path)!r} is not an export folder: it has no "
                                    f"{SETTINGS}. Export a model with skspeech export.")
        path = _tflite_file(path, variant)
    model = TFLiteModel(path, runtime=runtime)
    if variant is not None and model.variant != variant:
        raise ValueError(f"{str(path)!r} holds the {model.variant} model, not the {variant} "
                         f"one; give the export folder or the other file.")
    if not return_metadata:
        return model
    settings = model.settings
    meta = {"classes": [str(c) for c in model.classes_], "sr": model.sr,
            "estimator": f"TFLiteModel ({model.variant}, {path.name})",
            "created": settings.get("created"), "versions": settings.get("versions", {}),
            "variant": model.variant, "path": str(path)}
    return model, meta


def load_model_or_export(path: str | os.PathLike, *, variant: str | None = None,
                         return_metadata: bool = False
                         ) -> BaseEstimator | TFLiteModel | tuple[Any, dict[str, Any]]:
    """A model file (:func:`skspeech.load_model`) or an export folder (:func:`load_exported`).

    What the command line (``skspeech predict``, ``listen``) and apps call
    with the path a user gives: an export folder or ``.tflite`` file opens
    as a :class:`TFLiteModel` (no TensorFlow needed), anything else as a
    model file.

    .. warning::
       A model file is a pickle: loading it runs code stored in it. Load only
       model files you trust; an export folder holds no pickle.

    Parameters
    ----------
    path : str or path-like
        A model file from ``skspeech train``, an export folder or a
        ``.tflite`` file (a pretrained model's name:
        :func:`skspeech.pretrained.load_model_or_pretrained`).
    variant : {None, "float", "int8"}, default=None
        For an export: see :func:`load_exported`. Refused for a model file.
    return_metadata : bool, default=False
        Also return the metadata dictionary (``classes``, ``sr``, ...).

    Returns
    -------
    model : estimator or TFLiteModel
    metadata : dict
        Only with ``return_metadata=True``.

    Examples
    --------
    >>> from skspeech.export import load_model_or_export
    >>> model, meta = load_model_or_export("tflite/", return_metadata=True)  # doctest: +SKIP
    >>> meta["sr"], meta["classes"]  # doctest: +SKIP
    (16000, ['down', 'go', 'left', 'no', 'off', 'on', 'right', 'stop', 'up', 'yes'])
    """
    if is_export(path):
        return load_exported(path, variant=variant, return_metadata=return_metadata)
    if Path(os.path.expanduser(os.fspath(path))).is_dir():
        raise IsADirectoryError(f"{os.fspath(path)!r} is a folder without {SETTINGS}: give a "
                                f"model file, or a folder written by skspeech export.")
    if variant is not None:
        raise ValueError(f"{os.fspath(path)!r} is a model file; variant={variant!r} (--int8) "
                         f"applies only to an export folder.")
    from .._persistence import load_model

    return load_model(path, return_metadata=return_metadata)
