"""Pretrained models shipped inside the package: a recogniser with no data and no training.

Each model is an export folder (int8 TensorFlow Lite network, ``frontend.json``
and its model card, ``MODEL_CARD.md``), run by LiteRT (``pip install
'skspeech[edge]'``) without TensorFlow and without loading any pickle.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT", "available", "load", "load_model_or_pretrained", "model_card", "path"]

#: The model that ``skspeech listen``, ``serve`` and ``predict`` use when given none.
DEFAULT = "speech-commands-12"

#: name -> folder under this package
_FOLDERS = {"speech-commands-12": "speech_commands_12"}

_HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    """The names of the pretrained models shipped with this installation.

    Examples
    --------
    >>> from skspeech import pretrained
    >>> pretrained.available()
    ['speech-commands-12']
    """
    return [name for name, folder in _FOLDERS.items() if (_HERE / folder).is_dir()]


def path(name: str = DEFAULT) -> Path:
    """The export folder of a pretrained model.

    Parameters
    ----------
    name : str, default="speech-commands-12"
        One of :func:`available`.

    Returns
    -------
    folder : pathlib.Path
        Open it with :func:`skspeech.export.load_exported`, copy it to a
        device, or read its ``frontend.json``.

    Raises
    ------
    ValueError
        If no pretrained model has this name.
    FileNotFoundError
        If the package was installed without its model files.

    Examples
    --------
    >>> from skspeech import pretrained
    >>> sorted(p.name for p in pretrained.path().iterdir() if p.suffix == ".tflite")
    ['embedding_int8.tflite', 'model_int8.tflite']
    """
    if not isinstance(name, str) or name not in _FOLDERS:
        raise ValueError(f"No pretrained model named {name!r}; skspeech ships: "
                         f"{', '.join(_FOLDERS)}.")
    folder = _HERE / _FOLDERS[name]
    if not (folder / "frontend.json").is_file():
        raise FileNotFoundError(f"The files of the pretrained model {name!r} are missing from "
                                f"{str(folder)!r}: reinstall skspeech (pip install "
                                f"--force-reinstall skspeech).")
    return folder


def is_pretrained_name(spec: Any) -> bool:
    """Whether ``spec`` names a pretrained model (and is not an existing file or folder)."""
    return (isinstance(spec, (str, os.PathLike)) and os.fspath(spec) in _FOLDERS
            and not Path(os.fspath(spec)).exists())


def load(name: str = DEFAULT, *, runtime: str | None = None, return_metadata: bool = False):
    """Load a pretrained model: clips in, words out, without TensorFlow.

    Parameters
    ----------
    name : str, default="speech-commands-12"
        One of :func:`available`. ``"speech-commands-12"`` recognises the ten
        words of the Speech Commands task (yes, no, up, down, left, right,
        on, off, stop, go), ``_unknown_`` (another word) and ``_silence_``
        (no word), in 1-second clips at 16 kHz; see its model card
        (:func:`model_card`).
    runtime : {None, "litert", "tensorflow"}, default=None
        The interpreter: None takes LiteRT when installed, else TensorFlow.
    return_metadata : bool, default=False
        Also return the metadata dictionary of
        :func:`~skspeech.export.load_exported`.

    Returns
    -------
    model : skspeech.export.TFLiteModel
        With ``classes_``, ``sr``, ``predict`` and ``predict_proba``; its
        listener threshold (``threshold="auto"`` of
        :class:`~skspeech.streaming.CommandListener`) was calibrated for at
        most 2 false alarms per hour.

    See Also
    --------
    skspeech.pipelines.NetworkEmbedding : The same network as a feature extractor.
    skspeech.pipelines.custom_words_pipeline : New words from a few recordings.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech import pretrained
    >>> model = pretrained.load()
    >>> model.sr, [str(c) for c in model.classes_[:3]]
    (16000, ['_silence_', '_unknown_', 'down'])
    >>> model.predict(np.zeros((1, 16000), dtype=np.float32))
    array(['_silence_'], dtype='<U9')
    """
    from ..export import load_exported

    out = load_exported(path(name), variant="int8", runtime=runtime,
                        return_metadata=return_metadata)
    if return_metadata:
        out[1]["pretrained"] = name
    return out


def load_model_or_pretrained(spec: str | os.PathLike, *, variant: str | None = None,
                             return_metadata: bool = False):
    """A pretrained model's name, a model file or an export folder, opened as a model.

    What ``skspeech predict``, ``listen``, ``evaluate`` and ``serve`` call with
    the model a user names: :func:`load` for a pretrained model's name (an
    existing file or folder of that name wins), else
    :func:`skspeech.export.load_model_or_export`.

    Parameters
    ----------
    spec : str or path-like
        ``"speech-commands-12"``, a model file from ``skspeech train`` (a
        pickle: trusted files only) or an export folder.
    variant : {None, "float", "int8"}, default=None
        For an export folder (see :func:`~skspeech.export.load_exported`); a
        pretrained model has only "int8".
    return_metadata : bool, default=False
        Also return the metadata dictionary (``classes``, ``sr``, ...; and
        ``pretrained``, the name, for a pretrained model).

    Examples
    --------
    >>> from skspeech.pretrained import load_model_or_pretrained
    >>> model, meta = load_model_or_pretrained("speech-commands-12", return_metadata=True)
    >>> meta["pretrained"], meta["variant"]
    ('speech-commands-12', 'int8')
    """
    if is_pretrained_name(spec):
        if variant not in (None, "int8"):
            raise ValueError(f"The pretrained model {os.fspath(spec)!r} ships only its int8 "
                             f"network; leave variant unset (no --float).")
        return load(os.fspath(spec), return_metadata=return_metadata)
    from ..export import load_model_or_export

    return load_model_or_export(spec, variant=variant, return_metadata=return_metadata)


def model_card(name: str = DEFAULT) -> str:
    """The model card of a pretrained model (Markdown): data and credit, recipe, scores.

    Examples
    --------
    >>> from skspeech import pretrained
    >>> print(pretrained.model_card().splitlines()[0])
    # Model card: speech-commands-12
    """
    return (path(name) / "MODEL_CARD.md").read_text(encoding="utf-8")
