"""``skspeech data fetch`` and ``skspeech data info``."""

import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from test_download import _Handler, _Server, _State  # the loopback test server
from test_speech_commands import SPEAKERS, make_speech_commands_folder

from skspeech.cli import main
from skspeech.datasets import _http, _registry
from skspeech.io import write_audio

REPO = Path(__file__).resolve().parents[1]


def _run(*args, cwd):
    env = dict(os.environ, SKSPEECH_DATA=str(Path(cwd) / "home"))
    return subprocess.run([sys.executable, "-m", "skspeech", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=120)


@pytest.fixture(scope="module")
def sc_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli") / "speech_commands_v0.02"
    make_speech_commands_folder(root)
    return root


@pytest.fixture
def server():
    import threading

    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.state = _State()
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


# -- info ----------------------------------------------------------------------------------
def test_info_speech_commands_counts(sc_folder, tmp_path):
    out = _run("data", "info", str(sc_folder), "--quiet", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "208 clips, 13 words, 8 speakers" in text
    assert "subsets (from validation_list.txt and testing_list.txt): train 104, " \
           "validation 52, test 52" in text
    assert "sample rates: 16000 Hz (208 clips)" in text
    assert "min 0.60 s, median 1.00 s, max 1.00 s" in text
    assert "13 clips shorter than 1 s" in text
    assert "_background_noise_/: 2 recordings, 24.0 s" in text
    rows = {m[1]: m[2].split() for m in re.finditer(r"^  (\w+)\s+(\d[\d\s,]*)$", text, re.M)}
    assert sorted(rows) == sorted(["yes", "no", "up", "down", "left", "right", "on", "off",
                                   "stop", "go", "cat", "bird", "happy"])
    # clips, speakers, < 1 s, train, validation, test
    assert rows["yes"] == ["16", "8", "1", "8", "4", "4"]


def test_info_without_lists_uses_the_speaker_rule(tmp_path, capsys):
    root = tmp_path / "nolists"
    make_speech_commands_folder(root, lists=False)
    assert main(["data", "info", str(root), "--quiet"]) == 0
    # By the SHA-1 rule, 2 of the 8 speakers are validation and 2 are test.
    assert "(no lists: from the SHA-1 speaker rule): train 104, validation 52, test 52" \
        in capsys.readouterr().out


def test_info_fsdd_relative_path(fsdd_path, monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    rel = os.path.relpath(fsdd_path, REPO)  # "../shared/data/fsdd" in this checkout
    assert main(["data", "info", rel, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "3,000 recordings, 10 digits, 6 speakers" in out
    assert "official split: train 2,700 (takes 5+), test 300 (takes 0-4)" in out
    assert "sample rates: 8000 Hz (3,000 clips)" in out


def test_info_single_file_and_errors(tmp_path, sc_folder, capsys):
    path = sc_folder / "yes" / f"{SPEAKERS[5]}_nohash_1.wav"
    assert main(["data", "info", str(path)]) == 0
    assert "0.600 s, 16000 Hz, 1 channel(s), 9,600 samples" in capsys.readouterr().out
    assert main(["data", "info", str(tmp_path / "nowhere")]) == 1
    assert "skspeech data: error: No such file or folder" in capsys.readouterr().err
    (tmp_path / "bad" / "yes").mkdir(parents=True)
    (tmp_path / "bad" / "yes" / "a_nohash_0.wav").write_bytes(b"not audio")
    assert main(["data", "info", str(tmp_path / "bad"), "--quiet"]) == 1
    err = capsys.readouterr().err
    # every unreadable file gets a line (name and reason); the exit code is 1
    assert err.startswith("skspeech data: unreadable ") and "a_nohash_0.wav: Cannot read" in err


def test_help_lists_the_data_commands(tmp_path, capsys):
    top = _run("--help", cwd=tmp_path)
    assert top.returncode == 0 and "data" in top.stdout and "demo" in top.stdout
    with pytest.raises(SystemExit) as exc:
        main(["data", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "fetch" in out and "info" in out
    with pytest.raises(SystemExit) as exc:
        main(["data"])
    assert exc.value.code == 2 and "ACTION" in capsys.readouterr().err


# -- fetch (in process, against the loopback server) ----------------------------------------
def _targz(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        for arcname, path in members:
            tar.add(path, arcname=arcname)
    return buf.getvalue()


def _serve(server, monkeypatch, key, blob, **extra):
    server.state.files[f"/{key}.tar.gz"] = blob
    monkeypatch.setitem(_registry.ARCHIVES, key, dict(
        _registry.ARCHIVES[key], url=f"{server.url}/{key}.tar.gz", mirrors=(),
        sha256=hashlib.sha256(blob).hexdigest(), size=len(blob), **extra))


def test_fetch_speech_commands_with_test_set(server, sc_folder, tmp_path, monkeypatch,
                                             capsys):
    _serve(server, monkeypatch, "speech_commands_v0.02", _targz([(".", sc_folder)]),
           min_words=13)
    test_set = tmp_path / "test_set"
    for word in ("yes", "no", "_unknown_"):
        (test_set / word).mkdir(parents=True)
        write_audio(test_set / word / f"{SPEAKERS[0]}_nohash_0.wav", np.full(16000, 0.1),
                    16000)
    _serve(server, monkeypatch, "speech_commands_test_set_v0.02", _targz([(".", test_set)]),
           min_words=2)
    home = tmp_path / "home"
    code = main(["data", "fetch", "speech-commands", "--data-home", str(home), "--quiet"])
    out = capsys.readouterr().out.split()
    assert code == 0
    assert out == [str(home / "speech_commands_v0.02"),
                   str(home / "speech_commands_test_set_v0.02")]
    assert (home / "speech_commands_v0.02" / "testing_list.txt").is_file()
    assert (home / "speech_commands_test_set_v0.02" / "_unknown_").is_dir()
    assert not list(home.glob("*.tar.gz"))  # archives deleted after extraction
    n = len(server.state.log)
    assert main(["data", "fetch", "speech-commands", "--version", "0.02", "--data-home",
                 str(home), "--quiet"]) == 0
    assert len(server.state.log) == n  # already there: no download


def test_fetch_fsdd(server, tmp_path, monkeypatch, capsys):
    rec = tmp_path / "recordings"
    rec.mkdir()
    for take in range(6):
        write_audio(rec / f"3_bea_{take}.wav", np.full(400, 0.2), 8000)
    _serve(server, monkeypatch, "fsdd",
           _targz([("free-spoken-digit-dataset-1.0.10/recordings", rec)]), n_recordings=6)
    monkeypatch.setenv("SKSPEECH_DATA", str(tmp_path / "home"))
    assert main(["data", "fetch", "fsdd", "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "home" / "fsdd")
    assert len(list((tmp_path / "home" / "fsdd" / "recordings").iterdir())) == 6


def test_fetch_offline_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(_http.time, "sleep", lambda s: None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/x.tar.gz"
    monkeypatch.setitem(_registry.ARCHIVES, "speech_commands_v0.01",
                        dict(_registry.ARCHIVES["speech_commands_v0.01"], url=dead, mirrors=()))
    code = main(["data", "fetch", "speech-commands", "--version", "1", "--data-home",
                 str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("skspeech data: error: Could not download "
                          "speech_commands_v0.01.tar.gz")
    assert f"put the file at {str(tmp_path / 'speech_commands_v0.01.tar.gz')!r}" in err


@pytest.mark.parametrize("args, message", [
    (["speech-commands", "--version", "3"], "--version for speech-commands must be 1 or 2"),
    (["fsdd", "--version", "2.0"], "--version for fsdd must be one of 1.0.10, 1.0.9"),
])
def test_fetch_bad_version(args, message, tmp_path, capsys):
    assert main(["data", "fetch", *args, "--data-home", str(tmp_path)]) == 1
    assert message in capsys.readouterr().err
