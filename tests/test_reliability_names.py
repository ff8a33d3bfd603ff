"""File names of any encoding the OS allows (issue 36): names that are not valid UTF-8, given as
bytes or as the str Python makes of them, are read, written and printed. See docs/bad_input.rst."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import make_tone_commands

from skspeech.io import AudioFiles, read_audio, write_audio

SR = 8000
NAME = b"caf\xe9 \xff.wav"  # Latin-1 bytes: not UTF-8

pytestmark = pytest.mark.skipif(sys.platform != "linux",
                                reason="file names are arbitrary bytes on Linux only")


@pytest.fixture
def odd(tmp_path):
    """A folder holding a WAV whose name is not valid UTF-8; ``(folder, bytes path)``."""
    folder = os.fsencode(tmp_path / "odd")
    os.mkdir(folder)
    path = os.path.join(folder, NAME)
    x = make_tone_commands(n_per_class=1, sr=SR, classes=("low",))[0][0]
    write_audio(path, x, SR)  # bytes path
    return tmp_path / "odd", path, x


def test_read_and_write_bytes_and_surrogate_names(odd):
    folder, path, x = odd
    as_str = os.fsdecode(path)  # what os.listdir and the command line give
    assert "\udce9" in as_str
    assert [p.name for p in folder.iterdir()] == [os.fsdecode(NAME)]
    for name in (path, as_str, Path(as_str)):
        y, sr = read_audio(name)
        assert sr == SR
        np.testing.assert_allclose(y, x, atol=1e-4)
    write_audio(as_str, x, SR, overwrite=True)
    assert AudioFiles([as_str], sr=SR, offset=0.1).read()[0].shape == (len(x) - 800,)
    with pytest.raises(FileNotFoundError, match=r"No audio file at '.*n\\udce9\.wav'"):
        read_audio(os.path.join(os.fsencode(folder), b"n\xe9.wav"))


def test_cli_predicts_and_prints_such_names(odd, tmp_path):
    from skspeech import save_model
    from skspeech.pipelines import svm_pipeline

    folder, path, _ = odd
    X, y = make_tone_commands(n_per_class=6, sr=SR, random_state=1)
    model = save_model(tmp_path / "m.joblib", svm_pipeline(sr=SR).fit(X, y))
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]),
               PYTHONIOENCODING="utf-8")
    run = [sys.executable, "-m", "skspeech", "predict", str(model)]
    # the folder, and the file named on the command line (bytes in argv)
    for target in (os.fsencode(folder), path):
        out = subprocess.run(run + [target, "--quiet"], capture_output=True, env=env,
                             timeout=300, check=False)
        assert out.returncode == 0, out.stderr.decode(errors="replace")
        assert NAME in out.stdout  # printed as the bytes of the name, as ls prints it
        assert b"Traceback" not in out.stderr
    rows = json.loads(subprocess.run(run + [path, "--quiet", "--json"], capture_output=True,
                                     env=env, timeout=300, check=True).stdout)
    assert os.fsencode(rows[0]["file"]) == path and rows[0]["word"] == "low"


def test_speech_commands_folder_with_such_names_loads(tmp_path):
    from test_speech_commands import make_speech_commands_folder

    from skspeech.datasets import load_speech_commands

    root = tmp_path / "sc"
    make_speech_commands_folder(root)
    x = 0.3 * np.sin(np.arange(16000) / 3)
    odd = os.path.join(os.fsencode(root / "yes"), b"caf\xe9_nohash_0.wav")
    write_audio(odd, x, 16000)
    for lazy in (False, True):
        data = load_speech_commands(root, subset="train", words=["yes"], task="words",
                                    lazy=lazy)
        names = [os.fsencode(str(f)) for f in data.filenames]
        assert odd in names
        i = names.index(odd)
        clip = data.data[i]
        np.testing.assert_allclose(clip, x, atol=1e-4)


def test_server_serves_a_model_whose_file_name_is_not_utf8(tmp_path):
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from skspeech import save_model
    from skspeech.pipelines import svm_pipeline
    from skspeech.serve import create_app, load_served_model

    X, y = make_tone_commands(n_per_class=6, sr=SR, random_state=1)
    path = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"mod\xe8le.joblib"))
    save_model(path, svm_pipeline(sr=SR).fit(X, y))
    client = TestClient(create_app(load_served_model(path)), base_url="http://127.0.0.1:8000")
    r = client.get("/api/model", headers={"host": "127.0.0.1:8000"})
    assert r.status_code == 200 and r.json()["file"] == "mod\ufffdle.joblib"


def test_model_files_take_bytes_names(tmp_path):
    from skspeech import load_model, save_model
    from skspeech.pipelines import svm_pipeline

    X, y = make_tone_commands(n_per_class=6, sr=SR, random_state=1)
    path = os.path.join(os.fsencode(tmp_path), b"m\xe8.joblib")
    save_model(path, svm_pipeline(sr=SR).fit(X, y))
    model, meta = load_model(path, return_metadata=True)
    assert meta["sr"] == SR and set(model.predict(X)) <= set(y)
