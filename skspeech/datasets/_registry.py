"""The archives skspeech downloads and how it gets one: where from, how to check it, where it goes.

The registry (``ARCHIVES``, ``_RELEASES``), the checks of an extracted
archive's content, :func:`ensure_dataset` (download, verify, extract once) and
:func:`download_dataset`, its public form. The fetchers that also load the
data are in :mod:`skspeech.datasets._fetch`.
"""

from __future__ import annotations

import os
from numbers import Integral
from pathlib import Path

from sklearn.utils._param_validation import StrOptions, validate_params

from .._docstrings import fill_doc
from ..labels import BACKGROUND_NOISE, UNKNOWN
from ._archive import extract_archive, remove_stale_partials
from ._base import get_data_home
from ._fsdd import FSDD_FILE_RE
from ._http import DownloadError, _human, download
from ._lock import data_lock
from ._speech_commands import TESTING_LIST, VALIDATION_LIST

__all__ = ["ARCHIVES", "download_dataset", "ensure_dataset"]

# Every archive we download: where from, how to check it, where it goes.
# ``sha256``/``size`` are the published values (sources in the comments);
# ``check`` verifies the extracted content as well.
_TF_DATA = "download.tensorflow.org/data/"


def _fsdd_archive(version, path, folder, **spec):
    """An FSDD release: the tag archive GitHub makes for ``version``."""
    return dict(archive=f"free-spoken-digit-dataset-{version}.tar.gz",
                url=f"https://github.com/Jakobovski/free-spoken-digit-dataset/archive/{path}",
                mirrors=(), folder=folder, kind="fsdd",
                title=f"Free Spoken Digit Dataset v{version}", **spec)


def _tensorflow_archive(name, **spec):
    """An archive as TensorFlow serves it, with its storage.googleapis.com mirror."""
    return dict(archive=f"{name}.tar.gz", url=f"http://{_TF_DATA}{name}.tar.gz",
                mirrors=(f"https://storage.googleapis.com/{_TF_DATA}{name}.tar.gz",),
                folder=name, **spec)


ARCHIVES = {
    # TensorFlow's Speech Commands tutorial and tensorflow_datasets; SHA-256
    # as pinned by torchaudio (SPEECHCOMMANDS._CHECKSUMS); size as served.
    "speech_commands_v0.01": _tensorflow_archive(
        "speech_commands_v0.01",
        sha256="743935421bb51cccdb6bdd152e04c5c70274e935c82119ad7faeec31780d811d",
        size=1_489_096_277, kind="speech_commands", min_words=30,
        title="Speech Commands v0.01"),
    # SHA-256 and size: tensorflow_datasets url_checksums/speech_commands.txt
    # (also torchaudio).
    "speech_commands_v0.02": _tensorflow_archive(
        "speech_commands_v0.02",
        sha256="af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58",
        size=2_428_923_189, kind="speech_commands", min_words=35,
        title="Speech Commands v0.02"),
    # The separate canonical v0.02 test set (tensorflow_datasets checksums).
    "speech_commands_test_set_v0.02": _tensorflow_archive(
        "speech_commands_test_set_v0.02",
        sha256="cc2a00c1147c2254e9be3fa0f779d8c17421dc349b86366567a8edfa9acd51df",
        size=112_563_277, kind="speech_commands_test_set", min_words=10,
        title="Speech Commands v0.02 test set"),
    # FSDD v1.0.10 (3,000 recordings, 6 speakers): the GitHub tag archive, as
    # SpeechBrain downloads it. No checksum is published for it and GitHub
    # makes these archives on the fly, so none is pinned: the content is
    # checked instead (3,000 recordings named {digit}_{speaker}_{take}.wav,
    # every header readable), and the transfer is over HTTPS.
    "fsdd": _fsdd_archive("1.0.10", "refs/tags/v1.0.10.tar.gz", "fsdd", sha256=None,
                          size=None, n_recordings=3000),
    # FSDD v1.0.9 (2,500 recordings, 5 speakers): SHA-256 and size from
    # tensorflow_datasets (audio/spoken_digit/checksums.tsv).
    "fsdd-1.0.9": _fsdd_archive(
        "1.0.9", "v1.0.9.tar.gz", "fsdd-1.0.9", n_recordings=2500, size=11_975_353,
        sha256="8bc44cde129d505cbbb6b365c09f80c663f2aa77578afc634e6141a2f87100c0"),
}


class _ContentError(ValueError):
    """The extracted archive is not the dataset it should be."""


def _speech_commands_checker(min_words, test_set):
    def check(root):
        n_words = sum(1 for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))
        needed = (UNKNOWN,) if test_set else (VALIDATION_LIST, TESTING_LIST,
                                                  BACKGROUND_NOISE)
        missing = [n for n in needed if not (root / n).exists()]
        if missing or n_words < min_words:
            raise _ContentError(
                "The extracted archive does not look like Speech Commands"
                + (" (test set)" if test_set else "")
                + f": {n_words} word folders (expected at least {min_words})"
                + (f", missing {', '.join(missing)}" if missing else "") + "."
            )
    return check


def _fsdd_checker(expected):
    def check(root):
        import soundfile as sf

        from ..io._audio import sf_name

        folder = root / "recordings"
        files = [p for p in folder.iterdir() if FSDD_FILE_RE.fullmatch(p.name)] \
            if folder.is_dir() else []
        if len(files) != expected:
            raise _ContentError(f"The extracted FSDD archive holds {len(files)} recordings "
                                f"in recordings/, expected {expected}.")
        for p in files:
            try:
                sf.info(sf_name(p))
            except Exception as exc:  # noqa: BLE001 - any libsndfile failure
                raise _ContentError(f"The extracted FSDD recording {p.name} is not "
                                    f"readable audio ({exc}).") from exc
    return check


def _manual_hint(spec, dest, archive_path):
    facts = [_human(spec["size"])] if spec.get("size") else []
    if spec["sha256"]:
        facts.append(f"SHA-256 {spec['sha256']}")
    facts = f" ({', '.join(facts)})" if facts else ""
    strip = " --strip-components=1" if spec["kind"] == "fsdd" else ""
    holds = ("recordings/" if spec["kind"] == "fsdd" else
             "yes/, no/, ..., validation_list.txt" if spec["kind"] == "speech_commands"
             else "yes/, no/, ..., _unknown_/")
    return (f"To install it by hand: download {spec['url']}{facts}, then either put the file "
            f"at {str(archive_path)!r} (the next call verifies and extracts it, offline), or "
            f"extract it yourself so that {str(dest)!r} holds {holds} "
            f"(mkdir -p {dest} && tar -xzf {archive_path.name} -C {dest}{strip}).")


def ensure_dataset(key, *, data_home=None, download_if_missing=True, verbose=True,
                   retries=5, backoff=1.0, timeout=30.0):
    """The folder of dataset ``key`` under ``data_home``, downloading it if needed.

    The archive goes to ``<data_home>/<file name>``, is verified, extracted
    atomically to ``<data_home>/<folder>``, then deleted. A folder already
    there is used as it is (so a copy extracted by hand works too).
    """
    spec = ARCHIVES[key]
    home = Path(get_data_home(data_home))
    dest = home / spec["folder"]
    archive_path = home / spec["archive"]
    if dest.is_dir():
        return dest
    if not download_if_missing and not archive_path.is_file():
        raise FileNotFoundError(
            f"{spec['title']} is not in {str(dest)!r} and download_if_missing=False. "
            + _manual_hint(spec, dest, archive_path)
        )
    with data_lock(home / ".locks" / f"{spec['folder']}.lock", what=spec["title"]) as locked:
        if dest.is_dir():  # another process finished it meanwhile
            return dest
        if locked:
            remove_stale_partials(dest)
        if verbose:
            print(f"{spec['title']}: downloading {spec['url']} to {str(home)!r}")
        try:
            download(spec["url"], archive_path, sha256=spec["sha256"], size=spec["size"],
                     mirrors=spec["mirrors"], retries=retries, backoff=backoff,
                     timeout=timeout, verbose=verbose)
        except DownloadError as exc:
            raise DownloadError(f"{exc} " + _manual_hint(spec, dest, archive_path)) from exc
        check = (_fsdd_checker(spec["n_recordings"]) if spec["kind"] == "fsdd"
                 else _speech_commands_checker(spec["min_words"],
                                               spec["kind"] == "speech_commands_test_set"))
        try:
            extract_archive(archive_path, dest, check=check, verbose=verbose)
        except _ContentError as exc:
            raise _ContentError(f"{exc} The archive {str(archive_path)!r} is kept; delete it to "
                             "download it again.") from exc
        archive_path.unlink()
    if verbose:
        print(f"{spec['title']} is ready in {str(dest)!r}")
    return dest


# The parameters every fetching function takes: where the data live, and how to get them.
_WHERE_AND_HOW = {"data_home": [None, str, os.PathLike], "download_if_missing": ["boolean"],
                  "verbose": ["verbose"]}

_fetch_doc = fill_doc(where_and_if="""\
data_home : str or path-like, default=None
    Where datasets live; ``None`` means the ``SKSPEECH_DATA`` environment
    variable, else ``~/skspeech_data`` (see :func:`get_data_home`).
download_if_missing : bool, default=True
    If False and the data are not there, raise FileNotFoundError with
    instructions instead of downloading.""")

# The releases of each dataset download_dataset knows: {name: {version: ARCHIVES key}}.
_RELEASES = {
    "speech_commands": {"2": "speech_commands_v0.02", "0.02": "speech_commands_v0.02",
                        "1": "speech_commands_v0.01", "0.01": "speech_commands_v0.01"},
    "speech_commands_test_set": {"2": "speech_commands_test_set_v0.02",
                                 "0.02": "speech_commands_test_set_v0.02"},
    "fsdd": {"1.0.10": "fsdd", "1.0.9": "fsdd-1.0.9"},
}


@_fetch_doc
@validate_params(
    {
        "name": [StrOptions(set(_RELEASES))],
        "version": [None, str, Integral],
        **_WHERE_AND_HOW,
    },
    prefer_skip_nested_validation=True,
)
def download_dataset(name: str, *, version: str | int | None = None,
                     data_home: str | os.PathLike | None = None,
                     download_if_missing: bool = True, verbose: bool = True) -> Path:
    """Download and extract a dataset's official archive (if needed); return its folder.

    What :func:`fetch_speech_commands` and :func:`fetch_fsdd` do before
    loading, without loading: the archive is downloaded into ``data_home``
    (resumed if it was cut, retried, its published SHA-256 verified),
    extracted safely and atomically, and deleted. A folder already there is
    returned as it is. ``skspeech data fetch`` calls this.

    Parameters
    ----------
    name : {"speech_commands", "speech_commands_test_set", "fsdd"}
        The dataset: Speech Commands, the separate v0.02 test-set archive, or
        the Free Spoken Digit Dataset.
    version : str or int, default=None
        The release: 1 or 2 (also "0.01", "0.02") for Speech Commands, 2 for
        its test set, "1.0.10" or "1.0.9" for FSDD; None means the latest
        (2, 2, "1.0.10").
    %(where_and_if)s
    verbose : bool or int, default=True
        Progress bars while downloading and extracting.

    Returns
    -------
    folder : pathlib.Path
        The extracted dataset, e.g. ``<data_home>/speech_commands_v0.02``.

    Raises
    ------
    ValueError
        If ``version`` is not a release of ``name``.
    FileNotFoundError, skspeech.datasets.DownloadError, skspeech.datasets.ChecksumError
        As :func:`fetch_speech_commands`.

    Examples
    --------
    >>> from skspeech.datasets import download_dataset
    >>> download_dataset("fsdd")  # doctest: +SKIP
    PosixPath('/home/me/skspeech_data/fsdd')
    >>> download_dataset("fsdd", version="2.0")
    Traceback (most recent call last):
    ...
    ValueError: version='2.0' is not a release of fsdd; use one of '1.0.10', '1.0.9'.
    """
    releases = _RELEASES[name]
    key = releases.get(next(iter(releases)) if version is None else str(version))
    if key is None:
        known = ", ".join(repr(v) for v in dict.fromkeys(releases))
        raise ValueError(f"version={version!r} is not a release of {name}; use one of "
                         f"{known}.")
    return ensure_dataset(key, data_home=data_home, download_if_missing=download_if_missing,
                          verbose=verbose)
