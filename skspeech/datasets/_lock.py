"""An OS file lock, so that two processes never write the same download or folder."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

from ._http import DownloadError

__all__ = ["data_lock"]


@contextlib.contextmanager
def data_lock(path: str | os.PathLike, *, what: str = "this dataset",
              busy: Exception | None = None) -> Iterator[bool]:
    """Hold an exclusive, non-blocking OS lock on ``path`` (created if needed).

    The OS releases the lock when the process ends, even if it is killed, so
    a crashed run never blocks the next one. Lock files are small and kept
    (deleting a lock file another process may hold open would be unsafe).
    Yields True, or False (with a warning) where the file system cannot lock.

    Raises
    ------
    DownloadError
        If another process holds the lock (or ``busy``, when given).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    f = open(path, "a+b")
    try:
        locked = False
        try:
            if os.name == "nt":  # pragma: no cover - exercised on Windows only
                import msvcrt

                f.seek(0)
                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            locked = True
        except OSError as exc:
            if os.name != "nt" and not isinstance(exc, (BlockingIOError, PermissionError)):
                # e.g. a network file system without locks
                warnings.warn(f"Cannot lock {str(path)!r} ({exc}); continuing without a "
                              "lock: do not fetch the same dataset from two processes at once.",
                              RuntimeWarning, stacklevel=3)
            else:
                raise busy if busy is not None else DownloadError(
                    f"Another process is downloading or extracting {what} (it holds the "
                    f"lock {str(path)!r}). Wait for it to finish, then call again."
                ) from exc
        try:
            yield locked
        finally:
            if not locked:
                pass
            elif os.name == "nt":  # pragma: no cover
                import msvcrt

                f.seek(0)
                with contextlib.suppress(OSError):
                    msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    finally:
        f.close()
