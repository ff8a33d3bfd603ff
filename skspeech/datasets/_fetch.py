"""fetch_speech_commands and fetch_fsdd: a dataset downloaded if needed (the registry's
:func:`~skspeech.datasets._registry.ensure_dataset`), then loaded."""

from __future__ import annotations

import os
from collections.abc import Sequence
from numbers import Integral, Real

from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._fsdd import load_fsdd
from ._registry import _WHERE_AND_HOW, _fetch_doc, ensure_dataset
from ._speech_commands import load_speech_commands

__all__ = ["fetch_fsdd", "fetch_speech_commands"]

_SC_KEY = {1: "speech_commands_v0.01", 2: "speech_commands_v0.02"}
_FSDD_KEY = {"1.0.10": "fsdd", "1.0.9": "fsdd-1.0.9"}


@_fetch_doc
@validate_params(
    {
        "version": [StrOptions({"1", "2", "0.01", "0.02"}), Interval(Integral, 1, 2,
                                                                   closed="both")],
        "subset": [StrOptions({"train", "validation", "test", "all", "test_set"})],
        "words": [None, list, tuple],
        "task": [StrOptions({"words", "12", "35"})],
        "sr": [None, Interval(Integral, 1, None, closed="left")],
        "dtype": [StrOptions({"float32", "float64"})],
        "min_duration": [None, Interval(Real, 0, None, closed="left")],
        **_WHERE_AND_HOW,
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def fetch_speech_commands(version: int | str = 2, *, subset: str = "train",
                          words: Sequence[str] | None = None, task: str = "words",
                          sr: int | None = None, dtype: str = "float32",
                          min_duration: float | None = None,
                          data_home: str | os.PathLike | None = None,
                          download_if_missing: bool = True, return_X_y: bool = False,
                          verbose: bool = True) -> Bunch | tuple:
    """Download the Speech Commands dataset (if needed) and load a subset.

    Downloads the official archive from download.tensorflow.org (falling back
    to its storage.googleapis.com address) into ``data_home`` with a progress
    bar, resumes an interrupted download (HTTP Range, also in a later call),
    retries with back-off, verifies the published SHA-256, extracts safely
    and atomically (see :func:`skspeech.datasets.load_speech_commands` for
    the loading), then deletes the archive.

    Archives (SHA-256 as pinned by tensorflow_datasets and torchaudio), and
    the folder each is extracted to under ``data_home``:

    - ``version=1``: ``speech_commands_v0.01.tar.gz``, 1.5 GB, SHA-256
      ``743935421bb51cccdb6bdd152e04c5c70274e935c82119ad7faeec31780d811d``,
      to ``speech_commands_v0.01/``.
    - ``version=2``: ``speech_commands_v0.02.tar.gz``, 2.4 GB, SHA-256
      ``af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58``,
      to ``speech_commands_v0.02/``.
    - ``version=2, subset="test_set"``: ``speech_commands_test_set_v0.02.tar.gz``,
      113 MB, SHA-256
      ``cc2a00c1147c2254e9be3fa0f779d8c17421dc349b86366567a8edfa9acd51df``,
      to ``speech_commands_test_set_v0.02/``.

    All from ``http://download.tensorflow.org/data/``.

    Parameters
    ----------
    version : {1, 2}, default=2
        Dataset version: 1 is v0.01 (30 words), 2 is v0.02 (35 words).
        ``"0.01"`` and ``"0.02"`` are accepted too.
    subset : {"train", "validation", "test", "all", "test_set"}, default="train"
        "train", "validation", "test" follow the archive's lists.
        "test_set" (v0.02 only) downloads and loads the separate canonical
        test-set archive (4,890 clips with ``_silence_`` and ``_unknown_``
        made for ``task="12"``).
    words, task, sr, dtype, min_duration :
        As in :func:`load_speech_commands`.
    %(where_and_if)s
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    verbose : bool or int, default=True
        Progress bars for downloading, checking, extracting and loading.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch` or tuple
        As :func:`load_speech_commands`.

    Raises
    ------
    FileNotFoundError
        If the data are missing and ``download_if_missing=False``; the
        message says what to download and where to put it.
    skspeech.datasets.DownloadError
        If the download failed (offline, server down): the message says what
        to download by hand and where to put it. What was received is kept
        and the next call resumes.
    skspeech.datasets.ChecksumError
        If the download does not match the published SHA-256 (it is deleted).
    skspeech.datasets.UnsafeArchiveError
        If an archive member would land outside ``data_home`` (nothing is
        extracted).

    See Also
    --------
    load_speech_commands : Load an extracted copy.
    fetch_fsdd : The Free Spoken Digit Dataset.

    Examples
    --------
    >>> from skspeech.datasets import fetch_speech_commands
    >>> train = fetch_speech_commands(version=2, task="12")  # doctest: +SKIP
    >>> test = fetch_speech_commands(version=2, subset="test_set", task="12")  # doctest: +SKIP
    >>> import tempfile
    >>> fetch_speech_commands(data_home=tempfile.mkdtemp(), download_if_missing=False)
    Traceback (most recent call last):
    ...
    FileNotFoundError: Speech Commands v0.02 is not in '...speech_commands_v0.02' and ...
    """
    version = {"1": 1, "2": 2, "0.01": 1, "0.02": 2}.get(str(version), version)
    if subset == "test_set":
        if version != 2:
            raise ValueError("subset='test_set' is the separate v0.02 test-set archive; use "
                             "version=2 (v0.01's test subset is subset='test').")
        key, subset = "speech_commands_test_set_v0.02", "test"
    else:
        key = _SC_KEY[version]
    folder = ensure_dataset(key, data_home=data_home, download_if_missing=download_if_missing,
                            verbose=verbose)
    return load_speech_commands(folder, words=words, subset=subset, task=task, sr=sr,
                                dtype=dtype, min_duration=min_duration, return_X_y=return_X_y,
                                verbose=verbose)


@_fetch_doc
@validate_params(
    {
        "version": [StrOptions({"1.0.10", "1.0.9"})],
        "subset": [StrOptions({"train", "test", "all"})],
        "sr": [None, Interval(Integral, 1, None, closed="left")],
        **_WHERE_AND_HOW,
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def fetch_fsdd(*, version: str = "1.0.10", subset: str = "train", sr: int | None = None,
               data_home: str | os.PathLike | None = None, download_if_missing: bool = True,
               return_X_y: bool = False, verbose: bool = True) -> Bunch | tuple:
    """Download the Free Spoken Digit Dataset (if needed) and load it.

    The same machinery as :func:`fetch_speech_commands` (resume, retries,
    verification, safe atomic extraction) for FSDD's GitHub release archive,
    then :func:`load_fsdd` (official split: takes 0-4 test, 5-49 train).

    - ``version="1.0.10"`` (3,000 recordings, 6 speakers):
      https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz
    - ``version="1.0.9"`` (2,500 recordings, 5 speakers):
      https://github.com/Jakobovski/free-spoken-digit-dataset/archive/v1.0.9.tar.gz,
      SHA-256 ``8bc44cde129d505cbbb6b365c09f80c663f2aa77578afc634e6141a2f87100c0``,
      11,975,353 bytes (as pinned by tensorflow_datasets).

    No checksum is published for v1.0.10, and GitHub generates tag archives
    on the fly, so none is pinned: the transfer is over HTTPS and the
    extracted content is verified instead (3,000 files named
    ``{digit}_{speaker}_{take}.wav``, each a readable WAV). v1.0.9 is checked
    against the SHA-256 tensorflow_datasets publishes. v1.0.10 goes to
    ``<data_home>/fsdd`` (where :func:`load_fsdd` looks by default), v1.0.9
    to ``<data_home>/fsdd-1.0.9``.

    Parameters
    ----------
    version : {"1.0.10", "1.0.9"}, default="1.0.10"
        The release.
    subset : {"train", "test", "all"}, default="train"
        As in :func:`load_fsdd`.
    sr : int, default=None
        Resample on load; ``None`` keeps 8000 Hz.
    %(where_and_if)s
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    verbose : bool or int, default=True
        Progress bars while downloading and extracting.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch` or tuple
        As :func:`load_fsdd`.

    See Also
    --------
    load_fsdd : Load a copy already on disk (e.g. a git clone).

    Examples
    --------
    >>> from skspeech.datasets import fetch_fsdd
    >>> fsdd = fetch_fsdd()  # doctest: +SKIP
    >>> len(fsdd.data), len(set(fsdd.speaker))  # doctest: +SKIP
    (2700, 6)
    """
    folder = ensure_dataset(_FSDD_KEY[version], data_home=data_home,
                            download_if_missing=download_if_missing, verbose=verbose)
    return load_fsdd(folder, subset=subset, sr=sr, return_X_y=return_X_y)
