"""Give every word of the ``_unknown_`` class a voice in training: repeat the rare ones."""

from numbers import Integral

import numpy as np
from sklearn.utils import Bunch, check_random_state

from ..labels import SILENCE, UNKNOWN

MIN_CLIPS = 40  # min_clips="auto" on a data set whose commands have more clips than this
# skspeech train's training clips: three times the standard task's share of _unknown_ (every
# other-word clip of the development copy; 30 % of the full data set), then balance_unknown_words
TRAIN_UNKNOWN_PERCENTAGE = 30.0
_PER_CLIP = ("target", "word", "speaker", "filenames", "start")


def _take(data, idx):
    if isinstance(data, list):
        return [data[i] for i in idx]
    return data[idx]  # ndarray, or a lazy AudioFiles (a lazy subset)


def balance_unknown_words(data, *, min_clips="auto", random_state=0):
    """Repeat the clips of the rare words of ``_unknown_`` until each has ``min_clips``.

    The ``_unknown_`` class of Speech Commands is mostly a few words (in the
    full data set, and even more in small copies: bed, cat and happy have 150
    clips each in the development copy, the other 25 words 8 to 15). A
    network then learns to reject the frequent words and little else, while
    the rare ones are often the confusable ones ("off" is heard as "up",
    "eight" as "right"). This repeats, with replacement, the clips of each
    word of ``_unknown_`` that has fewer than ``min_clips``, so that training
    weighs the words more evenly; the random augmentation of the network
    recipes makes each repetition a different copy. For training data only:
    scores on repeated clips would count some clips twice.

    Parameters
    ----------
    data : Bunch
        From :func:`load_speech_commands` with ``task="12"``: ``data``,
        ``target`` and ``word`` (the word each ``_unknown_`` clip says), and
        ``speaker``, ``filenames``, ``start`` if present.
    min_clips : int or "auto", default="auto"
        Clips each word of ``_unknown_`` gets at least (a word with more keeps
        its clips, none is dropped). "auto": 40, or the median number of clips
        of the commands if that is smaller (an other word never outweighs a
        command).
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
    load_speech_commands : ``unknown_percentage="all"`` takes every clip of
        the other words first.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.utils import Bunch
    >>> from skspeech.datasets import balance_unknown_words
    >>> data = Bunch(data=np.zeros((7, 4)), target=np.array(["yes"] * 3 + ["_unknown_"] * 4),
    ...              word=np.array(["yes", "yes", "yes", "bed", "bed", "bed", "off"]))
    >>> out = balance_unknown_words(data)  # up to 3 clips: as many as the command has
    >>> sorted(out.word[out.target == "_unknown_"].tolist())
    ['bed', 'bed', 'bed', 'off', 'off', 'off']
    >>> out.data.shape
    (9, 4)
    """
    check_min_clips(min_clips)
    for field in ("data", "target", "word"):
        if field not in data:
            raise ValueError(f"balance_unknown_words needs a Bunch with {field!r} (from "
                             f"load_speech_commands); it has {sorted(data)}.")
    target, word = np.asarray(data.target), np.asarray(data.word)
    if not (len(target) == len(word) == len(data.data)):
        raise ValueError(f"data, target and word must have one entry per clip; got "
                         f"{len(data.data)}, {len(target)} and {len(word)}.")
    unknown = np.flatnonzero(target == UNKNOWN)
    if not len(unknown):
        raise ValueError(f"data has no {UNKNOWN} clips: load it with task='12'.")
    if min_clips == "auto":
        commands = target[(target != UNKNOWN) & (target != SILENCE)]
        counts = np.unique(commands, return_counts=True)[1]
        min_clips = min(MIN_CLIPS, int(np.median(counts))) if len(counts) else MIN_CLIPS
    rng = check_random_state(random_state)
    extra = []
    for w in sorted(set(word[unknown].tolist())):
        idx = unknown[word[unknown] == w]
        if len(idx) < min_clips:
            extra.append(rng.choice(idx, min_clips - len(idx), replace=True))
    return repeat_clips(data, extra)


def check_min_clips(min_clips):
    """Raise if ``min_clips`` is neither an int >= 1 nor "auto"."""
    if not (min_clips == "auto" or (isinstance(min_clips, Integral)
                                    and not isinstance(min_clips, bool) and min_clips >= 1)):
        raise ValueError(f"min_clips must be an int >= 1 or 'auto'; got {min_clips!r}.")


def repeat_clips(data, extra):
    """A copy of ``data`` with the clips of the index arrays ``extra`` appended."""
    n = len(data.target)
    order = np.concatenate([np.arange(n)] + list(extra)).astype(np.intp)
    out = Bunch(**data)
    out.data = _take(data.data, order)
    for field in _PER_CLIP:
        if field in data and data[field] is not None and len(data[field]) == n:
            out[field] = np.asarray(data[field])[order]
    return out
