"""Atomic writes: a file is written next to its target under a temporary name, then renamed.

A crash never leaves half a file; a process killed in between leaves a hidden
``.<name>.tmp-<pid>`` file, which :func:`remove_stale_temporaries` clears on the
next write. Model files (:mod:`skspeech._persistence`), audio files
(:func:`skspeech.io.write_audio`) and exports use these helpers; this module
imports nothing from skspeech.
"""

from __future__ import annotations

import os
from pathlib import Path


def temporary_path(path: Path) -> Path:
    """The hidden file next to ``path`` that this process writes before renaming it."""
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_error(path, exc, what="the model"):
    """An OSError from writing the temporary file next to ``path``, told about ``path``."""
    import errno

    folder = str(path.parent)
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM,
                                                           errno.EROFS):
        cls, message = PermissionError, (
            f"Cannot save {what} to {str(path)!r}: no permission to write in the folder "
            f"{folder!r} (or it is read-only). Choose a folder you can write to.")
    elif exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        cls, message = OSError, (
            f"Cannot save {what} to {str(path)!r}: the disk (or your quota) is full, or the "
            f"file is larger than the file system allows ({exc.strerror}). Free some space in "
            f"{folder!r} or save elsewhere; nothing was written.")
    else:
        cls, message = OSError, (f"Cannot save {what} to {str(path)!r}: "
                                 f"{exc.strerror or exc}. Nothing was written.")
    error = cls(message)
    error.errno = exc.errno  # for callers that test it; the message stays readable
    return error


def move_into_place(tmp, path, *, force):
    """Rename ``tmp`` to ``path``; without ``force`` never replace a file made meanwhile."""
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # atomic: fails if another process wrote path since the check
    except FileExistsError:
        raise FileExistsError(f"{str(path)!r} exists (written while this model was being "
                              f"saved); pass force=True to replace it.") from None
    except OSError:  # no hard links on this file system
        if path.exists():
            raise FileExistsError(f"{str(path)!r} exists; pass force=True to replace "
                                  f"it.") from None
        os.replace(tmp, path)


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Remove ``.<name>.tmp-<pid>`` files left next to ``path`` by killed saves.

    A save writes a hidden temporary file and renames it; a process killed
    in between (SIGKILL, power loss) leaves it behind, up to the size of a
    model. Files whose process no longer runs (and untouched for a minute),
    or over a day old, are removed. Returns the removed paths.
    """
    import time

    path = Path(path)
    removed = []
    prefix = f".{path.name}.tmp-"
    try:  # not glob: a name may hold [ or *
        with os.scandir(path.parent) as it:
            candidates = [Path(e.path) for e in it if e.name.startswith(prefix)]
    except OSError:
        return removed
    for tmp in candidates:
        pid = tmp.name.rpartition(".tmp-")[2]
        try:
            age = time.time() - tmp.stat().st_mtime
            # a dead process's file, untouched for a minute (a writer on another machine
            # sharing the folder keeps its file fresh), or any file a day old
            stale = (age > 60 and (not pid.isdigit() or not _pid_alive(int(pid)))
                     or age > 86400)
            if stale and int(pid or 0) != os.getpid():
                tmp.unlink()
                removed.append(tmp)
        except (OSError, ValueError):
            continue
    return removed
