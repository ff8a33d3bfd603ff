"""A network's embedding: export_tflite(embedding=True), TFLiteModel.embed, NetworkEmbedding,
custom_words_pipeline and skspeech train --model custom.

One tiny KWS network (8 channels, 2 epochs on tones at 8 kHz) is fitted and exported once.
"""

import json
import shutil

import joblib
import numpy as np
import pytest
from conftest import make_tone_commands

pytest.importorskip("tensorflow")
pytest.importorskip("scikeras")

from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from skspeech import load_model, pretrained, save_model  # noqa: E402
from skspeech.cli import main  # noqa: E402
from skspeech.export import TFLiteModel, export_tflite, load_exported  # noqa: E402
from skspeech.io import write_audio  # noqa: E402
from skspeech.pipelines import (  # noqa: E402
    NetworkEmbedding,
    custom_words_pipeline,
    kws_pipeline,
    svm_pipeline,
)
from skspeech.preprocessing import Resampler  # noqa: E402

pytestmark = pytest.mark.slow

SR = 8000
TINY = dict(stem_filters=8, filters=(8,), kernel_sizes=3, strides=(1,), batch_size=16,
            learning_rate=0.01)
WORDS = ("low", "mid", "high")


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    """A tiny fitted KWS pipeline and its export with the embedding (float and int8)."""
    X, y = make_tone_commands(n_per_class=8, sr=SR, random_state=0)
    model = kws_pipeline(sr=SR, duration=0.7, cmvn=False, n_copies=0, epochs=2, random_state=0,
                         validation_fraction=None, **TINY).fit(X, y)
    folder = tmp_path_factory.mktemp("emb") / "export"
    files = export_tflite(model, folder, representative=X, embedding=True)
    X_test, y_test = make_tone_commands(n_per_class=4, sr=SR, random_state=5)
    return model, folder, files, X_test, y_test


def _copy(folder, tmp_path, names):
    out = tmp_path / "copy"
    out.mkdir()
    for name in names:
        shutil.copy(folder / name, out / name)
    return out


def test_export_writes_the_embedding_and_describes_it(net):
    model, folder, files, _, _ = net
    settings = json.loads(files["settings"].read_text())
    emb = settings["embedding"]
    net = model.named_steps["kws"].model_
    frames = [int(d) for d in net.get_layer("block1_add").output.shape[1:]]
    assert net.get_layer("softmax").input.shape[-1] == 8 and frames[-1] == 8
    # the one residual block's frames, then the softmax layer's input, flat
    assert emb["parts"] == [{"layer": "block1_add", "shape": frames},
                            {"layer": "softmax_input", "shape": [8]}]
    assert emb["size"] == frames[0] * 8 + 8
    assert emb["files"] == {"float": "embedding_float.tflite", "int8": "embedding_int8.tflite"}
    assert files["embedding"]["float"] == folder / "embedding_float.tflite"
    assert files["sizes"]["embedding_int8"] == (folder / "embedding_int8.tflite").stat().st_size
    assert emb["int8"]["input"] == settings["int8"]["input"]  # same features, same scale
    assert emb["int8"]["output"]["dtype"] == "int8"
    assert set(settings["files"]) == {"float", "int8"}  # the main files as before
    for ops in emb["ops"].values():
        assert "SOFTMAX" not in ops and not [op for op in ops if "RANDOM" in op]


def test_keras_tflite_and_numpy_embeddings_agree(net):
    model, folder, files, X, _ = net
    for layers, size in (("blocks", 16), ("head", 8)):
        keras_emb = NetworkEmbedding(model, layers=layers).fit_transform(X)
        float_emb = NetworkEmbedding(folder, layers=layers).transform(X)  # the float file
        int8_emb = NetworkEmbedding(folder, variant="int8", layers=layers).transform(X)
        assert keras_emb.dtype == float_emb.dtype == int8_emb.dtype == np.float32
        assert keras_emb.shape == (len(X), size)
        np.testing.assert_allclose(float_emb, keras_emb, atol=1e-4)
        np.testing.assert_allclose(TFLiteModel(files["float"]).embed(X, sr=SR, layers=layers),
                                   float_emb)
        assert np.max(np.abs(int8_emb - float_emb)) < 0.05 * np.max(np.abs(float_emb)) + 0.05
    # "blocks" (the default): the mean and std over time of the block's frames
    net = model.named_steps["kws"].model_
    import keras

    frames = keras.Model(net.inputs, net.get_layer("block1_add").output).predict_on_batch(
        model[:-1].transform(X))
    np.testing.assert_allclose(NetworkEmbedding(model).transform(X),
                               np.hstack([frames.mean(axis=1), frames.std(axis=1)]), atol=1e-5)
    # "head": the softmax layer applied to it gives the network's probabilities
    W, b = net.get_layer("softmax").get_weights()
    z = keras_emb.astype(np.float64) @ W + b
    proba = np.exp(z - z.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-5)
    np.testing.assert_allclose(proba, TFLiteModel(files["float"]).predict_proba(X), atol=1e-4)


def test_in_a_pipeline_grid_search_and_joblib(net, tmp_path):
    _, folder, _, X, y = net
    pipe = Pipeline([("emb", NetworkEmbedding(folder)), ("lr", LogisticRegression())])
    pred = pipe.fit(X, y).predict(X)
    assert pred.dtype.kind == "U" and set(pred) <= set(WORDS)
    assert pipe["emb"].embedding_size_ == 16 and pipe["emb"].model_sr_ == SR
    assert list(pipe["emb"].get_feature_names_out()[:2]) == ["networkembedding0",
                                                             "networkembedding1"]
    search = GridSearchCV(pipe, {"lr__C": [0.1, 1.0], "emb__layers": ["blocks", "head"]},
                          cv=2).fit(X, y)
    assert search.best_params_["lr__C"] in (0.1, 1.0)
    assert search.best_estimator_["emb"].embedding_size_ in (16, 8)
    joblib.dump(pipe, tmp_path / "p.joblib")
    again = joblib.load(tmp_path / "p.joblib")
    np.testing.assert_array_equal(again["emb"].transform(X), pipe["emb"].transform(X))
    np.testing.assert_array_equal(again.predict_proba(X), pipe.predict_proba(X))
    frame = NetworkEmbedding(folder).set_output(transform="pandas").fit_transform(X)
    assert list(frame.columns[:1]) == ["networkembedding0"]


def test_keras_form_clones_and_pickles_without_its_sub_model(net, tmp_path):
    model, _, _, X, _ = net
    emb = NetworkEmbedding(model)
    first = emb.transform(X)  # transforms unfitted: it learns nothing
    assert "_resolved" in vars(emb) and "_resolved" not in emb.__getstate__()
    assert clone(emb).model is model  # the fitted network is shared, not refitted
    joblib.dump(emb, tmp_path / "e.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "e.joblib").transform(X), first)


def test_an_int8_only_export_runs_and_a_missing_file_is_named(net, tmp_path):
    _, folder, _, X, _ = net
    only = _copy(folder, tmp_path, ["frontend.json", "model_int8.tflite",
                                    "embedding_int8.tflite"])
    emb = NetworkEmbedding(only).transform(X)  # falls back to int8
    np.testing.assert_array_equal(emb, NetworkEmbedding(folder, variant="int8").transform(X))
    (only / "embedding_int8.tflite").unlink()
    with pytest.raises(FileNotFoundError, match="embedding_int8.tflite"):
        NetworkEmbedding(only).fit(X)


def test_errors_name_the_model_and_what_is_expected(net, tmp_path):
    model, folder, _, X, y = net
    plain = tmp_path / "plain"
    export_tflite(model, plain, int8=False)
    with pytest.raises(ValueError, match=r"no embedding network.*embedding=True.*--embedding"):
        NetworkEmbedding(plain).fit(X)
    with pytest.raises(ValueError, match=r"no embedding network.*--embedding"):
        load_exported(plain).embed(X)
    with pytest.raises(ValueError, match="'no-such-model'.*no pretrained model"):
        NetworkEmbedding("no-such-model").fit(X)
    with pytest.raises(NotFittedError, match="unfitted KWSClassifier"):
        NetworkEmbedding(kws_pipeline(sr=SR, **TINY)).transform(X)
    svm = svm_pipeline(sr=SR, probability=False).fit(X, y)
    with pytest.raises(ValueError, match="Pipeline ending in SVC.*no network"):
        NetworkEmbedding(svm).fit(X)
    with pytest.raises(ValueError, match=r"sr=16000.*8000 Hz.*Resampler\(orig_sr=16000"):
        NetworkEmbedding(folder, sr=16000).fit(X)
    with pytest.raises(ValueError, match="variant='int8'.*export folder"):
        NetworkEmbedding(model, variant="int8").fit(X)
    with pytest.raises(ValueError, match="model"):
        NetworkEmbedding(3).fit(X)
    with pytest.raises(ValueError, match="layers"):
        NetworkEmbedding(folder, layers="all").fit(X)
    with pytest.raises(ValueError, match="layers must be 'blocks' or 'head'"):
        load_exported(folder).embed(X, layers="all")


def test_an_export_written_before_the_blocks_gives_its_head(net, tmp_path):
    """frontend.json without "parts" (earlier development exports): the head vector, and a
    clear error for blocks."""
    _, folder, _, X, _ = net
    old = _copy(folder, tmp_path, ["frontend.json", "model_float.tflite"])
    settings = json.loads((old / "frontend.json").read_text())
    import keras

    from skspeech.export._tflite import _head_input

    net_model = net[0].named_steps["kws"].model_
    # the earlier layout: the embedding file ends at the softmax layer's input, no "parts"
    emb_model = keras.Model(net_model.inputs, _head_input(net_model))
    import tensorflow as tf

    blob = tf.lite.TFLiteConverter.from_keras_model(emb_model).convert()
    (old / "embedding_float.tflite").write_bytes(blob)
    settings["embedding"] = {"files": {"float": "embedding_float.tflite"}, "size": 8}
    (old / "frontend.json").write_text(json.dumps(settings))
    model = load_exported(old)
    assert model.embedding_size == 8
    np.testing.assert_allclose(model.embed(X), NetworkEmbedding(folder, layers="head")
                               .transform(X), atol=1e-4)
    with pytest.raises(ValueError, match="no residual block frames.*layers='head'"):
        NetworkEmbedding(old, layers="blocks").fit(X)


def test_custom_words_pipeline_resamples_to_the_models_rate(net):
    _, folder, _, X, y = net
    X16 = Resampler(orig_sr=SR, target_sr=16000).fit_transform(X)
    pipe = custom_words_pipeline(sr=16000, model=folder, C=1.0)
    assert [name for name, _ in pipe.steps] == ["resample", "embedding", "scale", "classifier"]
    assert pipe.named_steps["embedding"].sr == SR
    pipe.fit(X16, y)
    proba = pipe.predict_proba(X16)
    assert proba.shape == (len(y), 3) and list(pipe.classes_) == sorted(WORDS)
    same = custom_words_pipeline(sr=SR, model=folder)
    assert [name for name, _ in same.steps][0] == "embedding"


def _tone_folder(root, n=10):
    """A Speech Commands layout: one folder per word, n clips each (8 kHz tones)."""
    X, y = make_tone_commands(n_per_class=n, sr=SR, random_state=11)
    for i, (x, word) in enumerate(zip(X, y)):
        (root / word).mkdir(parents=True, exist_ok=True)
        write_audio(root / word / f"{i:08x}_nohash_0.wav", x, SR)
    return root


def test_cli_train_custom_on_an_export_then_predict(net, tmp_path, capsys):
    model, folder, _, X, _ = net
    data = _tone_folder(tmp_path / "words")
    out = tmp_path / "custom.joblib"
    assert main(["train", str(data), "--model", "custom", "--pretrained", str(folder),
                 "-o", str(out), "--quiet"]) == 0
    text = capsys.readouterr()
    assert "every clip of the folder" in text.err + text.out
    assert "Trained custom on 30 clips" in text.out
    loaded = load_model(out)
    assert loaded.named_steps["embedding"].model == str(folder.resolve())
    assert set(loaded.predict(X)) <= set(WORDS)
    assert main(["predict", str(out), str(next((data / "low").iterdir()))]) == 0
    capsys.readouterr()
    assert main(["train", str(data), "--model", "svm", "--pretrained", str(folder),
                 "-o", str(tmp_path / "x.joblib"), "--quiet"]) != 0
    assert "--pretrained applies to --model custom" in capsys.readouterr().err


def test_cli_export_embedding(net, tmp_path, capsys):
    model, _, _, X, _ = net
    path = tmp_path / "kws.joblib"
    save_model(path, model, sr=SR)
    assert main(["export", str(path), "--no-int8", "--embedding", "-o",
                 str(tmp_path / "tfl")]) == 0
    assert "embedding float" in capsys.readouterr().out
    assert NetworkEmbedding(tmp_path / "tfl").transform(X).shape == (len(X), 16)


@pytest.mark.skipif(not pretrained.available(), reason="the pretrained model is not shipped")
def test_the_pretrained_model_embeds_and_learns_new_words():
    X, y = make_tone_commands(n_per_class=6, sr=16000, random_state=2)
    emb = NetworkEmbedding()
    E = emb.transform(X)
    assert E.dtype == np.float32 and E.shape[0] == len(X)
    assert emb.fit(X).embedding_size_ == E.shape[1] and emb.model_sr_ == 16000
    pred = custom_words_pipeline(sr=16000).fit(X, y).predict(X)
    assert set(pred) <= set(WORDS)
