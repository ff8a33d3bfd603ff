"""TensorFlow Lite export: the network as float and int8 .tflite files, the front end as JSON.

The device computes the features itself (the JSON says how: rate, length,
MFCC or log-mel settings, the KWS recipe's level step and per-clip CMVN) and
feeds them to the network. Only the network as it predicts is exported:
training-only layers (SpecAugment, Dropout) leave no op in the files.
"""

import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

_FILES = {"float": "model_float.tflite", "int8": "model_int8.tflite",
          "settings": "frontend.json"}
# The Keras classifiers whose network exports (KWSClassifier subclasses Conv1DClassifier).
_NETWORKS = ("Conv1DClassifier", "KWSClassifier")
# Ops that would make an exported network random: training-only layers (SpecAugment,
# Dropout, noise) must have been left out of the graph.
_RANDOM_OPS = ("RANDOM", "MULTINOMIAL")


def _tf():
    try:
        import tensorflow as tf
    except ImportError as exc:
        raise ImportError("TFLite export needs TensorFlow: pip install 'skspeech[keras]'"
                          ) from exc
    return tf


def _split(model):
    """(front end, Conv1DClassifier) of a fitted Conv1D pipeline; ValueError otherwise."""
    from sklearn.utils.validation import check_is_fitted

    if type(model).__name__ == "AugmentedClassifier":
        # its augmentation acts only in fit: the fitted pipeline inside is the whole predictor
        check_is_fitted(model, "estimator_")
        model = model.estimator_
    steps = getattr(model, "steps", None)
    last = steps[-1][1] if steps else model
    # by name, not isinstance: importing the class would import TensorFlow
    if not any(c.__name__ in _NETWORKS for c in type(last).__mro__):
        got = type(last).__name__
        got = got if steps is None else f"a Pipeline ending in {got}"
        raise ValueError(f"TFLite export needs a fitted Conv1D pipeline (conv1d_pipeline, "
                         f"kws_pipeline or skspeech train --model conv1d), ending in one of "
                         f"{', '.join(_NETWORKS)}; got {got}. Only these networks can run in "
                         f"TensorFlow Lite.")
    check_is_fitted(last)
    return (model[:-1] if steps else None), last


def _plain(value):
    """JSON-able values only (numbers, strings, lists, dicts of them); None otherwise."""
    if isinstance(value, (int, float, str, bool, type(None))):
        return value
    if isinstance(value, (tuple, list)):
        items = [_plain(v) for v in value]
        return None if any(v is None and x is not None for v, x in zip(items, value)) else items
    if isinstance(value, dict):
        items = {str(k): _plain(v) for k, v in value.items()}
        return None if any(items[str(k)] is None and v is not None
                           for k, v in value.items()) else items
    return None


def _step_settings(step):
    if step in (None, "passthrough"):
        return None
    if type(step).__name__ == "FunctionTransformer":
        # kws_pipeline's level step: the device must apply the same function
        func = getattr(step, "func", None)
        name = (f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', '')}"
                if func is not None else None)
        return {"type": "FunctionTransformer", "func": name,
                "kw_args": _plain(dict(step.kw_args or {}))}
    params = {k: v for k, v in step.get_params(deep=False).items()
              if isinstance(v, (int, float, str, bool, type(None), tuple, list))}
    out = {"type": type(step).__name__, **params}
    if "win_length" in params and "sr" in params:  # MFCC / LogMelSpectrogram: 25 ms, 10 ms
        sr = int(params["sr"])
        out["win_length"] = params["win_length"] or int(np.floor(0.025 * sr + 0.5))
        out["hop_length"] = params["hop_length"] or int(np.floor(0.010 * sr + 0.5))
    return out


def _frontend(front, clf):
    from ..preprocessing import GarbageGuard

    # The guard is a safety net of the Python pipeline (it hands the model a training clip in
    # place of garbage); a device computes the signal steps only.
    steps = ({name: s for name, s in front.steps if not isinstance(s, GarbageGuard)}
             if front is not None else {})
    settings = {"steps": {name: _step_settings(s) for name, s in steps.items()}}
    sr = None
    for name in ("resample", "padtrim", "features"):
        s = steps.get(name)
        if s not in (None, "passthrough"):
            p = s.get_params(deep=False)
            sr = sr or p.get("orig_sr") or p.get("sr")
    pad = steps.get("padtrim")
    settings["sr"] = sr
    rs = steps.get("resample")
    settings["model_sr"] = (rs.target_sr if rs not in (None, "passthrough") else sr)
    if pad not in (None, "passthrough"):
        settings["n_samples"] = int(pad.target_length_ if hasattr(pad, "target_length_")
                                    else round(pad.duration * settings["model_sr"]))
    shape = list(clf.X_shape_[1:]) + ([1] if len(clf.X_shape_) == 2 else [])
    settings["input_shape"] = [1, *shape]
    settings["layout"] = ("time-major frames (1, n_frames, n_coeffs)" if len(shape) == 2
                          and shape[-1] != 1 else "waveform (1, n_samples, 1)")
    settings["classes"] = [str(c) for c in clf.classes_]
    return settings


def _features(front, clf, X):
    F = front.transform(X) if front is not None else X
    F = clf.feature_encoder_.transform(clf._check_X(F, reset=False))
    return np.asarray(F, dtype=np.float32)


def _saved_model(tf, keras_model, shape, folder):
    """Export the network as a SavedModel with a fixed (1, ...) input: weights become constants."""
    keras_model.export(str(folder), format="tf_saved_model", verbose=False,
                       input_signature=[tf.TensorSpec(shape, tf.float32, name="features")])
    return str(folder)


def _ops(tf, content):
    """Sorted names of the builtin ops in a .tflite flatbuffer (what a device must register)."""
    from tensorflow.lite.python import schema_py_generated as schema

    model = schema.Model.GetRootAsModel(content, 0)
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    ops = set()
    for i in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(i)
        op = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        ops.add(code.CustomCode().decode() if code.CustomCode() else names.get(op, str(op)))
    return sorted(ops)


def _check_inference_only(key, ops):
    """``ops``, or ValueError if any is random (a training-only layer in the graph)."""
    random = [op for op in ops if any(r in op for r in _RANDOM_OPS)]
    if random:
        raise ValueError(f"The exported {key} network has random ops ({', '.join(random)}): "
                         f"a training-only layer (augmentation, Dropout, noise) was traced in "
                         f"training mode. Export the network as it predicts, with "
                         f"training=False; nothing was written.")
    return ops


def _strip_names(content):
    """Drop tensor names and signatures (as TFLite's ``flatbuffer_utils.strip_strings``).

    They are much of a small model's file (11.1 KB of the default KWS network's
    int8 file); the interpreter, TFLite Micro and :class:`TFLiteModel` find
    the input and output by index. The model is packed again with every
    weight buffer at a 16-byte boundary (the schema's ``force_align``; the
    converter itself gives 4): TensorFlow's own
    ``convert_object_to_bytearray`` packs them at any byte, and int32 biases
    or float weights off a 4-byte boundary cannot be read in place on
    strict-alignment microcontrollers.
    """
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(content))
    flatbuffer_utils.strip_strings(model)
    for i, buffer in enumerate(model.buffers):
        aligned = _AlignedBuffer()
        aligned.data, aligned.offset, aligned.size = buffer.data, buffer.offset, buffer.size
        model.buffers[i] = aligned
    return flatbuffer_utils.convert_object_to_bytearray(model)


class _AlignedBuffer:
    """A TFLite ``Buffer`` that packs its bytes at a 16-byte boundary (schema: force_align 16)."""

    def Pack(self, builder):  # noqa: N802 (flatbuffers' name)
        from tensorflow.lite.python import schema_py_generated as schema

        data = None
        if self.data is not None:
            payload = np.asarray(self.data, dtype=np.uint8).tobytes()
            builder.StartVector(1, len(payload), 16)
            builder.head -= len(payload)
            builder.Bytes[builder.head:builder.head + len(payload)] = payload
            data = builder.EndVector()
        schema.BufferStart(builder)
        if data is not None:
            schema.BufferAddData(builder, data)
        schema.BufferAddOffset(builder, self.offset)
        schema.BufferAddSize(builder, self.size)
        return schema.BufferEnd(builder)


def _misaligned_buffers(content):
    """Indices of buffers whose data does not start at a multiple of 16 bytes."""
    from tensorflow.lite.python import schema_py_generated as schema

    model = schema.Model.GetRootAsModel(content, 0)
    bad = []
    for i in range(model.BuffersLength()):
        buf = model.Buffers(i)
        if buf.DataLength():
            tab = buf._tab
            start = tab.Vector(tab.Offset(4))  # field 0 of the table: data
            if start % 16:
                bad.append(i)
    return bad


def _quant(detail):
    scale, zero = detail["quantization"]
    return {"dtype": np.dtype(detail["dtype"]).name, "scale": float(scale),
            "zero_point": int(zero)}


def export_tflite(model, output_dir, *, representative=None, int8=True,
                  n_representative=300, strip_names=True, force=False):
    """Export a fitted Conv1D or KWS pipeline's network to TensorFlow Lite.

    Writes three files into ``output_dir``: ``model_float.tflite`` (float32,
    same predictions as the Keras network), ``model_int8.tflite`` (full
    integer post-training quantisation: int8 weights, activations, input and
    output, calibrated on ``representative`` clips; for microcontrollers) and
    ``frontend.json``, the front-end settings a device needs to feed it:
    sample rate, clip length in samples, each front-end step and its
    parameters (for :func:`~skspeech.pipelines.kws_pipeline` also the level
    function and per-clip CMVN), the input shape, the words in output order,
    the int8 input/output scales and zero points and the TFLite ops each
    file uses (what a TFLite Micro op resolver must register).

    Only the network is exported, as it predicts: layers that act only in
    training (:class:`~skspeech.models.KWSClassifier`'s SpecAugment masks and
    time shift, Dropout) are identities there and leave no op in the file;
    a file with random ops is refused. The network's own input normalisation
    layer is part of the file.

    Parameters
    ----------
    model : Pipeline
        A fitted pipeline from :func:`~skspeech.pipelines.conv1d_pipeline`
        or :func:`~skspeech.pipelines.kws_pipeline` (or ``skspeech train
        --model conv1d``), a fitted
        :class:`~skspeech.augment.AugmentedClassifier` around one (its
        augmentation is fit-only: the pipeline inside is exported), or a
        fitted Conv1DClassifier / KWSClassifier alone (then the device
        computes exactly the features it was fitted on).
    output_dir : str or path-like
        Folder to write to (created if missing).
    representative : ndarray or list of ndarray, default=None
        Clips at the model's input rate that look like real input (a few
        hundred training clips), to calibrate int8. Required when ``int8``.
    int8 : bool, default=True
        Also write the int8 model.
    n_representative : int, default=300
        At most this many representative clips are used.
    strip_names : bool, default=True
        Leave tensor names and signatures out of the files (11.1 KB of the
        default KWS network's int8 file). Inputs and outputs are then found
        by index (``interpreter.get_input_details()[0]``), as TFLite Micro
        and :class:`TFLiteModel` do; ``get_signature_runner`` needs them.
    force : bool, default=False
        Replace existing files.

    Returns
    -------
    files : dict
        ``{"float": Path, "int8": Path or None, "settings": Path}``, and
        ``"sizes"``: bytes of each .tflite file.

    Raises
    ------
    ValueError
        If the model is not a fitted Conv1D or KWS pipeline, or
        ``representative`` is missing for int8.
    FileExistsError
        If an output file exists and ``force`` is False.

    See Also
    --------
    TFLiteModel : Run an exported file with the TFLite interpreter.

    Examples
    --------
    >>> from skspeech.export import export_tflite, TFLiteModel
    >>> files = export_tflite(model, "export/", representative=X_train)  # doctest: +SKIP
    >>> TFLiteModel(files["int8"]).predict(X_test[:2])  # doctest: +SKIP
    array(['yes', 'stop'], dtype='<U4')
    """
    front, clf = _split(model)
    if int8 and representative is None:
        raise ValueError("int8 quantisation needs representative clips (a few hundred "
                         "training clips) to calibrate; pass representative=X or int8=False.")
    out = Path(os.path.expanduser(os.fspath(output_dir)))
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{str(out)!r} is a file; give a folder for the export.")
    paths = {k: out / name for k, name in _FILES.items() if k != "int8" or int8}
    existing = [str(p) for p in paths.values() if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{', '.join(existing)} exist(s); use force=True (--force) to "
                              f"replace, or another folder.")
    tf = _tf()
    settings = _frontend(front, clf)
    shape = settings["input_shape"]
    tmp = tempfile.TemporaryDirectory(prefix="skspeech-export-")
    saved = _saved_model(tf, clf.model_, shape, Path(tmp.name) / "saved_model")

    blobs = {}
    converter = tf.lite.TFLiteConverter.from_saved_model(saved)
    blobs["float"] = converter.convert()
    if int8:
        feats = _features(front, clf, representative[:n_representative]
                          if not isinstance(representative, np.ndarray)
                          else representative[:n_representative])

        def gen():
            for f in feats:
                yield [f[None].reshape(shape)]

        converter = tf.lite.TFLiteConverter.from_saved_model(saved)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = gen
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
        blobs["int8"] = converter.convert()
    tmp.cleanup()
    settings["ops"] = {}
    for key, blob in blobs.items():
        settings["ops"][key] = _check_inference_only(key, _ops(tf, blob))
        if strip_names:
            stripped = _strip_names(blob)
            if _misaligned_buffers(stripped):  # never seen; keep the converter's file
                warnings.warn(f"Kept the tensor names in the {key} model: without them "
                              f"its weights were not 16-byte aligned.", RuntimeWarning,
                              stacklevel=2)
            else:
                blobs[key] = stripped
    if int8:
        interp = _interpreter(tf, blobs["int8"])
        settings["int8"] = {"input": _quant(interp.get_input_details()[0]),
                            "output": _quant(interp.get_output_details()[0])}
    out.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for key, blob in blobs.items():
        _atomic_write(paths[key], blob)
        sizes[key] = len(blob)
    settings["files"] = {k: paths[k].name for k in blobs}
    _atomic_write(paths["settings"], (json.dumps(settings, indent=2, default=_jsonable)
                                      + "\n").encode())
    return {"float": paths["float"], "int8": paths.get("int8"),
            "settings": paths["settings"], "sizes": sizes}


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _atomic_write(path, data):
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _interpreter(tf, content=None, path=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's move-to-LiteRT notice
        interp = tf.lite.Interpreter(model_content=content,
                                     model_path=None if path is None else str(path))
    interp.allocate_tensors()
    return interp


class TFLiteModel:
    """Run an exported .tflite network on features or on the same clips the pipeline takes.

    Parameters
    ----------
    path : str or path-like
        A ``.tflite`` file written by :func:`export_tflite`; its
        ``frontend.json`` must be next to it.
    pipeline : Pipeline, default=None
        The fitted pipeline it came from, to compute features from clips in
        :meth:`predict` and :meth:`predict_proba` (the same front end as
        training). Without it, pass features.

    Attributes
    ----------
    classes_ : ndarray of str
        The words, in output order.
    settings : dict
        The contents of ``frontend.json``.
    """

    def __init__(self, path, pipeline=None):
        path = Path(os.path.expanduser(os.fspath(path)))
        if not path.is_file():
            raise FileNotFoundError(f"No such TFLite file: {str(path)!r}.")
        settings = path.with_name(_FILES["settings"])
        if not settings.is_file():
            raise FileNotFoundError(f"{str(settings)!r} is missing; export_tflite writes it "
                                    f"next to the .tflite files.")
        self.settings = json.loads(settings.read_text())
        self.classes_ = np.array(self.settings["classes"])
        self.pipeline = pipeline
        self._interp = _interpreter(_tf(), path=path)
        self._in = self._interp.get_input_details()[0]
        self._out = self._interp.get_output_details()[0]

    def predict_features_proba(self, features):
        """Probabilities for features of shape ``(n_clips, *input_shape[1:])``."""
        shape = self.settings["input_shape"]
        F = np.asarray(features, dtype=np.float32).reshape(-1, *shape[1:])
        out = np.empty((len(F), len(self.classes_)))
        for i, f in enumerate(F):
            x = f[None]
            if self._in["dtype"] == np.int8:
                scale, zero = self._in["quantization"]
                x = np.clip(np.round(x / scale + zero), -128, 127).astype(np.int8)
            self._interp.set_tensor(self._in["index"], x)
            self._interp.invoke()
            y = self._interp.get_tensor(self._out["index"])[0]
            if self._out["dtype"] == np.int8:
                scale, zero = self._out["quantization"]
                y = (y.astype(np.float64) - zero) * scale
            out[i] = y
        return out

    def predict_proba(self, X):
        """Probabilities for clips (through ``pipeline``'s front end)."""
        if self.pipeline is None:
            raise ValueError("predict_proba on clips needs the pipeline's front end: "
                             "TFLiteModel(path, pipeline=model); or use "
                             "predict_features_proba on features.")
        front, clf = _split(self.pipeline)
        return self.predict_features_proba(_features(front, clf, X))

    def predict(self, X):
        """Words for clips (through ``pipeline``'s front end)."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
