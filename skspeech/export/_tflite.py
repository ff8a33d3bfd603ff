"""TensorFlow Lite export: the network as float and int8 .tflite files, the front end as JSON.

The device computes the features itself (the JSON says how: rate, length,
MFCC or log-mel settings, the KWS recipe's level step and per-clip CMVN) and
feeds them to the network. Only the network as it predicts is exported:
training-only layers (SpecAugment, Dropout) leave no op in the files.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .._atomic import temporary_path
from ._embedding import HEAD_PART, flat_size
from ._frontend import describe
from ._runtime import make_interpreter

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator

_FILES = {"float": "model_float.tflite", "int8": "model_int8.tflite",
          "settings": "frontend.json"}
#: Residual blocks whose frames the embedding gives: the last two
#: (docs/benchmarks/custom_words.txt).
_N_BLOCKS = 2
#: The embedding network's files (``embedding=True``): see :func:`embedding_network`.
_EMBEDDING_FILES = {"float": "embedding_float.tflite", "int8": "embedding_int8.tflite"}
#: The name every skspeech network gives its output layer (models/_keras_nets.py).
_HEAD = "softmax"
# skspeech's Keras classifiers, whose networks export (named in messages).
_NETWORKS = ("Conv1DClassifier", "KWSClassifier", "KWS2DClassifier")
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


def exportable_parts(model: BaseEstimator) -> tuple[BaseEstimator | None, BaseEstimator]:
    """``(front end, network)`` of a fitted model that :func:`export_tflite` can export.

    Searches and :class:`~skspeech.augment.AugmentedClassifier` are unwrapped
    first (augmentation acts only in ``fit``).

    Parameters
    ----------
    model : estimator
        A fitted pipeline ending in one of skspeech's Keras classifiers.

    Returns
    -------
    front : Pipeline or None
        Every step before the network (None when there is none).
    network : estimator
        The fitted Keras classifier.

    Raises
    ------
    ValueError
        If the model does not end in one of skspeech's networks (an SVM or HMM
        model cannot run in TensorFlow Lite).
    """
    from sklearn.utils.validation import check_is_fitted

    from .._inspection import is_keras_classifier, split_model

    # unwraps searches and AugmentedClassifier (its augmentation acts only in fit)
    front, last = split_model(model)
    if not is_keras_classifier(last):
        got = type(last).__name__
        got = got if front is None else f"a Pipeline ending in {got}"
        raise ValueError(f"TFLite export needs a fitted Conv1D pipeline (conv1d_pipeline, "
                         f"kws_pipeline or skspeech train --model conv1d/kws/kws2d), ending in "
                         f"one of skspeech's networks ({', '.join(_NETWORKS)}); got {got}. "
                         f"Only these networks can run in TensorFlow Lite.")
    check_is_fitted(last)
    return front, last


def _features(front, shape, X):
    """The network's input for clips: the fitted front end's output, in the exported shape."""
    F = np.asarray(front.transform(X) if front is not None else X, dtype=np.float32)
    if F.size != len(F) * int(np.prod(shape[1:])):
        raise ValueError(f"The representative clips give features of shape {F.shape[1:]} "
                         f"per clip; the network takes {tuple(shape[1:])}. Give clips at the "
                         f"model's rate (or, for a network exported alone, its features).")
    return F.reshape(len(F), *shape[1:])


def _head_input(keras_model):
    """The input of ``keras_model``'s layer named "softmax" (ValueError when it has none)."""
    try:
        return keras_model.get_layer(_HEAD).input
    except ValueError:
        names = [layer.name for layer in keras_model.layers]
        raise ValueError(f"The network {keras_model.name!r} has no layer named {_HEAD!r} "
                         f"(its layers: {', '.join(names[-4:])}, ...); the embedding is "
                         f"read before that layer, which every skspeech network ends "
                         f"with. Build the network with skspeech's recipes.") from None


def embedding_network(keras_model):
    """The Keras model that gives ``keras_model``'s embedding, and the parts of its output.

    One flat output per clip: the frames of the last two residual blocks
    (the layers named ``block<i>_add``; none in a network without blocks),
    then the input of the layer named "softmax" (every skspeech network ends
    in that Dense layer; its input is the pooled vector the words are read
    from). ``parts`` lists ``{"layer", "shape"}`` in that order;
    :func:`~skspeech.export._embedding.pool_embedding` turns the output into
    the vector asked for. ValueError when there is no softmax layer.
    """
    import keras

    head = _head_input(keras_model)
    blocks = [layer for layer in keras_model.layers
              if re.fullmatch(r"block\d+_add", layer.name)][-_N_BLOCKS:]
    outputs = [keras.layers.Flatten(name=f"embedding_{layer.name}")(layer.output)
               for layer in blocks] + [head]
    parts = [{"layer": layer.name, "shape": [int(d) for d in layer.output.shape[1:]]}
             for layer in blocks] + [{"layer": HEAD_PART, "shape": [int(head.shape[-1])]}]
    out = (keras.layers.Concatenate(name="embedding")(outputs) if len(outputs) > 1
           else outputs[0])
    return keras.Model(keras_model.inputs, out, name=f"{keras_model.name}_embedding"), parts


def logits_network(keras_model):
    """``keras_model`` without its final softmax: the same weights, logits out.

    The int8 file is made from it. An int8 softmax output has 256 steps of
    1/256, so no probability above 0.996 can be written: a listener's
    threshold of 0.999 would never be reached. Logits keep their range, and
    the softmax is computed in float by whoever reads the file
    (:class:`TFLiteModel` does).
    """
    import keras

    head = _head_input(keras_model)
    dense = keras_model.get_layer(_HEAD)
    logits = keras.layers.Dense(dense.units, name="logits")
    out = logits(head)
    logits.set_weights(dense.get_weights())
    return keras.Model(keras_model.inputs, out, name=f"{keras_model.name}_logits")


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

    def Pack(self, builder):  # flatbuffers calls it by this name
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


def export_tflite(model: BaseEstimator, output_dir: str | os.PathLike, *,
                  representative: ArrayLike | Sequence[ArrayLike] | None = None,
                  int8: bool = True, n_representative: int = 300, strip_names: bool = True,
                  embedding: bool = False, force: bool = False) -> dict[str, Any]:
    """Export a fitted Conv1D or KWS pipeline's network to TensorFlow Lite.

    Writes three files into ``output_dir``: ``model_float.tflite`` (float32,
    same predictions as the Keras network), ``model_int8.tflite`` (full
    integer post-training quantisation: int8 weights, activations, input and
    output, calibrated on ``representative`` clips; for microcontrollers; its
    output is the network's logits, the softmax's input, because int8
    probabilities stop at 0.996 and a listener's threshold may be higher:
    apply the softmax in float, as :class:`TFLiteModel` does) and
    ``frontend.json``, the front-end settings a device needs to feed it:
    sample rate, clip length in samples, each front-end step and its
    parameters (for :func:`~skspeech.pipelines.kws_pipeline` also the level
    function and per-clip CMVN), the input shape, the words in output order,
    the int8 input/output scales and zero points and the TFLite ops each
    file uses (what a TFLite Micro op resolver must register), and, for a
    model with a calibrated listener threshold
    (:func:`~skspeech.streaming.calibrate_threshold`, done by ``skspeech
    train``), the listener's settings under ``"listener"``, which the loaded
    export's ``threshold="auto"`` takes.

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
    embedding : bool, default=False
        Also write the network's embedding: ``embedding_float.tflite`` and
        (with ``int8``) ``embedding_int8.tflite``: the network from its input
        to the frames of its last two residual blocks and the input of its
        last layer (the one named ``"softmax"``), one flat array per clip,
        converted as the main files are (the same representative features
        calibrate its int8 file, with int8 input and output).
        ``frontend.json`` describes them under ``"embedding"``: ``files``,
        ``size`` (values per clip in the file's output), ``parts`` (which
        layer each stretch of it comes from, and its shape), ``ops`` and,
        for int8, the ``int8`` input and output quantisation.
        :meth:`TFLiteModel.embed` runs them, and
        :class:`~skspeech.pipelines.NetworkEmbedding` makes them a
        scikit-learn transformer. Either variant can be shipped alone: the
        float files may be deleted and the int8 ones still run.
    force : bool, default=False
        Replace existing files.

    Returns
    -------
    files : dict
        ``{"float": Path, "int8": Path or None, "settings": Path}``, and
        ``"sizes"``: bytes of each .tflite file (by the keys above, and
        ``"embedding_float"``, ``"embedding_int8"``); with ``embedding``
        also ``"embedding"``: ``{"float": Path, "int8": Path or None}``.

    Raises
    ------
    ValueError
        If the model is not a fitted Conv1D or KWS pipeline, or
        ``representative`` is missing for int8, or ``embedding`` is asked of
        a network without a layer named ``"softmax"``.
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
    front, clf = exportable_parts(model)
    if int8 and representative is None:
        raise ValueError("int8 quantisation needs representative clips (a few hundred "
                         "training clips) to calibrate; pass representative=X or int8=False.")
    embedder, parts = (embedding_network(clf.model_) if embedding  # before writing anything
                       else (None, None))
    out = Path(os.path.expanduser(os.fspath(output_dir)))
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{str(out)!r} is a file; give a folder for the export.")
    paths = {k: out / name for k, name in _FILES.items() if k != "int8" or int8}
    if embedding:
        paths.update({f"embedding_{k}": out / name for k, name in _EMBEDDING_FILES.items()
                      if k != "int8" or int8})
    existing = [str(p) for p in paths.values() if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{', '.join(existing)} exist(s); use force=True (--force) to "
                              f"replace, or another folder.")
    tf = _tf()
    settings = describe(front, clf)
    shape = settings["input_shape"]
    feats = (_features(front, shape, representative[:n_representative]) if int8 else None)
    tmp = tempfile.TemporaryDirectory(prefix="skspeech-export-")
    try:
        blobs = _convert(tf, clf.model_, shape, None, Path(tmp.name) / "network")
        if feats is not None:  # logits out: see logits_network
            blobs["int8"] = _convert(tf, logits_network(clf.model_), shape, feats,
                                     Path(tmp.name) / "logits")["int8"]
        if embedder is not None:
            blobs.update({f"embedding_{k}": blob for k, blob in _convert(
                tf, embedder, shape, feats, Path(tmp.name) / "embedding").items()})
    finally:
        tmp.cleanup()
    ops = {}
    for key, blob in blobs.items():
        ops[key] = _check_inference_only(key, _ops(tf, blob))
        if strip_names:
            stripped = _strip_names(blob)
            if _misaligned_buffers(stripped):  # never seen; keep the converter's file
                warnings.warn(f"Kept the tensor names in the {key} model: without them "
                              f"its weights were not 16-byte aligned.", RuntimeWarning,
                              stacklevel=2)
            else:
                blobs[key] = stripped
    settings["ops"] = {k: v for k, v in ops.items() if not k.startswith("embedding_")}
    if int8:
        settings["int8"] = {**_int8_settings(blobs["int8"]), "outputs": "logits"}
    out.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for key, blob in blobs.items():
        _atomic_write(paths[key], blob)
        sizes[key] = len(blob)
    settings["files"] = {k: paths[k].name for k in ("float", "int8") if k in blobs}
    if embedder is not None:
        kinds = [k for k in ("float", "int8") if f"embedding_{k}" in blobs]
        settings["embedding"] = {
            "files": {k: paths[f"embedding_{k}"].name for k in kinds},
            "size": flat_size(parts), "parts": parts,
            "ops": {k: ops[f"embedding_{k}"] for k in kinds}}
        if int8:
            settings["embedding"]["int8"] = _int8_settings(blobs["embedding_int8"])
    listener = _listener_settings(model)
    if listener is not None:
        settings["listener"] = listener
    _atomic_write(paths["settings"], (json.dumps(settings, indent=2, default=_jsonable)
                                      + "\n").encode())
    files = {"float": paths["float"], "int8": paths.get("int8"),
             "settings": paths["settings"], "sizes": sizes}
    if embedder is not None:
        files["embedding"] = {"float": paths["embedding_float"],
                              "int8": paths.get("embedding_int8")}
    return files


def _convert(tf, keras_model, shape, feats, folder):
    """``{"float": bytes, "int8": bytes}`` of a Keras model (int8 only when ``feats`` are given:
    full integer quantisation calibrated on them, int8 input and output)."""
    saved = _saved_model(tf, keras_model, shape, folder)
    blobs = {"float": tf.lite.TFLiteConverter.from_saved_model(saved).convert()}
    if feats is not None:
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
    return blobs


def _int8_settings(blob):
    """The int8 input and output scales and zero points of a .tflite file's bytes."""
    interp = make_interpreter(blob, runtime="tensorflow")
    return {"input": _quant(interp.get_input_details()[0]),
            "output": _quant(interp.get_output_details()[0])}


def _listener_settings(model):
    """The model's calibrated listener settings (calibrate_threshold) for frontend.json, or None."""
    from ..streaming._stored import stored_calibration

    cal = stored_calibration(model)
    if cal is None:
        return None
    return {k: cal[k] for k in ("threshold", "smoothing", "gate_db", "max_false_alarms_per_hour",
                                "hit_rate", "false_alarms_per_hour", "minutes") if k in cal}


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _atomic_write(path, data):
    tmp = temporary_path(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
