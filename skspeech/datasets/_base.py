"""Where datasets live on disk, and an atomic ``.npz`` cache."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import textwrap
import warnings
import zipfile
from pathlib import Path

import numpy as np


def get_data_home(data_home: str | os.PathLike | None = None) -> str:
    """Return the folder where skspeech keeps datasets, creating it if needed.

    Like :func:`sklearn.datasets.get_data_home`: ``data_home`` if given,
    else the ``SKSPEECH_DATA`` environment variable, else ``~/skspeech_data``.
    ``~`` is expanded.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to use.

    Returns
    -------
    data_home : str
        The folder's path.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = os.path.join(tempfile.mkdtemp(), "data")
    >>> get_data_home(folder) == folder and os.path.isdir(folder)
    True
    """
    if data_home is None:
        data_home = os.environ.get("SKSPEECH_DATA", os.path.join("~", "skspeech_data"))
    data_home = os.path.expanduser(os.fspath(data_home))
    os.makedirs(data_home, exist_ok=True)
    return data_home


def cache_key(params):
    """A short hex digest of a JSON-able dict of parameters (order-independent)."""
    text = json.dumps(params, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def save_npz_atomic(path, **arrays):
    """Write arrays to ``path`` (.npz, uncompressed) via a temporary file and ``os.replace``.

    A crash or a concurrent reader never sees half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_npz_cache(path, expected_meta, required):
    """Read a cache file written by :func:`save_npz_atomic`.

    Returns a dict of arrays, or None when the file is missing. A file that
    cannot be read, lacks one of ``required`` or was made with other
    parameters (``expected_meta``, a JSON string stored as ``meta``) gives a
    warning and None, so that the caller regenerates and overwrites it.
    """
    path = Path(path)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {key: f[key] for key in f.files}
        if str(arrays.get("meta", "")) != expected_meta:
            raise ValueError("it was made with other parameters")
        missing = [key for key in required if key not in arrays]
        if missing:
            raise ValueError(f"it lacks {missing}")
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        warnings.warn(f"Ignoring the unreadable cache file {str(path)!r} ({exc}); "
                      "regenerating it.", RuntimeWarning, stacklevel=3)
        return None
    return arrays


def wrap_paragraphs(text, width=79):
    """Re-wrap the paragraphs of a DESCR text; titles (underlined lines) stay as they are."""
    out = []
    for para in text.strip().split("\n\n"):
        lines = para.splitlines()
        if len(lines) >= 2 and set(lines[1]) <= set("=-~"):
            out.append(para)
        else:
            out.append(textwrap.fill(" ".join(line.strip() for line in lines), width,
                                     break_on_hyphens=False))
    return "\n\n".join(out) + "\n"
