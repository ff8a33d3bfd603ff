"""An export runs where TensorFlow cannot be imported: the same words as the Keras pipeline.

Each check runs in a child process whose ``sitecustomize`` makes importing
tensorflow, keras and scikeras fail, as in a ``pip install 'skspeech[edge]'``
environment. The models are small networks fitted for a few seconds on FSDD's
own training split and scored on its 300 test clips.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

_BLOCKER = '''
import importlib.abc
import sys


class _NoTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("tensorflow", "keras", "scikeras", "tf_keras"):
            raise ImportError(f"{name} cannot be imported in this test")
        return None


sys.meta_path.insert(0, _NoTensorFlow())
'''
_CHECK = '''
import sys
try:
    import tensorflow  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("tensorflow imported")
'''
_HEAVY = ("tensorflow", "keras", "scikeras")


@pytest.fixture(scope="module")
def no_tf_env(tmp_path_factory):
    """Environment variables for a child process in which TensorFlow cannot be imported."""
    folder = tmp_path_factory.mktemp("no_tensorflow")
    (folder / "sitecustomize.py").write_text(_BLOCKER)
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH")) if p)
    return dict(os.environ, PYTHONPATH=path, TF_CPP_MIN_LOG_LEVEL="2")


def run_child(env, code, *args, timeout=300):
    """Run ``code`` (after the import check) in a child without TensorFlow; its stdout."""
    out = subprocess.run([sys.executable, "-c", _CHECK + code, *args], env=env,
                         capture_output=True, text=True, timeout=timeout, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_skspeech_imports_without_tensorflow(no_tf_env):
    code = '''
import json
import skspeech, skspeech.cli, skspeech.export, skspeech.features, skspeech.io
import skspeech.preprocessing, skspeech.streaming
from skspeech.export._runtime import interpreter_class
try:
    interpreter_class("tensorflow")
except ImportError as exc:
    hint = str(exc)
print(json.dumps({"modules": sorted(m for m in sys.modules
                                    if m.partition(".")[0] in ("tensorflow", "keras", "scikeras")),
                  "hint": hint}))
'''
    out = json.loads(run_child(no_tf_env, code))
    assert out["modules"] == []
    assert "pip install 'skspeech[edge]'" in out["hint"]


# ---------------------------------------------------------------------------------------------
# Real clips: FSDD's own split, two networks exported to float and int8.

N_TRAIN = 1500  # of the 2,700 training clips: enough for confident networks in seconds


@pytest.fixture(scope="module")
def exports(fsdd_path, tmp_path_factory):
    """``{name: (export folder, Keras words, Keras probabilities)}``, the test clips, files."""
    pytest.importorskip("tensorflow")
    pytest.importorskip("scikeras")
    pytest.importorskip("ai_edge_litert")
    from skspeech.datasets import load_fsdd
    from skspeech.export import export_tflite
    from skspeech.pipelines import conv1d_pipeline, kws_pipeline

    train = load_fsdd(fsdd_path, subset="train")
    test = load_fsdd(fsdd_path, subset="test")
    idx = np.random.default_rng(0).permutation(len(train.data))[:N_TRAIN]
    X, y = [train.data[i] for i in idx], train.target[idx]
    fit = {"random_state": 0, "patience": None, "validation_fraction": None, "batch_size": 32}
    models = {
        # the recipes' default networks, without augmentation (98 % of the test clips)
        "kws": kws_pipeline(sr=train.sr, augment=False, epochs=12, **fit),
        "conv1d": conv1d_pipeline("mfcc", sr=train.sr, epochs=12, **fit),  # 99 %
    }
    root = tmp_path_factory.mktemp("exports")
    out = {}
    for name, model in models.items():
        model.fit(X, y)
        export_tflite(model, root / name, representative=X[:300])
        out[name] = (root / name, model, model.predict(test.data),
                     model.predict_proba(test.data))
    clips = root / "clips.npz"
    np.savez(clips, *test.data)
    return out, clips, test


@pytest.mark.slow
def test_exports_predict_the_keras_words_without_tensorflow(exports, no_tf_env, tmp_path):
    found, clips, test = exports
    code = '''
import json
import numpy as np
from skspeech.export import load_exported
data = np.load(sys.argv[1])
clips = [data[f"arr_{i}"] for i in range(len(data.files))]
out = {}
for folder in sys.argv[3:]:
    for variant in ("float", "int8"):
        model = load_exported(folder, variant=variant)
        assert model.runtime == "litert", model.runtime
        out[f"{folder}:{variant}"] = model.predict_proba(clips).tolist()
out["modules"] = sorted(m for m in sys.modules
                        if m.partition(".")[0] in ("tensorflow", "keras", "scikeras"))
with open(sys.argv[2], "w") as f:
    json.dump(out, f)
'''
    result = tmp_path / "result.json"
    run_child(no_tf_env, code, str(clips), str(result), *(str(f[0]) for f in found.values()))
    got = json.loads(result.read_text())
    assert got.pop("modules") == []
    for name, (folder, model, words, proba) in found.items():
        assert np.mean(words == test.target) >= 0.9, name  # a network worth agreeing with
        for variant in ("float", "int8"):
            p = np.array(got[f"{folder}:{variant}"])
            agree = np.mean(model.classes_[p.argmax(axis=1)] == words)
            print(f"{name} {variant}: agrees with Keras on {agree:.1%} of {len(words)} clips, "
                  f"largest probability gap {np.abs(p - proba).max():.4f}")
            if variant == "float":
                np.testing.assert_array_equal(model.classes_[p.argmax(axis=1)], words)
                np.testing.assert_allclose(p, proba, atol=1e-4)
            else:
                assert agree >= 0.99, (name, agree)


def _listen_stream(clips, sr, rng):
    """The clips one after another with 1 s of quiet noise around each."""
    parts = []
    for x in clips:
        parts += [0.002 * rng.standard_normal(sr).astype(np.float32), x]
    parts.append(0.002 * rng.standard_normal(sr).astype(np.float32))
    return np.concatenate(parts)


@pytest.mark.slow
def test_cli_predicts_and_listens_from_an_export_folder_without_tensorflow(exports, no_tf_env,
                                                                          tmp_path):
    from skspeech.io import read_audio, write_audio
    from skspeech.streaming import CommandListener

    found, _, test = exports
    folder, model = found["kws"][:2]
    files = [str(f) for f in test.filenames[::15]]  # 20 files, two of each digit
    keras_words = model.predict([read_audio(f, sr=test.sr)[0] for f in files])
    cli = "from skspeech.cli import main\nraise SystemExit(main(sys.argv[1:]))\n"
    for flag in ((), ("--int8",)):
        rows = json.loads(run_child(no_tf_env, cli, "predict", str(folder), *files, "--json",
                                    "--quiet", *flag))
        assert [r["file"] for r in rows] == files
        words = np.array([r["word"] for r in rows])
        assert np.mean(words == keras_words) >= (1.0 if not flag else 0.95), flag

    stream = _listen_stream(test.data[5:300:60], test.sr, np.random.default_rng(0))
    wav = tmp_path / "stream.wav"
    write_audio(wav, stream, test.sr)
    stream = read_audio(wav, sr=test.sr)[0]  # as listen reads it: 16-bit
    listener = CommandListener(model, test.sr, window=1.0, threshold=0.6)  # as listen's below
    keras = [d for i in range(0, len(stream), 800) for d in listener.process(stream[i:i + 800])]
    keras += listener.flush()
    assert len(keras) >= 3
    out = run_child(no_tf_env, cli, "listen", str(folder), "--file", str(wav), "--quiet",
                    "--threshold", "0.6")
    lines = [line.split() for line in out.splitlines() if line.strip()]
    assert [(t, w) for t, _, w, _ in lines] == [(f"{d.time:.2f}", d.word) for d in keras]


@pytest.mark.slow
def test_serve_answers_from_an_export_folder_without_tensorflow(exports, no_tf_env, tmp_path):
    """skspeech serve EXPORT_DIR: the page's model, loaded without TensorFlow or a pickle."""
    pytest.importorskip("starlette")
    found, clips, test = exports
    folder, model, words, _ = found["kws"]
    picks = [int(i) for i in np.flatnonzero(words == test.target)[:3]]
    code = '''
import json
import numpy as np
from starlette.testclient import TestClient
from skspeech.serve._app import create_app
from skspeech.serve._model import load_served_model
data = np.load(sys.argv[1])
served = load_served_model(sys.argv[2])
client = TestClient(create_app(served), base_url="http://127.0.0.1:8000")
answers = []
for i in sys.argv[4:]:
    x = data[f"arr_{i}"].astype("<f4")
    r = client.post(f"/api/predict?sr={served.sr}", content=x.tobytes(),
                    headers={"host": "127.0.0.1:8000", "X-Skspeech": "1"})
    answers.append(r.json()["word"])
out = {"info": served.info(), "answers": answers, "modules": sorted(
    m for m in sys.modules if m.partition(".")[0] in ("tensorflow", "keras", "scikeras"))}
with open(sys.argv[3], "w") as f:
    json.dump(out, f)
'''
    result = tmp_path / "serve.json"
    run_child(no_tf_env, code, str(clips), str(folder), str(result), *map(str, picks))
    got = json.loads(result.read_text())
    assert got["modules"] == []
    assert got["info"]["sr"] == test.sr and got["info"]["classes"] == model.classes_.tolist()
    assert got["info"]["file"] == folder.name
    assert got["answers"] == [str(words[i]) for i in picks]
