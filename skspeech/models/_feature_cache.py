"""FeatureCache: the network's inputs of the clips that are the same every epoch, in a file.

A disk cache of float16 rows (one per clip) with a record of the rows filled,
kept in a training checkpoint's folder so that a resumed run and the later
epochs read the features instead of computing them. Imports NumPy only.
"""

from __future__ import annotations

import numpy as np


class FeatureCache:
    """The network's inputs of the clips that are the same every epoch, as float16 in a file.

    A clip that is no augmented copy gives the same input every epoch: its
    first computation is written here (``n_clips`` rows of the input's
    shape, 2 bytes a value; 7.8 KB per one-second clip of 98 x 40 log-mel
    frames), later epochs read it back. Rows are read and written with
    positional file I/O, so they stay in the operating system's file cache
    and out of the process's memory. Which rows are filled is kept in a
    small shared file mapping (``<path>.filling``, one byte a row), so that
    worker processes preparing batches mark the rows they write where the
    main process and the other workers see them; :meth:`save` (the main
    process, at the end of each epoch) records them beside the file, so a
    resumed run reuses them.

    Parameters
    ----------
    path : str or path-like
        The file (made or reused; ``<path>.json`` describes it).
    n_clips : int
        Rows.
    shape : tuple of int
        Shape of one input.
    """

    def __init__(self, path, n_clips: int, shape: tuple):
        import json
        from pathlib import Path

        self.path = Path(path)
        self.n_clips, self.shape = int(n_clips), tuple(int(d) for d in shape)
        self.row_bytes = int(np.prod(self.shape)) * 2
        meta = self.path.with_name(self.path.name + ".json")
        layout = {"n_clips": self.n_clips, "shape": list(self.shape), "dtype": "float16"}
        try:
            record = json.loads(meta.read_text(encoding="utf-8")) if meta.is_file() else {}
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            import warnings

            warnings.warn(f"The checkpoint's record of cached features {str(meta)!r} is damaged "
                          f"({exc}); the features are computed again.", RuntimeWarning,
                          stacklevel=2)
            record = {}
        if not isinstance(record, dict):
            record = {}
        whole = self.path.is_file() and self.path.stat().st_size == self.n_clips * self.row_bytes
        if whole and record.get("layout") == layout:  # a cut file is filled again
            saved = record["filled"]
        else:
            saved = []
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "wb") as f:
                f.truncate(self.n_clips * self.row_bytes)
        self._meta, self._layout = meta, layout
        filling = self._filling_path()
        filling.unlink(missing_ok=True)  # only what a saved epoch recorded counts
        np.lib.format.open_memmap(filling, mode="w+", dtype=np.uint8,
                                  shape=(max(self.n_clips, 1),))[
            np.asarray(saved, dtype=np.intp)] = 1
        self._open()

    @staticmethod
    def remove(path) -> None:
        """Delete the cache at ``path``: its rows, its description, its record of filled rows."""
        from pathlib import Path

        path = Path(path)
        for name in (path.name, path.name + ".json", path.name + ".filling"):
            (path.parent / name).unlink(missing_ok=True)

    def _filling_path(self):
        return self.path.with_name(self.path.name + ".filling")

    def _open(self) -> None:
        import os

        self._fd = os.open(self.path, os.O_RDWR)
        self._filled = np.load(self._filling_path(), mmap_mode="r+")

    def __getstate__(self):  # a worker process started by pickling reopens the files
        state = self.__dict__.copy()
        state["_fd"] = state["_filled"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._open()

    @property
    def filled(self) -> np.ndarray:
        """Whether each row is filled (bool, a copy)."""
        return self._filled[:self.n_clips].astype(bool)

    def is_filled(self, idx: np.ndarray) -> np.ndarray:
        """Whether rows ``idx`` are filled."""
        return self._filled[np.asarray(idx, dtype=np.intp)].astype(bool)

    def get(self, idx: np.ndarray) -> np.ndarray:
        """The rows ``idx`` (all filled), as float32."""
        import os

        out = np.empty((len(idx),) + self.shape, dtype=np.float16)
        for k, i in enumerate(idx):
            buf = os.pread(self._fd, self.row_bytes, int(i) * self.row_bytes)
            out[k] = np.frombuffer(buf, dtype=np.float16).reshape(self.shape)
        return out.astype(np.float32)

    def put(self, idx: np.ndarray, values: np.ndarray) -> None:
        """Write rows ``idx`` and mark them filled."""
        import os

        values = np.ascontiguousarray(values, dtype=np.float16)
        for i, row in zip(idx, values):
            os.pwrite(self._fd, row.tobytes(), int(i) * self.row_bytes)
        self._filled[np.asarray(idx, dtype=np.intp)] = 1

    def save(self) -> None:
        """Record which rows are filled (beside the file), once their rows are on disk."""
        import json
        import os

        os.fsync(self._fd)
        tmp = self._meta.with_name(self._meta.name + ".tmp")
        tmp.write_text(json.dumps({"layout": self._layout,
                                   "filled": np.flatnonzero(self.filled).tolist()}))
        os.replace(tmp, self._meta)

    def close(self) -> None:
        import os

        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._filled = None
