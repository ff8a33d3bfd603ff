"""Give every command the same weight in training: repeat the clips of the rare ones."""

import numpy as np
from sklearn.utils import check_random_state

from ..labels import commands_of
from ._unknown import check_min_clips, repeat_clips


def balance_commands(data, *, min_clips="auto", random_state=0):
    """Repeat the clips of the rare commands until each has ``min_clips``.

    Speech Commands has fewer clips of some commands than of others (in the
    development copy go, on and off have about 260 training clips each, the
    other seven about 830): a network trained on them as they are hears the
    rare words less often and less surely. This repeats, with replacement,
    the clips of each command (a class not starting with ``"_"``) that has
    fewer than ``min_clips``; the random augmentation of the network recipes
    makes each repetition a different copy. ``_unknown_`` and ``_silence_``
    are left as they are (see :func:`balance_unknown_words`). For training
    data only: scores on repeated clips would count some clips twice.

    Parameters
    ----------
    data : Bunch
        ``data`` and ``target`` (from :func:`load_speech_commands`), and
        ``word``, ``speaker``, ``filenames``, ``start`` if present.
    min_clips : int or "auto", default="auto"
        Clips each command gets at least (a command with more keeps its
        clips, none is dropped). "auto": the median number of clips of the
        commands.
    random_state : int, RandomState instance or None, default=0
        Which clips are repeated.

    Returns
    -------
    balanced : Bunch
        A copy of ``data`` with the repeated clips appended after the
        originals (same fields, one entry per clip; ``data`` stays an array,
        a list or an :class:`~skspeech.io.AudioFiles` as it came).

    See Also
    --------
    balance_unknown_words : The same for the words of ``_unknown_``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.utils import Bunch
    >>> from skspeech.datasets import balance_commands
    >>> target = np.array(["yes"] * 4 + ["no"] * 4 + ["go"] * 2 + ["_unknown_"])
    >>> out = balance_commands(Bunch(data=np.zeros((11, 4)), target=target))
    >>> {w: int(np.sum(out.target == w)) for w in ("yes", "no", "go", "_unknown_")}
    {'yes': 4, 'no': 4, 'go': 4, '_unknown_': 1}
    """
    check_min_clips(min_clips)
    for field in ("data", "target"):
        if field not in data:
            raise ValueError(f"balance_commands needs a Bunch with {field!r} (from "
                             f"load_speech_commands); it has {sorted(data)}.")
    target = np.asarray(data.target).astype(str)
    if len(target) != len(data.data):
        raise ValueError(f"data and target must have one entry per clip; got "
                         f"{len(data.data)} and {len(target)}.")
    is_command = np.isin(target, commands_of(np.unique(target)))
    commands, counts = np.unique(target[is_command], return_counts=True)
    if not len(commands):
        raise ValueError("data has no command clips (only classes starting with '_').")
    if min_clips == "auto":
        min_clips = int(np.median(counts))
    rng = check_random_state(random_state)
    extra = [rng.choice(np.flatnonzero(target == w), min_clips - n, replace=True)
             for w, n in zip(commands, counts) if n < min_clips]
    return repeat_clips(data, extra)
