"""skspeech serve without a browser: the app's endpoints, limits and safety, the resampler, the CLI.

The page itself, driven in Chromium, is tested in test_serve_browser.py.
"""

import io
import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("starlette", reason="needs the serve extra (pip install 'skspeech[serve]')")
try:
    from starlette.testclient import TestClient
except RuntimeError as exc:  # starlette's TestClient without its HTTP client
    pytest.skip(f"starlette's TestClient cannot run: {exc}", allow_module_level=True)

from conftest import make_chirp
from starlette.websockets import WebSocketDisconnect

from skspeech import save_model
from skspeech.cli import build_parser, main
from skspeech.preprocessing._resample import resample
from skspeech.serve import StreamResampler, create_app, load_served_model, word_window

ROOT = Path(__file__).resolve().parents[1]
SR = 8000
HOST = {"host": "127.0.0.1:8000"}
POST = {"X-Skspeech": "1"}
CLASSES = {"low": 300, "high": 600, "_unknown_": 1200}  # chirps rising from these Hz


def _clip(name, rng):
    """A word stand-in: a chirp of 0.3-0.6 s with 0.1-0.3 s of quiet noise on either side, as
    a spoken clip cut from a recording."""
    f = CLASSES[name] * rng.uniform(0.9, 1.1)
    x = make_chirp(f, 1.5 * f, rng.uniform(0.3, 0.6), SR, amplitude=0.3)
    x = np.concatenate([np.zeros(int(rng.uniform(0.1, 0.3) * SR)), x,
                        np.zeros(int(rng.uniform(0.1, 0.3) * SR))])
    return (x + 0.002 * rng.standard_normal(len(x))).astype(np.float32)


def _tone_data(names, n, seed=0):
    rng = np.random.default_rng(seed)
    return [_clip(name, rng) for name in names for _ in range(n)], [
        name for name in names for _ in range(n)]


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    from skspeech.pipelines import svm_pipeline

    model = svm_pipeline(sr=SR).fit(*_tone_data(CLASSES, 12))
    return save_model(tmp_path_factory.mktemp("model") / "tones.joblib", model)


@pytest.fixture(scope="module")
def served(model_path):
    return load_served_model(model_path)


@pytest.fixture
def client(served):
    return TestClient(create_app(served, max_upload_mb=1.0, max_seconds=5.0),
                      base_url="http://127.0.0.1:8000")


def _word(name, rng, sr=SR):
    """A recording of 1.6 s at ``sr``: quiet noise, a clip of class ``name`` from 0.3 s."""
    x = _clip(name, rng)
    noise = 0.002 * rng.standard_normal(int(1.6 * SR)).astype(np.float32)
    start = int(0.3 * SR)
    noise[start:start + len(x)] = x
    return noise if sr == SR else resample(noise, SR, sr).astype(np.float32)


def _file_bytes(x, sr, fmt):
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, x, sr, format=fmt)
    return buf.getvalue()


# -- the streaming resampler and the part of a clip heard ----------------------------------
@pytest.mark.parametrize("rates", [(48000, 16000), (44100, 16000), (44100, 8000), (8000, 16000),
                                   (16000, 16000)])
def test_stream_resampler_matches_resampling_the_whole_signal(rates, rng):
    x = rng.standard_normal(20000)
    r = StreamResampler(*rates)
    out, i = [], 0
    while i < len(x):
        n = int(rng.integers(1, 2500))
        out.append(r.process(x[i:i + n]))
        i += n
    y = np.concatenate(out + [r.flush()])
    expected = resample(x, *rates)
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, atol=1e-5)
    assert len(r._buf) < 200  # the input kept is bounded by the filter, not the stream


def test_word_window_hears_the_sound_or_the_clip_length(rng):
    x = 0.001 * rng.standard_normal(3 * SR).astype(np.float32)
    x[SR:SR + 3000] += 0.3 * np.sin(np.arange(3000) / 2)
    start, stop = word_window(x, SR, 1.0)
    # the sound (to the 10 ms frame) and 0.1 s on each side
    assert start == SR - 800 and stop == SR + 3040 + 800
    start, stop = word_window(x, SR, 1.0, clip_length=1.0)
    assert stop - start == SR and start < SR and stop > SR + 3000  # centred on the sound
    x[:SR] = 0  # digital silence (padding) before the word is never part of the margin
    start, _ = word_window(x, SR, 1.0)
    assert start == SR
    short = x[SR:SR + 4000]
    assert word_window(short, SR, 1.0, clip_length=1.0) == (0, 4000)


# -- the page and the model --------------------------------------------------------------
def test_page_is_self_contained_and_warns_about_pickles(client, served):
    page = client.get("/", headers=HOST)
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "A model file is a pickle: loading it runs code stored in it" in " ".join(
        page.text.split())
    texts = [page.text]
    for name in re.findall(r'(?:src|href)="/static/([\w.-]+)"', page.text) + [
            "capture-worklet.js"]:
        r = client.get(f"/static/{name}", headers=HOST)
        assert r.status_code == 200 and r.content
        texts.append(r.text)
    for text in texts:  # nothing from the internet
        assert not re.search(r"(src|href)=[\"']?(https?:)?//|url\(|@import|https://", text)
    assert client.get("/static/../_app.py", headers=HOST).status_code == 404
    info = client.get("/api/model", headers=HOST).json()
    assert info["words"] == ["high", "low"] and info["no_command"] == ["_unknown_"]
    assert info["sr"] == SR and info["created"].startswith("20")
    assert info["limits"] == {"max_upload_mb": 1.0, "max_seconds": 5.0}


def test_model_without_probabilities_is_refused(tmp_path):
    from skspeech.pipelines import svm_pipeline

    model = svm_pipeline(sr=SR, probability=False).fit(*_tone_data(["low", "high"], 4))
    path = save_model(tmp_path / "hard.joblib", model)
    with pytest.raises(ValueError, match="without predict_proba"):
        load_served_model(path)


# -- record and upload -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["low", "high"])
def test_recording_at_the_browser_rate_gives_the_word(client, served, rng, name):
    x = _word(name, rng, sr=48000)
    r = client.post("/api/predict?sr=48000", content=x.astype("<f4").tobytes(),
                    headers=HOST | POST)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["word"] == out["label"] == name and out["command"]
    assert out["probabilities"][0]["word"] == name
    assert sorted(p["word"] for p in out["probabilities"]) == sorted(served.classes)
    assert sum(p["p"] for p in out["probabilities"]) == pytest.approx(1, abs=1e-3)
    assert out["received_sr"] == 48000 and out["duration"] == pytest.approx(1.6, abs=0.01)
    assert 0.25 < out["heard"][0] < out["heard"][1] < 1.4  # the word, not the whole 1.6 s


def test_no_command_class_is_shown_as_no_command(client, rng):
    x = _word("_unknown_", rng, sr=44100)
    out = client.post("/api/predict?sr=44100", content=x.astype("<f4").tobytes(),
                      headers=HOST | POST).json()
    assert out["word"] == "_unknown_" and out["label"] == "no command"
    assert out["command"] is False


@pytest.mark.parametrize("fmt", ["WAV", "FLAC", "OGG"])
def test_upload_of_an_audio_file(client, rng, fmt):
    x = _word("high", rng, sr=22050)
    r = client.post("/api/upload", content=_file_bytes(x, 22050, fmt),
                    headers=HOST | POST | {"X-Filename": "my%20word.wav"})
    assert r.status_code == 200, r.text
    assert r.json()["word"] == "high" and r.json()["received_sr"] == 22050
    assert r.json()["detections"][0]["word"] == "high"  # longer than 1.5 s: also as listen


@pytest.mark.parametrize("body, status, message", [
    (b"These are my notes, not a recording.", 400,
     r"^Cannot read 'notes\.txt' as audio: .*Expected an audio file: WAV, FLAC, OGG.*This "
     r"endpoint takes one audio file"),
    (b"", 400, r"^Cannot read 'notes\.txt' as audio: it is empty \(0 bytes\)"),
    (b"x" * 1_000_001, 413, (r"^The upload is 1\.0 MB; this server takes at most 1 MB "
                             r"\(skspeech serve --max-upload-mb\)")),
])
def test_upload_that_is_not_audio_gets_a_clear_error(client, body, status, message):
    r = client.post("/api/upload", content=body, headers=HOST | POST | {"X-Filename": "notes.txt"})
    assert r.status_code == status
    assert re.search(message, r.json()["error"]), r.json()


def test_duration_limits(client, rng):
    long = 0.01 * rng.standard_normal(6 * SR).astype(np.float32)
    r = client.post("/api/upload", content=_file_bytes(long, SR, "FLAC"),
                    headers=HOST | POST | {"X-Filename": "talk.flac"})
    assert r.status_code == 413
    assert "'talk.flac' is 6.0 s long; this server takes at most 5 s" in r.json()["error"]
    r = client.post("/api/predict?sr=8000", content=long.astype("<f4").tobytes(),
                    headers=HOST | POST)
    assert r.status_code == 413 and "--max-seconds" in r.json()["error"]


@pytest.mark.parametrize("query, body, message", [
    ("sr=abc", b"\0" * 400, ("sample rate must be a whole number of Hz in [8000, 192000]; "
                             "got 'abc'")),
    ("sr=1000", b"\0" * 400, "got '1000'"),
    ("", b"\0" * 400, "got None"),
    ("sr=48000", b"\0" * 401, "401 bytes, not whole 32-bit float samples"),
    ("sr=48000", np.array([0, np.nan], "<f4").tobytes(), "NaN or infinite"),
])
def test_bad_recording_gets_a_clear_error(client, query, body, message):
    r = client.post(f"/api/predict?{query}", content=body, headers=HOST | POST)
    assert r.status_code == 400 and message in r.json()["error"]


def test_quiet_recording_gets_a_note(client, rng):
    x = (0.001 * rng.standard_normal(SR)).astype("<f4")
    notes = client.post("/api/predict?sr=8000", content=x.tobytes(), headers=HOST | POST).json()
    assert any("very quiet" in n and "muted" in n for n in notes["notes"])


# -- only this server's own page, on this machine ----------------------------------------
def test_requests_from_elsewhere_are_refused(served, client):
    x = np.zeros(800, "<f4").tobytes()
    r = client.post("/api/predict?sr=8000", content=x, headers=HOST)
    assert r.status_code == 403 and "x-skspeech header" in r.json()["error"]
    r = client.post("/api/predict?sr=8000", content=x,
                    headers=HOST | POST | {"Origin": "http://evil.example"})
    assert r.status_code == 403 and "only this server's own page" in r.json()["error"]
    # DNS rebinding: a name other than this machine's
    assert client.get("/", headers={"host": "evil.example:8000"}).status_code == 400
    evil = HOST | {"origin": "http://evil.example"}
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(
            "/api/live", headers=evil) as ws:
        ws.receive_json()
    assert refused.value.code == 1008  # policy violation
    # bound to every address (warned at start), any host name is answered
    anywhere = TestClient(create_app(served, host="0.0.0.0"), base_url="http://10.0.0.2:8000")
    assert anywhere.get("/", headers={"host": "10.0.0.2:8000"}).status_code == 200


# -- live --------------------------------------------------------------------------------
def _live(client, stream, sr, first=None):
    messages = []
    with client.websocket_connect("/api/live", headers=HOST) as ws:
        ws.send_text(json.dumps(first if first is not None else {"sr": sr}))
        messages.append(ws.receive_json())
        if messages[0]["type"] == "error":
            return messages
        for i in range(0, len(stream), sr // 10):
            ws.send_bytes(stream[i:i + sr // 10].astype("<f4").tobytes())
            while (m := ws.receive_json())["type"] != "level":
                messages.append(m)
        ws.send_text('{"stop": true}')
        while (m := ws.receive_json())["type"] != "stopped":
            messages.append(m)
        messages.append(m)
    return messages


def test_live_reports_commands_and_no_command_as_listen_does(client, rng):
    sr = 48000
    quiet = (0.002 * rng.standard_normal(sr)).astype(np.float32)  # 1 s before the first word
    stream = np.concatenate([quiet, _word("low", rng, sr), _word("_unknown_", rng, sr),
                             _word("high", rng, sr)])
    messages = _live(client, stream, sr)
    assert messages[0] == {"type": "ready", "sr_in": sr, "sr": SR, "window": 1.0}
    found = [m for m in messages if m["type"] == "detection"]
    assert [m["label"] for m in found] == ["low", "no command", "high"]
    for m, start in zip(found, (1.0, 2.6, 4.2)):  # each within its word's 1.6 s
        assert start + 0.3 < m["time"] < start + 1.2 and 0.6 <= m["probability"] <= 1
    assert messages[-1] == {"type": "stopped", "seconds": 5.8}


@pytest.mark.parametrize("first, message", [({"sr": "fast"}, "got 'fast'"),
                                            ([48000], "got None")])
def test_live_needs_the_rate_first(client, first, message):
    m = _live(client, np.zeros(0), 48000, first=first)
    assert m[0]["type"] == "error" and message in m[0]["message"]


def test_live_block_over_one_second_is_refused(client):
    with client.websocket_connect("/api/live", headers=HOST) as ws:
        ws.send_text('{"sr": 8000}')
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(np.zeros(8001, "<f4").tobytes())
        m = ws.receive_json()
    assert m["type"] == "error" and "at most one second (32000 bytes)" in m["message"]


# -- nothing written to disk -------------------------------------------------------------
_NO_DISK = r"""
import io, json, os, sys, numpy as np, soundfile as sf
from starlette.testclient import TestClient
from skspeech.serve import create_app, load_served_model
served = load_served_model(sys.argv[1])
client = TestClient(create_app(served), base_url="http://127.0.0.1:8000")
rng = np.random.default_rng(0)
x = (0.1 * rng.standard_normal(3 * 44100)).astype("<f4")
files = {}
for fmt in ("WAV", "FLAC", "OGG"):
    buf = io.BytesIO(); sf.write(buf, x, 44100, format=fmt); files[fmt] = buf.getvalue()
writes = []
def audit(event, args):
    if event == "open" and args[0] is not None:
        mode, flags = args[1], args[2]
        if (isinstance(mode, str) and set(mode) & set("wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)):
            writes.append(str(args[0]))
sys.addaudithook(audit)
h = {"host": "127.0.0.1:8000", "X-Skspeech": "1"}
codes = [client.post("/api/upload", content=b, headers=h).status_code for b in files.values()]
codes.append(client.post("/api/upload", content=b"not audio" * 1000, headers=h).status_code)
codes.append(client.post("/api/predict?sr=44100", content=x.tobytes(), headers=h).status_code)
with client.websocket_connect("/api/live", headers={"host": "127.0.0.1:8000"}) as ws:
    ws.send_text('{"sr": 44100}'); ws.receive_json()
    for i in range(0, len(x), 4410):
        ws.send_bytes(x[i:i + 4410].tobytes()); ws.receive_json()
print(json.dumps({"codes": codes, "writes": writes}))
"""


def test_nothing_the_user_sends_is_written_to_disk(model_path, tmp_path):
    tmp, cwd = tmp_path / "tmp", tmp_path / "cwd"
    tmp.mkdir()
    cwd.mkdir()
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp), "HOME": str(tmp_path),
           "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}  # modules imported on first use: no .pyc written
    out = subprocess.run([sys.executable, "-c", _NO_DISK, str(model_path)], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["codes"] == [200, 200, 200, 400, 200]
    assert result["writes"] == []  # no file opened for writing while serving
    assert list(tmp.iterdir()) == [] and list(cwd.iterdir()) == []


# -- the command line --------------------------------------------------------------------
def test_cli_binds_loopback_by_default_and_warns_otherwise(model_path, monkeypatch, capsys):
    import uvicorn

    args = build_parser().parse_args(["serve", str(model_path)])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    # these ports may be in use on the machine running the tests (tested on their own)
    monkeypatch.setattr("skspeech.serve._run.check_address", lambda host, port: port)
    assert main(["serve", str(model_path)]) == 0
    err = capsys.readouterr().err
    assert "warning" not in err
    assert "Serving tones.joblib (high, low; 8000 Hz) at http://127.0.0.1:8000/" in err
    assert "Live listening threshold 0.6: the default for a model that is not a neural network" \
        in err
    assert main(["serve", str(model_path), "--host", "0.0.0.0", "--port", "8123"]) == 0
    err = capsys.readouterr().err
    assert ("skspeech serve: warning: listening on 0.0.0.0:8123, not on 127.0.0.1: anyone who "
            "can reach this machine on port 8123 can use the model") in err
    assert [(c["host"], c["port"]) for c in calls] == [("127.0.0.1", 8000), ("0.0.0.0", 8123)]


@pytest.mark.parametrize("extra, message", [
    (["--port", "70000"], "--port must be in [0, 65535]; got 70000."),
    (["--max-seconds", "0"], "--max-seconds must be a positive (finite) number; got 0.0."),
    (["--max-upload-mb", "inf"], "--max-upload-mb must be a positive (finite) number; got inf."),
    (["--threshold", "2"], "--threshold must be a probability in [0, 1]; got 2.0."),
    (["--certfile", "c.pem"], "--certfile and --keyfile go together"),
])
def test_cli_bad_options(model_path, capsys, extra, message):
    assert main(["serve", str(model_path), *extra]) == 1
    assert message in capsys.readouterr().err


def test_cli_missing_model(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "nope.joblib")]) == 1
    assert "No such model file" in capsys.readouterr().err


def test_cli_serves_the_page(model_path, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "skspeech", "serve", str(model_path),
                             "--port", str(port)], cwd=tmp_path, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/model",
                                            timeout=5) as r:
                    info = json.load(r)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert info["file"] == "tones.joblib" and info["sr"] == SR
        with urllib.request.urlopen(f"http://localhost:{port}/", timeout=5) as r:
            assert "skspeech" in r.read().decode()
    finally:
        proc.terminate()
        err = proc.communicate(timeout=20)[1]
    assert f"at http://127.0.0.1:{port}/ (Ctrl+C stops)" in err


def test_docs_page_warns_about_pickles():
    text = " ".join((ROOT / "docs" / "serve.rst").read_text().split())
    assert "pickle" in text and "127.0.0.1" in text
    assert (ROOT / "docs" / "images" / "serve.png").stat().st_size > 20_000
