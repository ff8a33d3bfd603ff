"""Run an exported network: LiteRT (or TensorFlow's tf.lite) and the NumPy front end.

Importing this module imports neither TensorFlow nor LiteRT; a
:class:`TFLiteModel` loads LiteRT (the ``edge`` extra) when it is made, and
falls back to ``tf.lite`` when LiteRT is not installed.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _frontend
from ._embedding import default_layers, embedding_size, legacy_parts, pool_embedding

SETTINGS = "frontend.json"
_RUNTIMES = ("litert", "tensorflow")


def interpreter_class(runtime=None):
    """``(Interpreter class, runtime name)``: LiteRT's, else TensorFlow's ``tf.lite``."""
    if runtime not in (None, *_RUNTIMES):
        raise ValueError(f"runtime must be None (LiteRT if installed, else TensorFlow), "
                         f"'litert' or 'tensorflow'; got {runtime!r}.")
    if runtime in (None, "litert"):
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as exc:
            if runtime == "litert":
                raise ImportError("runtime='litert' needs LiteRT: pip install "
                                  "'skspeech[edge]'") from exc
        else:
            return Interpreter, "litert"
    try:
        import tensorflow as tf
    except ImportError as exc:
        raise ImportError("Running a .tflite file needs LiteRT: pip install 'skspeech[edge]' "
                          "(or TensorFlow: 'skspeech[keras]').") from exc
    return tf.lite.Interpreter, "tensorflow"


def make_interpreter(content=None, path=None, *, runtime=None, num_threads=1):
    """An allocated interpreter for a .tflite file (``path``) or its bytes (``content``)."""
    cls, _ = interpreter_class(runtime)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's move-to-LiteRT notice
        interp = cls(model_content=content, model_path=None if path is None else str(path),
                     num_threads=num_threads)
    interp.allocate_tensors()
    return interp


def read_settings(path):
    """The contents of an export's ``frontend.json`` (``path``: the file itself), checked.

    ValueError naming the file when it cannot be read, is not JSON or does
    not have the schema and version skspeech export writes.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
        if not text.strip():
            raise ValueError("the file is empty")
        settings = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ValueError(f"{str(path)!r} is not a readable frontend.json ({reason}); export "
                         f"the model again with skspeech export.") from None
    return _frontend.check_settings(settings, repr(str(path)))


def open_interpreter(path, *, runtime=None, num_threads=1):
    """``make_interpreter`` for a file, with errors that name it (a cut or foreign file)."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        error = OSError(f"Cannot read {str(path)!r}: {exc.strerror}.")
        error.errno = exc.errno
        raise error from None
    if size == 0:
        raise ValueError(f"{str(path)!r} is empty (0 bytes): the export was cut short. Export "
                         f"the model again with skspeech export.")
    try:  # the bytes, not the name: LiteRT cannot open a name that is not valid UTF-8
        content = Path(path).read_bytes()
    except OSError as exc:
        error = OSError(f"Cannot read {str(path)!r}: {exc.strerror}.")
        error.errno = exc.errno
        raise error from None
    try:
        return make_interpreter(content, runtime=runtime, num_threads=num_threads)
    except (ValueError, RuntimeError):
        head = content[4:8]
        what = ("its header is a TFLite model's, so it was cut short or damaged"
                if head == b"TFL3" else "it is not a TFLite file (no TFL3 header)")
        raise ValueError(f"{str(path)!r} is not a TFLite model that can run: {what} "
                         f"({size} bytes). Export the model again with skspeech export."
                         ) from None


def _invoke(interp, inp, out, F, result):
    """Run ``interp`` on each row of ``F`` into ``result`` (int8 input and output converted)."""
    in_scale, in_zero = inp["quantization"]
    out_scale, out_zero = out["quantization"]
    for i, f in enumerate(F):
        x = f[None]
        if inp["dtype"] == np.int8:
            x = np.clip(np.round(x / in_scale + in_zero), -128, 127).astype(np.int8)
        interp.set_tensor(inp["index"], x)
        interp.invoke()
        y = interp.get_tensor(out["index"])[0]
        if out["dtype"] == np.int8:
            y = (y.astype(np.float64) - out_zero) * out_scale
        result[i] = np.reshape(y, result.shape[1:])
    return result


class TFLiteModel:
    """Run an exported ``.tflite`` network on raw clips, without TensorFlow.

    The front end (resampling, padding, MFCC or log-mel frames, the
    keyword-spotting recipe's level step and per-clip CMVN) is rebuilt from
    ``frontend.json`` with skspeech's own NumPy transformers, the same
    classes and settings as the fitted pipeline, and feeds the network run
    by LiteRT (``pip install 'skspeech[edge]'``), or by TensorFlow's
    ``tf.lite`` when LiteRT is absent. No pickle is loaded.

    The pipeline's :class:`~skspeech.preprocessing.GarbageGuard` is not part
    of the export: clips far from a spoken clip (silent, constant, far too
    long) get a warning from the front end, but no stand-in clip.

    Parameters
    ----------
    path : str or path-like
        A ``.tflite`` file written by :func:`export_tflite`, with its
        ``frontend.json`` next to it.
    pipeline : None
        Deprecated and ignored: the front end now comes from
        ``frontend.json``. Will be removed in 0.4.
    runtime : {None, "litert", "tensorflow"}, default=None
        The interpreter: None takes LiteRT when installed, else TensorFlow.
    num_threads : int, default=1
        Interpreter threads (one is fastest for one small clip at a time).

    Attributes
    ----------
    classes_ : ndarray of str
        The words, in output order.
    sr : int or None
        The sample rate the clips must have (None: the network was exported
        alone and takes features).
    steps : list of (str, transformer)
        The front end rebuilt from ``frontend.json``, in order.
    variant : {"float", "int8"}
        Which kind of network the file holds.
    runtime : {"litert", "tensorflow"}
        The interpreter running it.
    settings : dict
        The contents of ``frontend.json``.
    embedding_size : int
        The length of the vector :meth:`embed` gives by default (the
        ``"blocks"`` one, or the ``"head"`` one for an export whose
        ``frontend.json`` lists no ``parts``), for an export written with
        ``embedding=True`` (ValueError otherwise).

    See Also
    --------
    export_tflite : Write the files.
    load_exported : Open an export folder.

    Examples
    --------
    >>> from skspeech.export import TFLiteModel
    >>> model = TFLiteModel("export/model_int8.tflite")  # doctest: +SKIP
    >>> model.predict(clips)  # raw clips at model.sr  # doctest: +SKIP
    array(['yes', 'stop'], dtype='<U4')
    """

    def __init__(self, path: str | os.PathLike, pipeline: None = None, *,
                 runtime: str | None = None, num_threads: int = 1) -> None:
        path = Path(os.path.expanduser(os.fspath(path)))
        if path.is_dir():
            raise IsADirectoryError(f"{str(path)!r} is a folder; give a .tflite file in it, or "
                                    f"open the folder with skspeech.export.load_exported.")
        if not path.is_file():
            raise FileNotFoundError(f"No such TFLite file: {str(path)!r}.")
        settings = path.with_name(SETTINGS)
        if not settings.is_file():
            raise FileNotFoundError(f"{str(settings)!r} is missing; export_tflite writes it "
                                    f"next to the .tflite files.")
        if pipeline is not None:
            warnings.warn("TFLiteModel(pipeline=...) is ignored and will be removed in 0.4: "
                          "the front end is computed from frontend.json.", FutureWarning,
                          stacklevel=2)
        self.path = path
        self.settings = read_settings(settings)
        self.classes_ = np.array(self.settings["classes"])
        self.sr = self.settings.get("sr")
        try:
            self.steps = _frontend.build(self.settings)
            self._front_error = None
        except ValueError as exc:  # features can still be given to predict_features_proba
            self.steps, self._front_error = [], exc
        listener = self.settings.get("listener")
        if isinstance(listener, dict) and "threshold" in listener:  # calibrate_threshold's
            self.listener_calibration_ = dict(listener)
        where = repr(str(settings))
        if self.steps:
            _frontend.check_rates(self.settings, self.steps, where)
        self._shape = tuple(self.settings["input_shape"])
        self._num_threads = num_threads
        self._embedder = None  # (interpreter, input, output, size): opened by embed, once
        self._interp = open_interpreter(path, runtime=runtime, num_threads=num_threads)
        self.runtime = interpreter_class(runtime)[1]
        self._in = self._interp.get_input_details()[0]
        self._out = self._interp.get_output_details()[0]
        self.variant = "int8" if self._in["dtype"] == np.int8 else "float"
        int8 = self.settings.get("int8")
        self._logits = (self.variant == "int8" and isinstance(int8, dict)
                        and int8.get("outputs") == "logits")  # exports since 0.2: softmax here
        if tuple(self._in["shape"]) != self._shape:
            raise ValueError(f"{str(path)!r} takes input of shape {tuple(self._in['shape'])}, "
                             f"but its frontend.json says {self._shape}: the files come from "
                             f"different exports. Export the model again.")
        n_out = int(np.prod(self._out["shape"][1:]))
        if n_out != len(self.classes_):
            raise ValueError(f"{where} lists {len(self.classes_)} words, but the network in "
                             f"{str(path)!r} gives {n_out} probabilities: the files come from "
                             f"different exports, or the class list was edited. Export the "
                             f"model again.")
        if self.steps and isinstance(self.settings.get("n_samples"), int):
            self._check_front_end(where)

    def __repr__(self):
        return f"TFLiteModel({str(self.path)!r})"

    def _check_front_end(self, where):
        """Run the front end once on a clip of the exported length: it must give the
        network's input shape (a file whose steps were edited would fail on every clip)."""
        n = self.settings["n_samples"]
        clip = 0.1 * np.sin(np.arange(n, dtype=np.float32) * 0.3)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                F = np.asarray(_frontend.transform(self.steps, [clip]), dtype=np.float32)
        except Exception as exc:  # any error of a step set from the file: the file is wrong
            raise ValueError(f"The front end of {where} cannot run ({exc}); export the model "
                             f"again with skspeech export.") from None
        want = self._shape[1:]
        if F.size != int(np.prod(want)):
            raise ValueError(f"The front end of {where} gives features of shape {F.shape[1:]} "
                             f"per clip, but the network takes {want}: the steps or "
                             f"n_samples were edited or come from another export. Export the "
                             f"model again.")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """``{"path", "sr"}``: where skspeech's rate checks (e.g. in
        :class:`~skspeech.streaming.CommandListener`) read the model's rate."""
        return {"path": str(self.path), "sr": self.sr}

    def _check_sr(self, sr):
        if sr is not None and self.sr is not None and sr != self.sr:
            raise ValueError(f"The clips are at sr={sr} Hz, but the model takes clips at "
                             f"{self.sr} Hz; its predictions would be wrong. Give it audio at "
                             f"{self.sr} Hz (skspeech.io.read_audio(path, sr={self.sr}) "
                             f"resamples).")

    def features(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray:
        """The network's input for clips: the front end of ``frontend.json``.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
            Clips at :attr:`sr` (float in [-1, 1] or integer PCM).

        Returns
        -------
        features : ndarray of shape (n_clips, ...)
            Float32, the exported input shape without its leading 1.
        """
        if self._front_error is not None:
            raise ValueError(f"This model's front end cannot be computed here: "
                             f"{self._front_error}")
        F = _frontend.transform(self.steps, X)
        return self._as_input(F, "the front end's output" if self.steps else "X")

    def _as_input(self, F, what):
        try:
            F = np.asarray(F, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{what} is not one array of equal-length items ({exc}); the "
                             f"network takes input of shape {self._shape[1:]} per clip.") from None
        want = self._shape[1:]
        if F.ndim == 0 or F.shape[1:] != want and not (
                F.shape[1:] + (1,) == want or F.shape[1:] == want + (1,)):
            got = F.shape[1:] if F.ndim else F.shape
            hint = (" Pass a batch: [x] for one clip." if F.ndim == len(want) else "")
            raise ValueError(f"{what} has shape {got} per clip, but the network takes "
                             f"{want}.{hint}")
        return F.reshape(len(F), *want)

    def predict_features_proba(self, features: ArrayLike) -> np.ndarray:
        """Probabilities for features of shape ``(n_clips, *input_shape[1:])``."""
        F = self._as_input(features, "features")
        out = _invoke(self._interp, self._in, self._out, F,
                      np.empty((len(F), len(self.classes_))))
        if self._logits:  # int8 files since 0.2 give logits (see export_tflite)
            out = np.exp(out - out.max(axis=1, keepdims=True))
            out /= out.sum(axis=1, keepdims=True)
        return out

    @property
    def embedding_size(self) -> int:
        """The length of the vector :meth:`embed` gives by default (ValueError: the export has
        none)."""
        return embedding_size(self.embedding_parts, default_layers(self.embedding_parts))

    @property
    def embedding_parts(self) -> list[dict[str, Any]]:
        """The layers of the embedding file's flat output (``frontend.json``'s ``parts``)."""
        embedding = self._embedding_settings()
        return embedding.get("parts") or legacy_parts(embedding["size"])


    def _embedding_settings(self):
        embedding = self.settings.get("embedding")
        if embedding is None:
            raise ValueError(f"The export of {str(self.path)!r} has no embedding network; "
                             f"export the model again with embedding=True "
                             f"(skspeech.export.export_tflite) or skspeech export --embedding.")
        if self.variant not in embedding["files"]:
            raise ValueError(f"The export of {str(self.path)!r} has no {self.variant} "
                             f"embedding network (its frontend.json lists "
                             f"{', '.join(embedding['files'])}); open the "
                             f"{'/'.join(embedding['files'])} model, or export again with "
                             f"embedding=True (skspeech export --embedding).")
        return embedding

    def _embedding_interpreter(self):
        """``(interpreter, input, output, size)`` of the embedding file of this variant."""
        if self._embedder is not None:
            return self._embedder
        embedding = self._embedding_settings()
        path = self.path.with_name(embedding["files"][self.variant])
        if not path.is_file():
            raise FileNotFoundError(f"{str(path)!r}, the {self.variant} embedding network that "
                                    f"{str(self.path.with_name(SETTINGS))!r} lists, is missing; "
                                    f"copy it beside the model or export again with "
                                    f"skspeech export --embedding.")
        interp = open_interpreter(path, runtime=self.runtime, num_threads=self._num_threads)
        inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
        size = int(np.prod(out["shape"][1:]))
        if tuple(inp["shape"]) != self._shape or inp["dtype"] != self._in["dtype"] or (
                size != embedding["size"]):
            raise ValueError(f"{str(path)!r} takes {np.dtype(inp['dtype']).name} input of shape "
                             f"{tuple(inp['shape'])} and gives {size} values, but the model "
                             f"{str(self.path)!r} takes {np.dtype(self._in['dtype']).name} "
                             f"input of shape {self._shape} and its frontend.json says the "
                             f"embedding has {embedding['size']}: the files come from "
                             f"different exports. Export the model again.")
        self._embedder = (interp, inp, out, size)
        return self._embedder

    def embed_features(self, features: ArrayLike, *, layers: str | None = None) -> np.ndarray:
        """The embedding of features of shape ``(n_clips, *input_shape[1:])`` (as :meth:`embed`)."""
        interp, inp, out, size = self._embedding_interpreter()
        layers = self._check_layers(layers)
        F = self._as_input(features, "features")
        flat = _invoke(interp, inp, out, F, np.empty((len(F), size), dtype=np.float32))
        return pool_embedding(flat, self.embedding_parts, layers)

    def _check_layers(self, layers):
        if layers is None:
            return default_layers(self.embedding_parts)
        if layers not in ("blocks", "head"):
            raise ValueError(f"layers must be 'blocks' or 'head' (or None: the export's "
                             f"default); got {layers!r}.")
        embedding_size(self.embedding_parts, layers)  # blocks the export lacks: say so
        return layers

    def embed(self, X: ArrayLike | Sequence[ArrayLike], *, sr: int | None = None,
              layers: str | None = None) -> np.ndarray:
        """The network's embedding of clips: a fixed-length vector per clip.

        The same front end as :meth:`predict_proba` feeds the embedding file
        of the same variant (``embedding_float.tflite`` or
        ``embedding_int8.tflite``, written by ``export_tflite(...,
        embedding=True)``), opened on the first call.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
            Clips at :attr:`sr` (float in [-1, 1] or integer PCM).
        sr : int, default=None
            The clips' sample rate, checked against :attr:`sr` when given.
        layers : {"blocks", "head"} or None, default=None
            ``"blocks"``: the mean and standard deviation over time of the
            channels of the network's last two residual blocks (what new
            words are learned from best); ``"head"``: the input of its
            softmax layer. None: ``"blocks"``, or ``"head"`` for an export
            whose ``frontend.json`` lists no ``parts`` (it has only that).

        Returns
        -------
        embedding : ndarray of shape (n_clips, n_values)
            Float32 (an int8 file's output dequantised).

        Raises
        ------
        ValueError
            If the export has no embedding (export again with
            ``embedding=True``, ``skspeech export --embedding``).
        FileNotFoundError
            If the embedding file that ``frontend.json`` lists is missing.
        """
        self._check_sr(sr)
        self._embedding_interpreter()  # first: an export without one says so before any work
        layers = self._check_layers(layers)
        return self.embed_features(self.features(X), layers=layers)

    def predict_proba(self, X: ArrayLike | Sequence[ArrayLike], *, sr: int | None = None
                      ) -> np.ndarray:
        """Probability of each word for clips, columns in ``classes_`` order.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
            Clips at :attr:`sr` (float in [-1, 1] or integer PCM), or features
            when the network was exported alone.
        sr : int, default=None
            The clips' sample rate, checked against :attr:`sr` when given.

        Returns
        -------
        proba : ndarray of shape (n_clips, n_classes)
        """
        self._check_sr(sr)
        return self.predict_features_proba(self.features(X))

    def predict(self, X: ArrayLike | Sequence[ArrayLike], *, sr: int | None = None) -> np.ndarray:
        """The word for each clip (see :meth:`predict_proba`)."""
        return self.classes_[np.argmax(self.predict_proba(X, sr=sr), axis=1)]
