"""HTTP downloads that survive real networks: resumed, retried, verified.

:func:`download` fetches a URL (http, https or file) into ``<file>.part``. An
interrupted transfer resumes with an HTTP ``Range`` request, also in a later
call after the process was killed; network errors and 5xx/408/425/429 answers
are retried with exponential back-off; mirrors are tried in turn; the size and
SHA-256 are checked before the file gets its final name, and a file that fails
the check is deleted, never used.

Why not pooch, the scientific-Python convention for fetching data: pooch
downloads to a temporary file and starts again from zero on every retry, with
no ``Range`` requests, so a cut in a 2.4 GB Speech Commands archive would cost
the whole transfer; it would add requests as a dependency for the rest, which
``urllib`` and :mod:`hashlib` do in a few lines. Only the standard library and
tqdm are used.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import re
import socket
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Sequence
from pathlib import Path

from .._version import __version__

__all__ = ["ChecksumError", "DownloadError", "download", "sha256sum"]

_USER_AGENT = f"skspeech/{__version__} (+https://github.com/; python-urllib)"


class DownloadError(OSError):
    """A file could not be downloaded (network down, server error, not found).

    A subclass of :class:`OSError`: the message says which URL failed, why,
    and how to get the file by hand.
    """


class ChecksumError(DownloadError):
    """A downloaded file has the wrong size or SHA-256; it was deleted."""


class _Retry(Exception):
    """A failure worth trying again (network error, 5xx, cut transfer)."""

    def __init__(self, reason, retry_after=None):
        super().__init__(reason)
        self.retry_after = retry_after


class _Fatal(Exception):
    """A failure that trying the same URL again will not fix (404, 403, ...)."""


def _human(n):
    """Bytes in decimal units, as download pages state sizes: 2.4 GB."""
    for unit in ("B", "kB", "MB"):
        if n < 1000:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def _progress(verbose, **kwargs):
    from tqdm.auto import tqdm

    return tqdm(disable=not verbose, leave=False, dynamic_ncols=True, **kwargs)


def sha256sum(path: str | os.PathLike, *, verbose: bool = False,
              chunk_size: int = 1 << 20) -> str:
    """SHA-256 of a file as a hex string, read in chunks (constant memory).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "f.txt")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(b"abc")
    >>> sha256sum(path)[:16]
    'ba7816bf8f01cfea'
    """
    h = hashlib.sha256()
    size = os.path.getsize(path)
    with open(path, "rb") as f, _progress(verbose, total=size, unit="B", unit_scale=True,
                                          desc=f"SHA-256 {Path(path).name}") as bar:
        while chunk := f.read(chunk_size):
            h.update(chunk)
            bar.update(len(chunk))
    return h.hexdigest()


def _check_file(path, sha256, size, verbose):
    """None if ``path`` has the expected size and SHA-256, else the reason it has not."""
    actual_size = os.path.getsize(path)
    if size is not None and actual_size != size:
        return f"it has {actual_size:,} bytes, expected {size:,}"
    if sha256 is not None:
        digest = sha256sum(path, verbose=verbose)
        if digest != sha256.lower():
            return f"its SHA-256 is {digest}, expected {sha256.lower()}"
    return None


_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.IGNORECASE)


def _retry_after(headers):
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:  # an HTTP date: ignore, use our own back-off
        return None


def _open(url, offset, timeout):
    headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 416 and offset:
            raise  # handled by the caller: the part file may already be complete
        if exc.code in (408, 425, 429) or exc.code >= 500:
            raise _Retry(f"HTTP {exc.code} {exc.reason}", _retry_after(exc.headers)) from exc
        raise _Fatal(f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, socket.gaierror):
            # The host name does not resolve: offline, or a proxy is needed.
            raise _Fatal(f"cannot resolve the host name ({exc.reason}); are you "
                         "offline or behind a proxy (set HTTPS_PROXY/HTTP_PROXY)?") from exc
        import ssl

        if isinstance(exc.reason, ssl.SSLCertVerificationError):
            raise _Fatal(f"the TLS certificate could not be verified "
                         f"({exc.reason.verify_message}); a proxy that intercepts HTTPS "
                         "needs its certificate in SSL_CERT_FILE") from exc
        raise _Retry(f"{exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise _Retry(f"{type(exc).__name__}: {exc}") from exc


def _fetch_once(url, part, size, timeout, chunk_size, bar):
    """One GET (resuming ``part``); True when the transfer is complete."""
    offset = part.stat().st_size if part.exists() else 0
    if size is not None and offset > size:
        part.unlink()  # longer than the file: not ours
        offset = 0
    try:
        response = _open(url, offset, timeout)
    except urllib.error.HTTPError as exc:  # 416 Range Not Satisfiable
        if size is not None and offset == size:
            return True  # the part file is already complete
        part.unlink()
        raise _Retry(f"the server refused to resume at byte {offset:,} (HTTP 416); "
                     "starting again from zero") from exc
    with response:
        status = getattr(response, "status", None) or 200
        length = response.headers.get("Content-Length")
        length = int(length) if length is not None and length.isdigit() else None
        if status == 206:
            m = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if m is None or int(m[1]) != offset:
                part.unlink()
                raise _Retry(f"the server resumed at the wrong place "
                             f"(Content-Range {response.headers.get('Content-Range')!r}, "
                             f"asked for byte {offset:,}); starting again from zero")
            total = int(m[3]) if m[3] != "*" else (offset + length if length is not None
                                                   else None)
            mode = "ab"
        else:  # 200: the whole file (a server that ignores Range starts over)
            offset, mode = 0, "wb"
            total = length
        if response.headers.get_content_type() == "text/html":
            raise _Fatal("the server answered with a web page instead of the file (a "
                         "captive portal, a login page or a proxy?)")
        if size is not None and total is not None and total != size:
            raise _Fatal(f"the server offers {total:,} bytes but the published size is "
                         f"{size:,}: the file on the server is not the expected one")
        if bar.total is None and total is not None:
            bar.total = total
        if bar.n != offset:
            bar.reset(total=bar.total)
            bar.update(offset)
        with open(part, mode) as f:
            while True:
                try:
                    chunk = response.read(chunk_size)
                except (OSError, http.client.HTTPException) as exc:
                    raise _Retry(f"transfer cut at byte {f.tell():,}: "
                                 f"{type(exc).__name__}: {exc}") from exc
                if not chunk:
                    break
                f.write(chunk)
                bar.update(len(chunk))
            got = f.tell()
    if total is not None and got < total:
        raise _Retry(f"the connection closed after {got:,} of {total:,} bytes")
    return True


def download(url: str, path: str | os.PathLike, *, sha256: str | None = None,
             size: int | None = None, mirrors: Sequence[str] = (), retries: int = 5,
             backoff: float = 1.0, max_backoff: float = 60.0, timeout: float = 30.0,
             chunk_size: int = 1 << 20, verbose: bool = True) -> Path:
    """Download ``url`` to ``path``: resumable, retried, verified.

    The bytes go to ``<path>.part`` first. A transfer cut by the network is
    resumed where it stopped with an HTTP ``Range`` request, also by a later
    call after the process died. Network errors, timeouts and HTTP 408, 425,
    429 and 5xx answers are retried after ``backoff * 2**k`` seconds (at most
    ``max_backoff``; a server's ``Retry-After`` is honoured up to that);
    ``retries`` counts consecutive attempts that made no progress. Mirrors are
    tried in turn. When the transfer is complete the size and SHA-256 are
    checked; only a file that passes is renamed to ``path``. A file that fails
    is deleted (if it was resumed from an earlier ``.part``, the download is
    tried once more from zero first).

    Parameters
    ----------
    url : str
        The file's URL (http, https or file).
    path : str or path-like
        Where to put the file. An existing file that passes the checks is kept
        and not downloaded again.
    sha256 : str, default=None
        The published SHA-256 (hex). ``None`` skips the check (say why where
        you call this).
    size : int, default=None
        The expected size in bytes; a server offering another size is refused
        before anything is downloaded.
    mirrors : sequence of str, default=()
        Other URLs serving the same bytes, tried when ``url`` fails.
    retries : int, default=5
        Consecutive failed attempts allowed without progress.
    backoff : float, default=1.0
        First wait between attempts, in seconds; doubled after each failure.
    max_backoff : float, default=60.0
        Longest wait between attempts, in seconds.
    timeout : float, default=30.0
        Socket timeout in seconds (connecting, and each read).
    chunk_size : int, default=1 MiB
        Bytes per read.
    verbose : bool, default=True
        Show tqdm progress bars.

    Returns
    -------
    path : pathlib.Path
        The verified file.

    Raises
    ------
    DownloadError
        If every URL failed; the message says why and how to download the
        file by hand. The ``.part`` file is kept so that the next call resumes.
    ChecksumError
        If the downloaded file has the wrong size or SHA-256 (it is deleted).

    Examples
    --------
    >>> import hashlib, os, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "src.bin").write_bytes(b"spoken commands")
    >>> out = download((folder / "src.bin").as_uri(), folder / "copy.bin",
    ...                sha256=hashlib.sha256(b"spoken commands").hexdigest(), verbose=False)
    >>> out.read_bytes()
    b'spoken commands'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        problem = _check_file(path, sha256, size, verbose)
        if problem is None:
            return path
        warnings.warn(f"Deleting {str(path)!r} and downloading it again: {problem}.",
                      RuntimeWarning, stacklevel=2)
        path.unlink()
    part = path.with_name(path.name + ".part")
    resumed = part.exists() and part.stat().st_size > 0
    urls = [url, *mirrors]
    _transfer(urls, part, size=size, retries=retries, backoff=backoff,
              max_backoff=max_backoff, timeout=timeout, chunk_size=chunk_size, verbose=verbose)
    problem = _check_file(part, sha256, size, verbose)
    if problem is not None and resumed:
        # The earlier .part may have come from another file or a corrupt transfer:
        # do not use it; try once from zero.
        part.unlink()
        _transfer(urls, part, size=size, retries=retries, backoff=backoff,
                  max_backoff=max_backoff, timeout=timeout, chunk_size=chunk_size,
                  verbose=verbose)
        problem = _check_file(part, sha256, size, verbose)
    if problem is not None:
        part.unlink()
        raise ChecksumError(
            f"The file downloaded from {url} is not the published one: {problem}. It was "
            "deleted and nothing was extracted. The transfer was corrupted or the server "
            "now serves another file; call again to download it afresh, and if this "
            "persists download it by hand and compare its SHA-256 (sha256sum / "
            "certutil -hashfile FILE SHA256)."
        )
    os.replace(part, path)
    return path


def _transfer(urls, part, *, size, retries, backoff, max_backoff, timeout, chunk_size,
              verbose):
    failures = 0
    attempts = 0
    i_url = 0
    fatal = {}
    last = None
    offset = part.stat().st_size if part.exists() else 0
    with _progress(verbose, total=size, initial=offset, unit="B", unit_scale=True,
                   desc=f"Downloading {part.name[:-5]}") as bar:
        while True:
            attempts += 1
            url = urls[i_url]
            before = part.stat().st_size if part.exists() else 0
            try:
                _fetch_once(url, part, size, timeout, chunk_size, bar)
                return
            except _Fatal as exc:
                fatal[url] = str(exc)
                last = exc
                remaining = [u for u in urls if u not in fatal]
                if not remaining:
                    break
                i_url = urls.index(remaining[0])
                continue
            except _Retry as exc:
                last = exc
                after = part.stat().st_size if part.exists() else 0
                failures = 0 if after > before else failures + 1
                if failures > retries or attempts > 1000 * (retries + 1):
                    break
                delay = min(max_backoff, backoff * 2 ** max(failures - 1, 0))
                if exc.retry_after is not None:
                    delay = min(max_backoff, max(delay, exc.retry_after))
                delay *= 1 + 0.1 * random.random()  # spread clients that failed together
                bar.set_postfix_str(f"retrying in {delay:.1f} s: {exc}"[:60], refresh=True)
                time.sleep(delay)
                if after <= before:  # no progress from this URL: try the next one
                    candidates = [u for u in urls if u not in fatal]
                    i_url = urls.index(candidates[(candidates.index(url) + 1)
                                                  % len(candidates)])
    have = part.stat().st_size if part.exists() else 0
    kept = (f" The {have:,} bytes received are kept in {str(part)!r}; calling again "
            "resumes from there." if have else "")
    by_reason = {}
    for u, r in fatal.items():
        by_reason.setdefault(r, []).append(u)
    reasons = "; ".join(f"{' and '.join(us)}: {r}" for r, us in by_reason.items()) \
        or f"{urls[i_url]}: {last}"
    raise DownloadError(
        f"Could not download {part.name[:-5]} after {attempts} attempt(s) ({reasons}).{kept}"
    ) from last
