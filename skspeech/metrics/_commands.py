"""False accepts and false rejects of a recogniser with "no command" classes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ..labels import NON_COMMANDS

__all__ = ["NON_COMMANDS", "command_error_rates"]



def _labels(y, name):
    y = column_or_1d(np.asarray(y, dtype=object), warn=False)
    bad = [i for i, v in enumerate(y) if not isinstance(v, (str, np.str_))]
    if bad:
        raise ValueError(f"{name} must hold word labels (strings); entry {bad[0]} is "
                         f"{y[bad[0]]!r}.")
    return y.astype(str)


def command_error_rates(y_true: ArrayLike, y_pred: ArrayLike, *,
                        non_commands: Sequence[str] = NON_COMMANDS) -> dict[str, float]:
    """Accuracy, false-accept, false-reject and wrong-word rates of command predictions.

    A keyword spotter errs in three ways, and they cost differently: it
    hears a command in other speech or noise (a false accept), misses a
    command (a false reject: heard as ``_unknown_`` or ``_silence_``), or
    hears the wrong command.

    Parameters
    ----------
    y_true : array-like of shape (n_clips,)
        The true labels (words, ``"_unknown_"``, ``"_silence_"``).
    y_pred : array-like of shape (n_clips,)
        The predicted labels.
    non_commands : sequence of str, default=("_unknown_", "_silence_")
        The labels that mean "no command".

    Returns
    -------
    rates : dict
        ``accuracy``: the share of clips labelled right;
        ``false_accept``: of the clips with a ``non_commands`` label, the
        share predicted as a command (NaN without such clips);
        ``false_reject``: of the command clips, the share predicted as a
        ``non_commands`` label (NaN without command clips);
        ``wrong_command``: of the command clips, the share predicted as
        another command; ``n_commands``, ``n_non_commands``: the counts.

    Examples
    --------
    >>> from skspeech.metrics import command_error_rates
    >>> rates = command_error_rates(["yes", "no", "_unknown_", "_silence_"],
    ...                             ["yes", "_unknown_", "no", "_silence_"])
    >>> rates["accuracy"], rates["false_accept"], rates["false_reject"]
    (0.5, 0.5, 0.5)
    """
    y_true = _labels(y_true, "y_true")
    y_pred = _labels(y_pred, "y_pred")
    check_consistent_length(y_true, y_pred)
    if len(y_true) == 0:
        raise ValueError("command_error_rates needs at least one clip; got none.")
    other = np.isin(y_true, list(non_commands))
    heard_other = np.isin(y_pred, list(non_commands))
    n_cmd, n_other = int((~other).sum()), int(other.sum())

    def share(mask, of):
        return float(mask.sum() / of.sum()) if of.any() else float("nan")

    return {
        "accuracy": float(np.mean(y_true == y_pred)),
        "false_accept": share(other & ~heard_other, other),
        "false_reject": share(~other & heard_other, ~other),
        "wrong_command": share(~other & ~heard_other & (y_true != y_pred), ~other),
        "n_commands": n_cmd,
        "n_non_commands": n_other,
    }
