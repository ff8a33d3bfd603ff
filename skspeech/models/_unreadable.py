"""Clips that cannot be read while a model trains on clips read in batches: one message that
names the file and says what to do, in place of the framework's error. No Keras here: the
Pipeline's streamed fit uses it too."""

from __future__ import annotations

from ..exceptions import UnreadableClipError
from ..io._clips import READ_ERRORS

__all__ = ["READ_ERRORS", "clip_error", "log_skipped", "skipping_checkpoint", "unreadable"]


def unreadable(exc, epoch=None):
    """An :class:`UnreadableClipError` for an error met reading training clips (one line)."""
    when = "before training" if epoch is None else f"in epoch {int(epoch) + 1}"
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return UnreadableClipError(
        f"A training clip could not be read {when}: {reason} Was the file changed or removed "
        f"since the data was listed, or is it damaged? Restore or replace it, or leave it out "
        f"of the training data.")


def log_skipped(path, exc):
    """Append the message of a clip left out to the file ``path``: one short append per line,
    so the lines of every worker process stay whole."""
    from pathlib import Path

    line = " ".join(str(exc).split()) or type(exc).__name__
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8", errors="backslashreplace") as f:
        f.write(line + "\n")


def clip_error(exc):
    """The :class:`UnreadableClipError` behind an error of ``keras.Model.fit``, or None.

    Keras hands a batch's error on inside the framework's own (TensorFlow's
    "Graph execution error", also from a worker process): only its text
    travels, so the message is found in it.
    """
    import re

    if isinstance(exc, UnreadableClipError):
        return exc
    found = re.search(r"UnreadableClipError: (.+)", str(exc))
    return None if found is None else UnreadableClipError(found.group(1).strip())


def skipping_checkpoint(est):
    """The checkpoint callback of ``est`` (its ``callbacks``) that leaves out clips that cannot
    be read (``on_unreadable="skip"``), or None."""
    return next((cb for cb in getattr(est, "callbacks", None) or []
                 if getattr(cb, "on_unreadable", None) == "skip"), None)
