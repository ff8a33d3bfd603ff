"""Downloads, safe extraction and fetch_* against a local HTTP server (127.0.0.1 only)."""

import hashlib
import io
import os
import re
import shutil
import socket
import tarfile
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from skspeech.datasets import (
    ChecksumError,
    DownloadError,
    UnsafeArchiveError,
    _http,
    _registry,
    fetch_fsdd,
    fetch_speech_commands,
    load_fsdd,
    load_speech_commands,
)
from skspeech.datasets._archive import extract_archive
from skspeech.datasets._http import download
from skspeech.datasets._lock import data_lock
from skspeech.io import write_audio


# -- a local server that supports Range and misbehaves on request --------------------------
class _State:
    def __init__(self):
        self.files = {}
        self.log = []  # (path, Range header or None)
        self.sent = 0  # body bytes sent
        self.fail_first = 0  # answer 503 to this many requests
        self.cut_at = None  # close the connection once, after this byte of the file
        self.stall_at = None  # stop sending once at this byte and hang (for timeouts)
        self.ignore_range = False
        self.down_after_cut = False  # after the cut, answer 503 to everything
        self.portal = False  # answer every request with a login page (a captive portal)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        st = self.server.state
        st.log.append((self.path, self.headers.get("Range")))
        if st.fail_first > 0:
            st.fail_first -= 1
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if st.portal:
            page = b"<html><body>Please log in to the hotel wifi</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return
        data = st.files.get(self.path)
        if data is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start = 0
        rng = self.headers.get("Range")
        if rng and not st.ignore_range:
            start = int(re.fullmatch(r"bytes=(\d+)-", rng)[1])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        end = len(data)
        stall = False
        if st.cut_at is not None and start < st.cut_at:
            end, st.cut_at = st.cut_at, None
            if st.down_after_cut:
                st.fail_first = 10**6
        elif st.stall_at is not None and start < st.stall_at:
            end, st.stall_at, stall = st.stall_at, None, True
        st.sent += end - start  # counted first: the client may finish before write returns
        self.wfile.write(data[start:end])
        self.wfile.flush()
        if stall:
            time.sleep(1.0)  # longer than the client's timeout
        self.close_connection = end < len(data) or stall


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up early (it refused the file, or timed out) is expected


@pytest.fixture
def server():
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.state = _State()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def no_sleep(monkeypatch):
    """Record back-off waits instead of sleeping them."""
    waits = []
    monkeypatch.setattr(_http.time, "sleep", waits.append)
    return waits


@pytest.fixture(autouse=True)
def _data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SKSPEECH_DATA", str(tmp_path / "home"))


def _payload(n=300_000, seed=0):
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


def _sha(b):
    return hashlib.sha256(b).hexdigest()


def _fast(**kw):
    return {"retries": 3, "backoff": 0.01, "timeout": 2.0, "verbose": False, **kw}


# -- download ------------------------------------------------------------------------------
def test_full_download_with_checksum(server, tmp_path):
    data = _payload()
    server.state.files["/f.bin"] = data
    out = download(server.url + "/f.bin", tmp_path / "f.bin", sha256=_sha(data),
                   size=len(data), **_fast())
    assert out.read_bytes() == data
    assert not (tmp_path / "f.bin.part").exists()
    assert server.state.log == [("/f.bin", None)]
    # A verified file is not downloaded again.
    download(server.url + "/f.bin", tmp_path / "f.bin", sha256=_sha(data), **_fast())
    assert len(server.state.log) == 1


def test_cut_halfway_is_resumed_with_range(server, tmp_path, no_sleep):
    data = _payload()
    half = len(data) // 2
    server.state.files["/f.bin"] = data
    server.state.cut_at = half
    download(server.url + "/f.bin", tmp_path / "f.bin", sha256=_sha(data), size=len(data),
             **_fast())
    assert (tmp_path / "f.bin").read_bytes() == data
    assert server.state.log == [("/f.bin", None), ("/f.bin", f"bytes={half}-")]
    assert server.state.sent == len(data)  # nothing sent twice


def test_interrupted_run_resumes_in_a_later_call(server, tmp_path, no_sleep):
    data = _payload()
    half = len(data) // 2
    server.state.files["/f.bin"] = data
    server.state.cut_at = half
    server.state.down_after_cut = True  # the network goes away mid-download
    with pytest.raises(DownloadError, match="calling again resumes from there"):
        download(server.url + "/f.bin", tmp_path / "f.bin", sha256=_sha(data),
                 **_fast(retries=2))
    assert (tmp_path / "f.bin.part").read_bytes() == data[:half]
    assert not (tmp_path / "f.bin").exists()
    server.state.fail_first = 0  # back online
    download(server.url + "/f.bin", tmp_path / "f.bin", sha256=_sha(data), **_fast())
    assert (tmp_path / "f.bin").read_bytes() == data
    assert server.state.log[-1] == ("/f.bin", f"bytes={half}-")
    assert server.state.sent == len(data)


def test_stalled_transfer_times_out_and_resumes(server, tmp_path, no_sleep):
    data = _payload()
    server.state.files["/f.bin"] = data
    server.state.stall_at = 100_000
    t0 = time.perf_counter()
    download(server.url + "/f.bin", tmp_path / "f.bin", sha256=_sha(data),
             **_fast(timeout=0.2))
    assert time.perf_counter() - t0 < 3
    assert (tmp_path / "f.bin").read_bytes() == data
    assert server.state.log[-1] == ("/f.bin", "bytes=100000-")


def test_server_errors_are_retried_with_backoff(server, tmp_path, no_sleep):
    data = _payload(1000)
    server.state.files["/f.bin"] = data
    server.state.fail_first = 3
    download(server.url + "/f.bin", tmp_path / "f.bin", sha256=_sha(data),
             **_fast(backoff=0.5))
    assert len(server.state.log) == 4
    # Exponential back-off (plus up to 10 % jitter): 0.5, 1, 2 seconds.
    for wait, base in zip(no_sleep, (0.5, 1.0, 2.0), strict=True):
        assert base <= wait <= 1.1 * base


def test_gives_up_after_the_retries(server, tmp_path, no_sleep):
    server.state.files["/f.bin"] = b"x"
    server.state.fail_first = 100
    with pytest.raises(DownloadError, match=r"after 3 attempt\(s\).*HTTP 503"):
        download(server.url + "/f.bin", tmp_path / "f.bin", **_fast(retries=2))
    assert len(server.state.log) == 3 and not (tmp_path / "f.bin").exists()


def test_not_found_is_not_retried_and_a_mirror_is_used(server, tmp_path, no_sleep):
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(server.url + "/missing", tmp_path / "f.bin", **_fast())
    assert len(server.state.log) == 1 and no_sleep == []
    data = _payload(5000)
    server.state.files["/mirror/f.bin"] = data
    download(server.url + "/missing", tmp_path / "f.bin", sha256=_sha(data),
             mirrors=[server.url + "/mirror/f.bin"], **_fast())
    assert (tmp_path / "f.bin").read_bytes() == data


def test_wrong_checksum_is_refused_and_nothing_kept(server, tmp_path):
    server.state.files["/f.bin"] = _payload()
    with pytest.raises(ChecksumError, match="SHA-256 is .* expected 0000"):
        download(server.url + "/f.bin", tmp_path / "f.bin", sha256="0" * 64, **_fast())
    assert not (tmp_path / "f.bin").exists() and not (tmp_path / "f.bin.part").exists()


def test_stale_partial_file_is_not_used(server, tmp_path, no_sleep):
    # A .part left by another file (or a corrupt transfer): resuming it gives the wrong
    # SHA-256, so it is thrown away and the file downloaded from zero.
    data = _payload()
    server.state.files["/f.bin"] = data
    (tmp_path / "f.bin.part").write_bytes(b"\xff" * 1000)
    download(server.url + "/f.bin", tmp_path / "f.bin", sha256=_sha(data), **_fast())
    assert (tmp_path / "f.bin").read_bytes() == data
    assert server.state.log == [("/f.bin", "bytes=1000-"), ("/f.bin", None)]


def test_server_ignoring_range_starts_over(server, tmp_path):
    data = _payload()
    server.state.files["/f.bin"] = data
    server.state.ignore_range = True
    (tmp_path / "f.bin.part").write_bytes(data[:1000])
    download(server.url + "/f.bin", tmp_path / "f.bin", sha256=_sha(data), **_fast())
    assert (tmp_path / "f.bin").read_bytes() == data


def test_wrong_size_is_refused_before_downloading(server, tmp_path):
    server.state.files["/f.bin"] = _payload()
    with pytest.raises(DownloadError, match="offers 300,000 bytes but the published size"):
        download(server.url + "/f.bin", tmp_path / "f.bin", size=123, **_fast())
    assert not (tmp_path / "f.bin.part").exists() and not (tmp_path / "f.bin").exists()


def test_captive_portal_page_is_refused(server, tmp_path):
    server.state.files["/f.bin"] = _payload(1000)
    server.state.portal = True
    with pytest.raises(DownloadError, match="web page instead of the file"):
        download(server.url + "/f.bin", tmp_path / "f.bin", **_fast())
    assert not (tmp_path / "f.bin").exists() and not (tmp_path / "f.bin.part").exists()


def test_connection_refused_is_a_clear_error(tmp_path, no_sleep):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError, match=r"Could not download f\.bin after 4 attempt"):
        download(f"http://127.0.0.1:{port}/f.bin", tmp_path / "f.bin", **_fast())
    assert len(no_sleep) == 3


def test_lock_refuses_a_second_writer(tmp_path):
    with data_lock(tmp_path / "x.lock"):
        with pytest.raises(DownloadError, match="Another process"):
            with data_lock(tmp_path / "x.lock"):
                pass
    with data_lock(tmp_path / "x.lock"):  # released
        pass


# -- safe extraction -----------------------------------------------------------------------
def _tar(path, members):
    """members: (name, kind, payload_or_linkname)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, kind, value in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(value)
                tar.addfile(info, io.BytesIO(value))
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, value
                tar.addfile(info)
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, value
                tar.addfile(info)
            elif kind == "chardev":
                info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
                tar.addfile(info)
    return path


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, kind, value in members:
            if kind == "file":
                zf.writestr(name, value)
            elif kind == "symlink":
                info = zipfile.ZipInfo(name)
                info.external_attr = (0o120777 << 16)
                zf.writestr(info, value)
    return path


def _all_files(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


_GOOD = [("data/yes/a.wav", "file", b"RIFF"), ("data/no/b.wav", "file", b"RIFF")]


def _malicious(tmp_path):
    outside = tmp_path / "outside"
    return {
        "dotdot": [*_GOOD, ("data/../../outside/evil", "file", b"evil")],
        "absolute": [*_GOOD, (str(outside / "evil"), "file", b"evil")],
        "symlink_out": [*_GOOD, ("data/link", "symlink", "../../outside")],
        "symlink_absolute": [*_GOOD, ("data/link", "symlink", str(outside))],
        "symlink_then_write": [*_GOOD, ("data/link", "symlink", "../../outside"),
                               ("data/link/evil", "file", b"evil")],
        "hardlink_out": [*_GOOD, ("data/hard", "hardlink", "../outside/evil")],
        "device": [*_GOOD, ("data/null", "chardev", None)],
    }


@pytest.mark.parametrize("case", ["dotdot", "absolute", "symlink_out", "symlink_absolute",
                                  "symlink_then_write", "hardlink_out", "device"])
def test_malicious_tar_is_refused_and_nothing_written(tmp_path, case):
    home = tmp_path / "home"
    (tmp_path / "outside").mkdir()
    home.mkdir()
    (tmp_path / "outside" / "evil").write_bytes(b"original")
    archive = _tar(tmp_path / "bad.tar.gz", _malicious(tmp_path)[case])
    before = _all_files(tmp_path)
    with pytest.raises(UnsafeArchiveError, match="refusing|nothing is extracted"):
        extract_archive(archive, home / "dataset", verbose=False)
    assert _all_files(tmp_path) == before  # nothing new anywhere, no half folder
    assert (tmp_path / "outside" / "evil").read_bytes() == b"original"


@pytest.mark.parametrize("case", ["dotdot", "absolute", "symlink_out"])
def test_malicious_zip_is_refused(tmp_path, case):
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "outside").mkdir()
    members = [m for m in _malicious(tmp_path)[case] if m[1] in ("file", "symlink")]
    archive = _zip(tmp_path / "bad.zip", members)
    before = _all_files(tmp_path)
    with pytest.raises(UnsafeArchiveError):
        extract_archive(archive, home / "dataset", verbose=False)
    assert _all_files(tmp_path) == before


def test_extraction_strips_one_top_folder_and_keeps_links_inside(tmp_path):
    archive = _tar(tmp_path / "ok.tar.gz", [
        ("top/", "dir", None), *[("top/" + n[5:], k, v) for n, k, v in _GOOD],
        ("top/yes/alias.wav", "symlink", "a.wav"), ("top/copy.wav", "hardlink", "top/no/b.wav"),
    ])
    out = extract_archive(archive, tmp_path / "ds", verbose=False)
    assert _all_files(out) == ["copy.wav", "no", "no/b.wav", "yes", "yes/a.wav",
                               "yes/alias.wav"]
    assert (out / "yes" / "alias.wav").read_bytes() == b"RIFF"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with pytest.raises(FileExistsError):
        extract_archive(archive, out, verbose=False)


def test_failed_check_leaves_no_folder(tmp_path):
    archive = _tar(tmp_path / "ok.tar.gz", _GOOD)

    def refuse(root):
        assert (root / "yes" / "a.wav").exists()  # complete when checked
        raise ValueError("not the dataset")

    with pytest.raises(ValueError, match="not the dataset"):
        extract_archive(archive, tmp_path / "ds", check=refuse, verbose=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.tar.gz"]


def test_truncated_archive_leaves_no_folder(tmp_path):
    good = _tar(tmp_path / "ok.tar.gz", [("a/" + str(i), "file", _payload(20_000, i))
                                         for i in range(5)])
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises((UnsafeArchiveError, EOFError, OSError)):
        extract_archive(cut, tmp_path / "ds", verbose=False)
    assert not (tmp_path / "ds").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# -- fetch_speech_commands / fetch_fsdd end to end ------------------------------------------
@pytest.fixture(scope="module")
def sc_archive(tmp_path_factory):
    """A tiny Speech Commands copy and its .tar.gz bytes, laid out as the real archive."""
    from test_speech_commands import make_speech_commands_folder

    tmp = tmp_path_factory.mktemp("sc_archive")
    src = tmp / "src"
    make_speech_commands_folder(src)
    archive = tmp / "speech_commands_v0.02.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        tar.add(src, arcname=".")  # members at the root, as in the real archive
    return src, archive.read_bytes()


@pytest.fixture
def served_speech_commands(server, sc_archive, monkeypatch):
    src, blob = sc_archive
    server.state.files["/data/speech_commands_v0.02.tar.gz"] = blob
    spec = dict(_registry.ARCHIVES["speech_commands_v0.02"],
                url=server.url + "/data/speech_commands_v0.02.tar.gz", mirrors=(),
                sha256=_sha(blob), size=len(blob), min_words=13)
    monkeypatch.setitem(_registry.ARCHIVES, "speech_commands_v0.02", spec)
    return src, blob


def test_fetch_speech_commands_end_to_end(served_speech_commands, server, tmp_path):
    src, blob = served_speech_commands
    home = tmp_path / "home"
    got = fetch_speech_commands(subset="validation", task="12", verbose=False)
    want = load_speech_commands(src, subset="validation", task="12")
    assert [Path(f).relative_to(home / "speech_commands_v0.02") for f in got.filenames] == \
        [Path(f).relative_to(src) for f in want.filenames]
    np.testing.assert_array_equal(np.concatenate(got.data), np.concatenate(want.data))
    assert sorted(p.name for p in home.iterdir()) == [".locks", "speech_commands_v0.02"]
    # Second call: no network at all.
    n = len(server.state.log)
    X, y = fetch_speech_commands(version="0.02", words=["yes"], return_X_y=True,
                                 verbose=False)
    assert len(server.state.log) == n and set(y) == {"yes"}


def test_progress_bars_only_when_verbose(served_speech_commands, tmp_path, capsys):
    fetch_speech_commands(words=["yes"], subset="test", verbose=False)
    assert capsys.readouterr() == ("", "")
    load_speech_commands(tmp_path / "home" / "speech_commands_v0.02", words=["no"],
                         verbose=True)
    assert "Loading train" in capsys.readouterr().err
    shutil.rmtree(tmp_path / "home" / "speech_commands_v0.02")
    fetch_speech_commands(words=["yes"], subset="test", verbose=True)
    out, err = capsys.readouterr()
    assert "Speech Commands v0.02: downloading" in out and "is ready in" in out
    for bar in ("Downloading speech_commands_v0.02.tar.gz", "SHA-256",
                "Extracting speech_commands_v0.02.tar.gz", "Reading headers", "Loading test"):
        assert bar in err


def test_fetch_offline_says_what_to_download_and_where(tmp_path, no_sleep, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/speech_commands_v0.02.tar.gz"
    monkeypatch.setitem(_registry.ARCHIVES, "speech_commands_v0.02",
                        dict(_registry.ARCHIVES["speech_commands_v0.02"], url=dead, mirrors=()))
    home = tmp_path / "home"
    with pytest.raises(DownloadError) as info:
        fetch_speech_commands(verbose=False)
    msg = str(info.value)
    assert "To install it by hand: download " + dead in msg
    assert "af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58" in msg
    assert str(home / "speech_commands_v0.02.tar.gz") in msg
    assert str(home / "speech_commands_v0.02") in msg
    with pytest.raises(FileNotFoundError, match="download_if_missing=False. To install it"):
        fetch_speech_commands(download_if_missing=False)
    assert sorted(p.name for p in home.iterdir()) == [".locks"]


def test_fetch_uses_an_archive_put_there_by_hand(tmp_path, monkeypatch, sc_archive):
    src, blob = sc_archive
    home = tmp_path / "home"
    home.mkdir()
    (home / "speech_commands_v0.02.tar.gz").write_bytes(blob)
    monkeypatch.setitem(_registry.ARCHIVES, "speech_commands_v0.02",
                        dict(_registry.ARCHIVES["speech_commands_v0.02"], url="http://192.0.2.1/x",
                             sha256=_sha(blob), size=len(blob), min_words=13))
    ds = fetch_speech_commands(words=["no"], subset="test", download_if_missing=False,
                               verbose=False)
    assert set(ds.target) == {"no"} and not (home / "speech_commands_v0.02.tar.gz").exists()


def test_fetch_malicious_archive_writes_nothing_outside_data_home(server, tmp_path,
                                                                  monkeypatch):
    (tmp_path / "outside").mkdir()
    archive = _tar(tmp_path / "bad.tar.gz", _malicious(tmp_path)["dotdot"])
    blob = archive.read_bytes()
    archive.unlink()
    server.state.files["/bad.tar.gz"] = blob
    monkeypatch.setitem(_registry.ARCHIVES, "speech_commands_v0.02",
                        dict(_registry.ARCHIVES["speech_commands_v0.02"],
                             url=server.url + "/bad.tar.gz", mirrors=(), sha256=_sha(blob),
                             size=len(blob)))
    before = _all_files(tmp_path)
    with pytest.raises(UnsafeArchiveError, match="climbs out"):
        fetch_speech_commands(verbose=False)
    new = set(_all_files(tmp_path)) - set(before)
    assert all(p.startswith("home") for p in new), new
    assert not (tmp_path / "home" / "speech_commands_v0.02").exists()
    assert not any(".partial-" in p for p in new)


def test_stale_partial_folder_from_a_killed_run_is_cleaned(served_speech_commands,
                                                           tmp_path):
    home = tmp_path / "home"
    stale = home / ".speech_commands_v0.02.partial-abc123"
    (stale / "yes").mkdir(parents=True)
    fetch_speech_commands(words=["yes"], verbose=False)
    assert not stale.exists() and (home / "speech_commands_v0.02" / "yes").is_dir()


def test_fetch_refuses_while_another_process_holds_the_lock(served_speech_commands,
                                                            tmp_path):
    with data_lock(tmp_path / "home" / ".locks" / "speech_commands_v0.02.lock"):
        with pytest.raises(DownloadError, match="Another process"):
            fetch_speech_commands(verbose=False)


def _fsdd_archive(tmp_path, recordings):
    archive = tmp_path / "fsdd.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        for p in recordings:
            tar.add(p, arcname=f"free-spoken-digit-dataset-1.0.10/recordings/{p.name}")
        readme = b"FSDD\n"
        info = tarfile.TarInfo("free-spoken-digit-dataset-1.0.10/README.md")
        info.size = len(readme)
        tar.addfile(info, io.BytesIO(readme))
    return archive.read_bytes()


def _serve_fsdd(server, monkeypatch, blob, n):
    server.state.files["/fsdd.tar.gz"] = blob
    monkeypatch.setitem(_registry.ARCHIVES, "fsdd",
                        dict(_registry.ARCHIVES["fsdd"], url=server.url + "/fsdd.tar.gz",
                             n_recordings=n))


def test_fetch_fsdd_small(server, tmp_path, monkeypatch):
    rec = tmp_path / "rec"
    rec.mkdir()
    for digit in "01":
        for take in range(7):
            write_audio(rec / f"{digit}_ann_{take}.wav", np.full(800, 0.1 + take / 100), 8000)
    _serve_fsdd(server, monkeypatch, _fsdd_archive(tmp_path, sorted(rec.iterdir())), 14)
    train = fetch_fsdd(verbose=False)
    assert len(train.data) == 4 and set(train.take) == {5, 6}
    assert (tmp_path / "home" / "fsdd" / "recordings").is_dir()
    assert len(load_fsdd(subset="all").data) == 14  # where load_fsdd looks by default


def test_fetch_fsdd_refuses_incomplete_content(server, tmp_path, monkeypatch):
    rec = tmp_path / "rec"
    rec.mkdir()
    write_audio(rec / "0_ann_0.wav", np.full(800, 0.1), 8000)
    _serve_fsdd(server, monkeypatch, _fsdd_archive(tmp_path, sorted(rec.iterdir())), 3000)
    with pytest.raises(ValueError, match="holds 1 recordings in recordings/, expected 3000"):
        fetch_fsdd(verbose=False)
    home = tmp_path / "home"
    assert not (home / "fsdd").exists()
    assert (home / "free-spoken-digit-dataset-1.0.10.tar.gz").exists()  # kept, verified


@pytest.mark.slow
def test_fetch_fsdd_real_recordings_official_split(server, tmp_path, monkeypatch, fsdd_path):
    recordings = sorted((fsdd_path / "recordings").glob("*.wav"))
    _serve_fsdd(server, monkeypatch, _fsdd_archive(tmp_path, recordings), 3000)
    train = fetch_fsdd(verbose=False)  # checks 3,000 readable recordings
    test = fetch_fsdd(subset="test", verbose=False)
    assert (len(train.data), len(test.data)) == (2700, 300)
    assert len(set(train.speaker)) == len(set(test.speaker)) == 6
    assert os.path.samefile(Path(train.filenames[0]).parent,
                            tmp_path / "home" / "fsdd" / "recordings")


def test_download_dataset_returns_the_folder_without_loading(server, tmp_path, monkeypatch):
    from skspeech.datasets import download_dataset

    rec = tmp_path / "rec"
    rec.mkdir()
    for take in range(3):
        write_audio(rec / f"7_ann_{take}.wav", np.full(800, 0.1 + take / 100), 8000)
    _serve_fsdd(server, monkeypatch, _fsdd_archive(tmp_path, sorted(rec.iterdir())), 3)
    folder = download_dataset("fsdd", verbose=False)
    assert folder == tmp_path / "home" / "fsdd"
    assert sorted(p.name for p in (folder / "recordings").iterdir()) == [
        "7_ann_0.wav", "7_ann_1.wav", "7_ann_2.wav"]
    n = len(server.state.log)
    assert download_dataset("fsdd", version="1.0.10", verbose=False) == folder
    assert len(server.state.log) == n  # there already: no request
    with pytest.raises(ValueError, match=r"version='0.01' is not a release of "
                                         r"speech_commands_test_set; use one of '2', '0.02'"):
        download_dataset("speech_commands_test_set", version="0.01")
    with pytest.raises(ValueError, match="'name' parameter of download_dataset"):
        download_dataset("timit")
    with pytest.raises(FileNotFoundError, match="download_if_missing=False"):
        download_dataset("speech_commands", version=1, download_if_missing=False)
