"""Archives extracted safely and atomically.

The safety rules are the standard library's: every member of a tar archive
goes through :func:`tarfile.data_filter` (Python 3.11.4+, PEP 706), which
refuses names and links that leave the folder, links to absolute paths, and
device files and FIFOs. Zip members are described to the same filter as tar
members, so both formats follow one policy. Two rules are added: a member
with an absolute name is refused (the filter would quietly make it relative),
and the filter's errors become :class:`UnsafeArchiveError` with a message
that names the member. Members go into a hidden temporary folder next to the
destination, which is renamed into place in one step when everything is
there, or removed on any error: a folder that exists is always complete.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from ._http import _progress

__all__ = ["UnsafeArchiveError", "extract_archive", "remove_stale_partials"]


class UnsafeArchiveError(ValueError):
    """An archive member would land outside the target folder, or is a device file."""


def _refuse(archive, member, exc):
    """The UnsafeArchiveError for ``member`` (a TarInfo), saying what is wrong with it."""
    name, link = member.name, member.linkname
    if isinstance(exc, tarfile.SpecialFileError):
        kind = ("character device" if member.ischr() else "block device" if member.isblk()
                else "FIFO" if member.isfifo() else f"special file (type {member.type!r})")
        return UnsafeArchiveError(f"{archive!r} holds a {kind}, {name!r}; a dataset has no "
                                  "reason to, so nothing is extracted.")
    if isinstance(exc, tarfile.AbsoluteLinkError):
        what = f"a link {name!r} -> {link!r} to an absolute path"
    elif isinstance(exc, tarfile.LinkOutsideDestinationError):
        what = f"a link {name!r} -> {link!r} that points outside the dataset folder"
    elif ".." in re.split(r"[\\/]+", name):
        what = f"a member whose path climbs out of the folder, {name!r}"
    else:
        what = f"a member {name!r} that would be written outside the folder ({exc})"
    return UnsafeArchiveError(f"{archive!r} holds {what}; refusing to extract it.")


def _safe_member(archive):
    """A tar extraction filter: :func:`tarfile.data_filter`, plus absolute names refused."""

    def check(member, dest):
        if member.name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", member.name):
            raise UnsafeArchiveError(
                f"{archive!r} holds a member with an absolute path, {member.name!r}; refusing "
                "to extract it (it would be written outside the dataset folder).")
        try:
            return tarfile.data_filter(member, dest)
        except tarfile.FilterError as exc:
            raise _refuse(archive, member, exc) from exc

    return check


class _CountingReader:
    """A file wrapper that moves a progress bar by the compressed bytes read."""

    def __init__(self, f, bar):
        self._f, self._bar = f, bar

    def read(self, n=-1):
        data = self._f.read(n)
        self._bar.update(len(data))
        return data

    def __getattr__(self, name):
        return getattr(self._f, name)


def _extract_tar(archive, root, bar):
    with open(archive, "rb") as raw:
        # Streaming mode ("r|*"): one pass, no seeking, any compression.
        with tarfile.open(fileobj=_CountingReader(raw, bar), mode="r|*") as tar:
            tar.extraction_filter = _safe_member(str(archive))
            tar.errorlevel = 1
            tar.extractall(root)


def _zip_member(info, zf):
    """The TarInfo of zip member ``info`` (the tar filter judges it), and its link target."""
    mode = info.external_attr >> 16
    member = tarfile.TarInfo(info.filename)
    member.mode = stat.S_IMODE(mode) or 0o644
    kind = stat.S_IFMT(mode)
    if info.is_dir() or kind == stat.S_IFDIR:
        member.type = tarfile.DIRTYPE
    elif kind == stat.S_IFLNK:
        member.type, member.linkname = tarfile.SYMTYPE, zf.read(info).decode("utf-8", "replace")
    elif kind in (0, stat.S_IFREG):
        member.type = tarfile.REGTYPE
    else:
        member.type = tarfile.FIFOTYPE if kind == stat.S_IFIFO else tarfile.CHRTYPE
    return member


def _extract_zip(archive, root, bar):
    check = _safe_member(str(archive))
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            bar.update(info.compress_size)
            member = check(_zip_member(info, zf), root)
            target = os.path.join(root, member.name)
            if member.isdir():
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.lexists(target):
                os.unlink(target)  # a later member replaces an earlier one
            if member.issym():
                os.symlink(member.linkname, target)
            else:
                with zf.open(info) as src, open(target, "xb") as dst:  # checks the CRC-32
                    shutil.copyfileobj(src, dst, 1 << 20)


def extract_archive(archive: str | os.PathLike, dest: str | os.PathLike, *,
                    strip_single_folder: bool = True,
                    check: Callable[[Path], object] | None = None,
                    verbose: bool = True) -> Path:
    """Extract a tar or zip archive to ``dest`` safely and atomically.

    Members are written into a hidden temporary folder next to ``dest``,
    each judged first by :func:`tarfile.data_filter`: absolute names, ``..``,
    links pointing outside the folder or to an absolute path, device files
    and FIFOs are refused. When the archive is complete (and ``check``
    accepts it), the folder is renamed to ``dest`` in one step; on any error
    it is deleted. A folder at ``dest`` is therefore always complete.

    Parameters
    ----------
    archive : str or path-like
        A ``.tar``, ``.tar.gz``, ``.tgz``, ``.tar.bz2``, ``.tar.xz`` or ``.zip``.
    dest : str or path-like
        The folder to create; it must not exist.
    strip_single_folder : bool, default=True
        When everything in the archive sits in one top folder (as in GitHub
        archives), ``dest`` becomes that folder.
    check : callable, default=None
        Called with the extracted folder before it is renamed; it raises to
        refuse the content.
    verbose : bool, default=True
        Show a progress bar (by archive bytes read).

    Returns
    -------
    dest : pathlib.Path

    Raises
    ------
    UnsafeArchiveError
        If a member is unsafe, or the file is not a readable archive;
        nothing is left behind.
    FileExistsError
        If ``dest`` exists.

    Examples
    --------
    >>> import io, pathlib, tarfile, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with tarfile.open(folder / "a.tar.gz", "w:gz") as tar:
    ...     info = tarfile.TarInfo("data/yes/clip.txt"); info.size = 2
    ...     tar.addfile(info, io.BytesIO(b"hi"))
    >>> out = extract_archive(folder / "a.tar.gz", folder / "dataset", verbose=False)
    >>> (out / "yes" / "clip.txt").read_text()
    'hi'
    """
    if not hasattr(tarfile, "data_filter"):  # pragma: no cover - Python < 3.11.4
        raise RuntimeError("Extracting datasets needs Python 3.11.4 or later (tarfile "
                           "extraction filters); upgrade Python.")
    archive, dest = Path(archive), Path(dest)
    if dest.exists():
        raise FileExistsError(f"{str(dest)!r} exists; remove it to extract again.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.partial-"))
    try:
        with _progress(verbose, total=archive.stat().st_size, unit="B", unit_scale=True,
                       desc=f"Extracting {archive.name}") as bar:
            if zipfile.is_zipfile(archive):
                _extract_zip(archive, str(tmp), bar)
            else:
                try:
                    _extract_tar(archive, str(tmp), bar)
                except tarfile.TarError as exc:
                    raise UnsafeArchiveError(
                        f"{str(archive)!r} is not a readable tar or zip archive ({exc}); "
                        "delete it and download it again."
                    ) from exc
        root = tmp
        entries = list(tmp.iterdir())
        if strip_single_folder and len(entries) == 1 and entries[0].is_dir() \
                and not entries[0].is_symlink():
            root = entries[0]
        if check is not None:
            check(root)
        os.rename(root, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def remove_stale_partials(dest: str | os.PathLike) -> None:
    """Delete ``.<name>.partial-*`` folders left next to ``dest`` by killed runs.

    Call it only while holding the dataset's
    :func:`~skspeech.datasets._lock.data_lock` (it would delete another
    process's extraction in progress otherwise).
    """
    dest = Path(dest)
    if not dest.parent.is_dir():
        return
    prefix = f".{dest.name}.partial-"
    for p in dest.parent.iterdir():
        if p.name.startswith(prefix):
            shutil.rmtree(p, ignore_errors=True)
