"""The Free Spoken Digit Dataset (FSDD), read from its folder."""

from __future__ import annotations

import os
import re
import warnings
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..exceptions import InvalidAudioError, SkippedFilesWarning, TruncatedAudioWarning
from ..io import read_audio
from ._base import get_data_home, wrap_paragraphs

FSDD_URL = "https://github.com/Jakobovski/free-spoken-digit-dataset"
#: An FSDD file name: ``{digit}_{speaker}_{take}.wav`` (groups ``digit``, ``speaker``, ``take``).
FSDD_FILE_RE = re.compile(r"(?P<digit>\d)_(?P<speaker>[A-Za-z]+)_(?P<take>\d+)\.wav")
#: The official split: takes 0-4 of each digit and speaker are the test set.
FSDD_TEST_TAKES = 5

_DESCR = """\
Free Spoken Digit Dataset (FSDD)
================================

Recordings of the English digits "0" to "9" (one word per file, trimmed to
near-minimal silence), 8 kHz mono WAV, named ``{{digit}}_{{speaker}}_{{take}}.wav``.
6 speakers x 10 digits x 50 takes = 3,000 recordings (the dataset is open and
may grow).
Official split: takes 0-4 of every speaker and digit are the test set (300),
takes 5-49 the training set (2,700). The test speakers are the training
speakers: to test on unseen speakers, group by ``speaker`` instead.

This load: subset={subset!r}, {n_clips} clips, {n_speakers} speakers ({speakers}),
sample rate {sr} Hz{resampled}. Clips differ in length ({min_len:.2f} to {max_len:.2f} s),
so ``data`` is a list of 1-D arrays: pad or trim them with
:class:`skspeech.preprocessing.PadTrim`.

Source: {url} (Zohar Jackson and contributors; versioned with a Zenodo DOI
and git tags: cite the version you used). Licence: Creative Commons
Attribution-ShareAlike 4.0 International (CC BY-SA 4.0): credit the authors and
share derived data under the same licence.
"""


def _recordings_folder(path):
    if path is None:
        path = os.path.join(get_data_home(), "fsdd")
    path = Path(os.path.expanduser(os.fspath(path)))
    hint = (f"Get it with: git clone {FSDD_URL} (the recordings are in its recordings/ "
            "folder), then pass that folder as path, or put it at <data_home>/fsdd.")
    if not path.is_dir():
        raise FileNotFoundError(f"No FSDD folder at {str(path)!r}. {hint}")
    folder = path / "recordings" if (path / "recordings").is_dir() else path
    files = sorted(p for p in folder.iterdir() if FSDD_FILE_RE.fullmatch(p.name))
    if not files:
        raise FileNotFoundError(
            f"{str(folder)!r} holds no FSDD recordings (files named like 7_jackson_32.wav). "
            f"Pass the folder that contains recordings/, or recordings/ itself. {hint}"
        )
    return folder, files


@validate_params(
    {
        "path": [None, str, os.PathLike],
        "subset": [StrOptions({"train", "test", "all"})],
        "sr": [None, Interval(Integral, 1, None, closed="left")],
        "return_X_y": ["boolean"],
        "on_error": [StrOptions({"raise", "skip"})],
    },
    prefer_skip_nested_validation=True,
)
def load_fsdd(path: str | os.PathLike | None = None, *, subset: str = "train",
              sr: int | None = None, return_X_y: bool = False,
              on_error: str = "raise") -> Bunch | tuple:
    """Load the Free Spoken Digit Dataset from its folder.

    Real recordings of the digits 0 to 9 by 6 speakers (3,000 8 kHz WAV
    files, CC BY-SA 4.0). Nothing is downloaded: clone
    https://github.com/Jakobovski/free-spoken-digit-dataset first.

    Parameters
    ----------
    path : str or path-like, default=None
        The folder that contains ``recordings/``, or ``recordings/`` itself.
        ``None`` means ``<data_home>/fsdd`` (see :func:`get_data_home`).
    subset : {"train", "test", "all"}, default="train"
        The official split: takes 0-4 are "test" (300 clips), takes 5-49
        "train" (2,700).
    sr : int, default=None
        Resample every clip to this rate on load (polyphase filter);
        ``None`` keeps the files' 8000 Hz.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    on_error : {"raise", "skip"}, default="raise"
        What to do with a recording that cannot be read (corrupt, truncated,
        not audio): "raise" stops with an error naming the file; "skip"
        leaves it out and warns once with a
        :class:`~skspeech.exceptions.SkippedFilesWarning` listing each file
        and the reason.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With attributes:

        data : list of ndarray of shape (n_samples_i,), float32
            The clips (they differ in length), ordered by digit, speaker,
            take.
        target : ndarray of shape (n_clips,), str
            The digit spoken, "0" to "9".
        speaker : ndarray of shape (n_clips,), str
            The speaker's name, e.g. "jackson".
        take : ndarray of shape (n_clips,), int
            The take number, 0 to 49.
        filenames : ndarray of shape (n_clips,), str
            Full path of each file.
        target_names : list of str
            "0" to "9".
        sr : int
            The sample rate of ``data``.
        DESCR : str
            Description, split and licence (with the credit to give).
        skipped : list of (str, str)
            The files left out with ``on_error="skip"`` and why (path,
            reason); empty otherwise.

    (data, target) : tuple of (list of ndarray, ndarray)
        The clips and the digits spoken, with ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If the folder does not exist or holds no FSDD recordings.

    See Also
    --------
    make_spoken_commands : Synthetic spoken commands from espeak-ng.

    Examples
    --------
    >>> from skspeech.datasets import load_fsdd
    >>> fsdd = load_fsdd("/path/to/free-spoken-digit-dataset")  # doctest: +SKIP
    >>> len(fsdd.data), fsdd.target[:3], fsdd.sr  # doctest: +SKIP
    (2700, array(['0', '0', '0'], dtype='<U1'), 8000)
    >>> load_fsdd("no/such/folder")
    Traceback (most recent call last):
    ...
    FileNotFoundError: No FSDD folder at 'no/such/folder'. Get it with: git clone ...
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip'; got {on_error!r}.")
    folder, files = _recordings_folder(path)
    rows = []
    for f in files:
        m = FSDD_FILE_RE.fullmatch(f.name)
        take = int(m["take"])
        is_test = take < FSDD_TEST_TAKES
        if subset == "all" or (subset == "test") == is_test:
            rows.append((m["digit"], m["speaker"], take, f))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    if not rows:
        raise FileNotFoundError(f"{str(folder)!r} holds no recordings of the {subset!r} subset.")

    data, rates, good, skipped = [], set(), [], []
    for row in rows:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", TruncatedAudioWarning)
                x, file_sr = read_audio(row[3], sr=sr)
        except (InvalidAudioError, TruncatedAudioWarning, OSError) as exc:
            if on_error == "raise":
                if isinstance(exc, TruncatedAudioWarning):
                    raise InvalidAudioError(str(exc)) from None
                raise
            skipped.append((row[3], str(exc)))
            continue
        data.append(x)
        good.append(row)
        rates.add(file_sr)
    if skipped:
        from ._speech_commands import _skipped_message

        if not good:
            raise InvalidAudioError(f"No readable recordings of the {subset!r} subset in "
                                    f"{str(folder)!r}: " + _skipped_message(skipped))
        warnings.warn(f"load_fsdd: {_skipped_message(skipped)}", SkippedFilesWarning,
                      stacklevel=2)
        rows = good
    if len(rates) > 1:
        raise ValueError(
            f"The recordings in {str(folder)!r} have different sample rates {sorted(rates)}; "
            "pass sr (e.g. sr=8000) to resample them all to one rate."
        )
    out_sr = rates.pop()
    target = np.array([r[0] for r in rows])
    if return_X_y:
        return data, target
    lengths = [len(x) / out_sr for x in data]
    speakers = sorted({r[1] for r in rows})
    descr = wrap_paragraphs(_DESCR.format(
        subset=subset, n_clips=len(data), n_speakers=len(speakers),
        speakers=", ".join(speakers), sr=out_sr,
        resampled="" if sr is None else " (resampled on load)",
        min_len=min(lengths), max_len=max(lengths), url=FSDD_URL,
    ))
    return Bunch(
        data=data, target=target, speaker=np.array([r[1] for r in rows]),
        take=np.array([r[2] for r in rows], dtype=np.int64),
        filenames=np.array([str(r[3]) for r in rows]),
        target_names=[str(d) for d in range(10)], sr=out_sr, DESCR=descr,
        skipped=[(str(p), reason) for p, reason in skipped],
    )
