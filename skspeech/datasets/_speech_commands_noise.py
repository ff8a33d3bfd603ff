"""The background-noise recordings of a Speech Commands folder, split in time by subset."""

import os
from numbers import Integral

from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._speech_commands_layout import (
    BACKGROUND_NOISE,
    SILENCE,
    SILENCE_SECONDS,
    TESTING_PERCENTAGE,
    VALIDATION_PERCENTAGE,
    _header,
    _out_len,
    _read_window,
    scan_speech_commands,
)


def _noise_bounds(subset):
    """The stretch of each noise recording, as fractions of its length, that feeds ``subset``."""
    return {
        "train": (0.0, 1 - (VALIDATION_PERCENTAGE + TESTING_PERCENTAGE) / 100),
        "validation": (1 - (VALIDATION_PERCENTAGE + TESTING_PERCENTAGE) / 100,
                       1 - TESTING_PERCENTAGE / 100),
        "test": (1 - TESTING_PERCENTAGE / 100, 1.0),
        "all": (0.0, 1.0),
    }[subset]


@validate_params(
    {
        "path": [str, os.PathLike],
        "subset": [StrOptions({"train", "validation", "test", "all"})],
        "sr": [None, Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def background_noise(path, *, subset="train", sr=None):
    """The ``_background_noise_`` recordings of a Speech Commands folder, the subset's stretch.

    Each recording is split in time as ``load_speech_commands(task="12")``
    splits it for its ``_silence_`` clips: the first 80 % feeds ``"train"``,
    the next 10 % ``"validation"``, the last 10 % ``"test"``, so noise mixed
    into training clips is never the noise a test hears. Pass the result to
    :class:`~skspeech.augment.WaveAugmenter` (``noise=``) or to the network
    recipes (``kws_pipeline(noise=...)``).

    Parameters
    ----------
    path : str or path-like
        The Speech Commands folder (the one holding ``_background_noise_/``).
    subset : {"train", "validation", "test", "all"}, default="train"
        Which stretch of each recording.
    sr : int, default=None
        Resample to this rate; None keeps the files' rate (16 kHz).

    Returns
    -------
    noise : list of ndarray of shape (n_samples,)
        One float32 array per recording, sorted by file name; empty when the
        folder has no ``_background_noise_/``.

    Examples
    --------
    >>> from skspeech.datasets import background_noise
    >>> noise = background_noise("speech_commands_v0.02", subset="train")  # doctest: +SKIP
    >>> len(noise), noise[0].dtype  # doctest: +SKIP
    (6, dtype('float32'))
    """
    index = scan_speech_commands(path)
    low, high = _noise_bounds(subset)
    out = []
    for file in index["background"]:
        frames, file_sr = _header(file)
        start, stop = int(low * frames), int(high * frames)
        if stop > start:
            out.append(_read_window(file, start, stop - start, file_sr, sr, "float32"))
    return out


def _silence_windows(background, subset, n, sr_out, rng):
    """``n`` one-second windows from the noise recordings, from the subset's stretch of each."""
    if n == 0:
        return []
    bounds = _noise_bounds(subset)
    usable = []
    for path in background:
        frames, file_sr = _header(path)
        win = int(round(SILENCE_SECONDS * file_sr))
        lo, hi = int(bounds[0] * frames), int(bounds[1] * frames)
        if hi - lo >= win:
            usable.append((path, file_sr, win, lo, hi))
    if not usable:
        raise ValueError(
            f"task='12' cuts {SILENCE} clips from {BACKGROUND_NOISE}/, but no recording there "
            f"has a {SILENCE_SECONDS:g} s stretch in the {subset!r} part ({bounds[0]:.0%} to "
            f"{bounds[1]:.0%} of each recording). Restore {BACKGROUND_NOISE}/ from the "
            "archive, or use task='words'."
        )
    picks = rng.integers(len(usable), size=n)
    windows = []
    for k in picks:
        path, file_sr, win, lo, hi = usable[k]
        start = int(rng.integers(lo, hi - win + 1))
        windows.append((path, file_sr, start, win, _out_len(win, file_sr, sr_out)))
    return windows
