"""A network's embedding: what its embedding file gives, and how it is pooled into one vector.

The embedding file (``export_tflite(..., embedding=True)``) and the Keras
form of :class:`~skspeech.pipelines.NetworkEmbedding` give, per clip, one
flat array: the frames of the network's last two residual blocks (the outputs
of its layers named ``block<i>_add``, before their ReLU), then the input of
its softmax layer. ``frontend.json`` lists these parts and their shapes; this
module turns the flat array into the vector asked for (NumPy only: it runs
without TensorFlow):

- ``"blocks"``: the mean and the standard deviation over time of each
  block's channels (4 x channels values for two blocks): how the sounds of
  a word unfold, which tells words the network never learned apart best
  (docs/benchmarks/custom_words.txt);
- ``"head"``: the input of the softmax layer (the vector the network's own
  words are read from).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The vectors an embedding can give (see the module docstring).
EMBEDDING_LAYERS = ("blocks", "head")
#: The name of the softmax layer's input among the parts.
HEAD_PART = "softmax_input"


def legacy_parts(size: int) -> list[dict[str, Any]]:
    """The parts of an export written before the blocks were added: the head alone."""
    return [{"layer": HEAD_PART, "shape": [int(size)]}]


def default_layers(parts: list[dict[str, Any]]) -> str:
    """"blocks" when the embedding has residual block frames, else "head"."""
    return "blocks" if any(p["layer"] != HEAD_PART for p in parts) else "head"


def flat_size(parts: list[dict[str, Any]]) -> int:
    """Values per clip in the embedding file's output."""
    return int(sum(np.prod(p["shape"]) for p in parts))


def embedding_size(parts: list[dict[str, Any]], layers: str) -> int:
    """Values per clip of the ``layers`` vector (ValueError if the network has none)."""
    blocks = [p for p in parts if p["layer"] != HEAD_PART]
    if layers == "head":
        return int(sum(np.prod(p["shape"]) for p in parts if p["layer"] == HEAD_PART))
    if not blocks:
        raise ValueError("This network's embedding has no residual block frames (a network "
                         "without blocks, or an export whose frontend.json lists no "
                         "\"parts\": export it again with embedding=True); use "
                         "layers='head'.")
    return int(sum(2 * p["shape"][-1] for p in blocks))


def pool_embedding(flat: np.ndarray, parts: list[dict[str, Any]], layers: str) -> np.ndarray:
    """The ``layers`` vector of each clip from the embedding file's flat output.

    Parameters
    ----------
    flat : ndarray of shape (n_clips, flat_size(parts))
    parts : list of dict
        ``{"layer": name, "shape": [...]}`` in the order of ``flat``.
    layers : {"blocks", "head"}

    Returns
    -------
    ndarray of shape (n_clips, embedding_size(parts, layers)), float32
    """
    embedding_size(parts, layers)  # a ValueError for blocks the network has not
    flat = np.asarray(flat, dtype=np.float32).reshape(len(flat), -1)
    out, start = [], 0
    for part in parts:
        n = int(np.prod(part["shape"]))
        values = flat[:, start:start + n]
        start += n
        is_head = part["layer"] == HEAD_PART
        if layers == "head" and is_head:
            out.append(values)
        elif layers == "blocks" and not is_head:
            frames = values.reshape(len(flat), -1, part["shape"][-1]).astype(np.float64)
            out += [frames.mean(axis=1), frames.std(axis=1)]
    return np.concatenate(out, axis=1).astype(np.float32)
