"""The server reads audio through the path skspeech predict takes (issue 36): a cut or lying
upload gets the message predict gives; form uploads work; start-up errors are one line.
See docs/bad_input.rst."""

import io
import re
import socket
import struct

import numpy as np
import pytest
from conftest import make_tone_commands

pytest.importorskip("starlette", reason="needs the serve extra (pip install 'skspeech[serve]')")
try:
    from starlette.testclient import TestClient
except RuntimeError as exc:  # starlette's TestClient without its HTTP client
    pytest.skip(f"starlette's TestClient cannot run: {exc}", allow_module_level=True)

from skspeech import save_model
from skspeech.cli import main
from skspeech.exceptions import InvalidAudioError
from skspeech.io import decode_audio, read_audio
from skspeech.serve import create_app, load_served_model

SR = 8000
HOST = {"host": "127.0.0.1:8000"}
POST = {"X-Skspeech": "1"}


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    from skspeech.pipelines import svm_pipeline

    X, y = make_tone_commands(n_per_class=8, sr=SR, random_state=0)
    path = save_model(tmp_path_factory.mktemp("model") / "tones.joblib",
                      svm_pipeline(sr=SR).fit(X, y))
    return path, X, y


@pytest.fixture
def client(model):
    return TestClient(create_app(load_served_model(model[0]), max_upload_mb=1.0,
                                 max_seconds=5.0), base_url="http://127.0.0.1:8000")


def _wav(x, sr=SR, subtype="PCM_16"):
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, x, sr, format="WAV", subtype=subtype)
    return buf.getvalue()


def _with_rate(data, sr):
    """A WAV whose header states another sample rate (a damaged or forged header)."""
    data = bytearray(data)
    data[24:28] = struct.pack("<I", sr)
    return bytes(data)


def _with_channels(data, n):
    data = bytearray(data)
    data[22:24] = struct.pack("<H", n)
    return bytes(data)


def _bad_files(X):
    good = _wav(X[0])
    return {
        "truncated": (good[:len(good) // 2], "is truncated: its header announces"),
        "empty": (b"", "as audio: it is empty \\(0 bytes\\)"),
        "text": (b"These are my notes, not a recording.", "as audio: .*Expected an audio file"),
        "nan": (_wav(np.array([0.1, np.nan] * 400), subtype="FLOAT"), "NaN or infinite"),
        "rate 1 Hz": (_with_rate(good, 1), "header says 1 Hz, but audio files are recorded at "
                                           "1000 to 768000 Hz"),
        "rate 2 MHz": (_with_rate(good, 2_000_000), "header says 2000000 Hz"),
        "1000 channels": (_with_channels(good, 1000), "header says 1000 channels, but a "
                                                      "recording of a voice has 1 or 2"),
    }


@pytest.mark.parametrize("case", ["truncated", "empty", "text", "nan", "rate 1 Hz", "rate 2 MHz",
                                  "1000 channels"])
def test_upload_file_and_bytes_get_the_same_check_and_message(model, client, tmp_path, capsys,
                                                              case):
    data, match = _bad_files(model[1])[case]
    path = tmp_path / "bad.wav"
    path.write_bytes(data)
    # the library, from a file and from bytes
    with pytest.raises(InvalidAudioError, match=match) as from_file:
        read_audio(path, truncated="error")
    with pytest.raises(InvalidAudioError, match=match) as from_bytes:
        decode_audio(data, name=repr(str(path)))
    assert str(from_file.value) == str(from_bytes.value)
    # skspeech predict refuses the file, the server the upload, with that message
    assert main(["predict", str(model[0]), str(path), "--quiet"]) == 1
    assert str(from_file.value) in capsys.readouterr().err
    assert main(["listen", str(model[0]), "--file", str(path), "--quiet"]) == 1
    assert str(from_file.value) in capsys.readouterr().err
    r = client.post("/api/upload", content=data, headers=HOST | POST | {"X-Filename": str(path)})
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith(str(from_file.value))
    assert "This endpoint takes one audio file" in r.json()["error"]


def test_truncated_file_still_reads_with_a_warning_by_default(model, tmp_path):
    from skspeech.exceptions import TruncatedAudioWarning

    data = _bad_files(model[1])["truncated"][0]
    (tmp_path / "cut.wav").write_bytes(data)
    with pytest.warns(TruncatedAudioWarning, match="cut.wav' is truncated"):
        y, sr = read_audio(tmp_path / "cut.wav")
    assert sr == SR and len(y) > 0


def test_form_upload_is_read_as_the_file(model, client):
    """curl -F file=@x.wav: the file in the form, binary-safe, named by its file name."""
    _, X, y = model
    rng = np.random.default_rng(0)
    x = np.concatenate([0.002 * rng.standard_normal(SR // 4), X[-1],
                        0.002 * rng.standard_normal(SR // 4)]).astype(np.float32)
    data = _wav(x)
    raw = client.post("/api/upload", content=data, headers=HOST | POST).json()
    form = client.post("/api/upload", files={"file": ("word.wav", data, "audio/wav")},
                       headers=HOST | POST)
    assert form.status_code == 200, form.text
    assert form.json()["probabilities"] == raw["probabilities"]
    assert form.json()["word"] == y[-1]
    # as curl sends it: CRLF-separated parts, no Content-Type in the part
    boundary = "------------------------d74496d66958873e"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"x.wav\"\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    r = client.post("/api/upload", content=body, headers=HOST | POST | {
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 200 and r.json()["probabilities"] == raw["probabilities"], r.text


def test_form_upload_that_is_not_one_audio_file_says_what_the_endpoint_takes(model, client):
    data = _wav(model[1][0])
    two = client.post("/api/upload", files=[("file", ("a.wav", data)), ("more", ("b.wav", data))],
                      headers=HOST | POST)
    assert two.status_code == 400
    assert "holds 2 files; this endpoint takes one audio file (curl -F file=@x.wav)" in \
        two.json()["error"]
    text = client.post("/api/upload", files={"file": ("notes.txt", b"my notes")},
                       headers=HOST | POST)
    assert text.status_code == 400
    error = text.json()["error"]
    assert error.startswith("Cannot read 'notes.txt' as audio") and "curl -F" in error
    assert "BytesIO" not in error and "object at 0x" not in error


def _serve(model_path, *extra):
    return main(["serve", str(model_path), *map(str, extra)])


@pytest.fixture
def no_uvicorn(monkeypatch):
    """uvicorn.run must not be reached when the server cannot start."""
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    return calls


def test_port_in_use_is_one_clear_line_before_serving(model, no_uvicorn, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert _serve(model[0], "--port", port) == 1
    err = capsys.readouterr().err
    assert no_uvicorn == [] and "Serving" not in err
    assert err.count("\n") == 1
    assert re.match(rf"skspeech serve: error: Cannot listen on 127.0.0.1:{port}: port {port} is "
                    rf"in use by another program.*--port", err)


@pytest.mark.parametrize("content, match", [
    (b"not a pickle", "is not a model file that skspeech can read"),
    (b"", "is not a model file that skspeech can read"),
])
def test_bad_model_is_one_clear_line(tmp_path, no_uvicorn, capsys, content, match):
    path = tmp_path / "model.joblib"
    path.write_bytes(content)
    assert _serve(path) == 1
    err = capsys.readouterr().err
    assert no_uvicorn == [] and "Serving" not in err and err.count("\n") == 1
    assert re.search(match, err)


def test_bad_host_and_certificate_are_one_clear_line(model, tmp_path, no_uvicorn, capsys):
    assert _serve(model[0], "--host", "no-such-host.invalid") == 1
    err = capsys.readouterr().err
    assert "Cannot listen on no-such-host.invalid:8000: 'no-such-host.invalid' is not an " \
           "address or a name of this machine" in err and err.count("\n") == 1
    (tmp_path / "cert.pem").write_text("not a certificate")
    (tmp_path / "key.pem").write_text("not a key")
    assert _serve(model[0], "--certfile", tmp_path / "cert.pem", "--keyfile",
                  tmp_path / "key.pem") == 1
    err = capsys.readouterr().err
    assert "Cannot serve over HTTPS with --certfile" in err and err.count("\n") == 1
    assert _serve(model[0], "--certfile", tmp_path / "no.pem", "--keyfile",
                  tmp_path / "key.pem") == 1
    assert "--certfile" in capsys.readouterr().err and no_uvicorn == []



def test_bracketed_ipv6_host_is_served_on_the_address(model, no_uvicorn, capsys):
    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    assert _serve(model[0], "--host", "[::1]", "--port", 0) == 0
    assert no_uvicorn[0]["host"] == "::1" and no_uvicorn[0]["port"] > 0  # port 0: a free one
    assert f"at http://[::1]:{no_uvicorn[0]['port']}/" in capsys.readouterr().err
