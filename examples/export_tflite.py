"""
Export a Conv1D or KWS model to TensorFlow Lite
===============================================

Train the small MFCC network, export it with
:func:`skspeech.export.export_tflite` as a float and an int8 ``.tflite`` file
plus ``frontend.json`` (the sample rate, window, hop and MFCC settings a
device must reproduce), then check that the exported models agree with Keras.
The keyword-spotting network (:func:`~skspeech.pipelines.kws_pipeline`)
exports the same way: its SpecAugment layer acts only in training and leaves
nothing in the file.
Needs the ``keras``, ``synth`` and ``plot`` extras; not run when the
documentation is built (no ``plot_`` prefix). ``SKSPEECH_EXAMPLE_SMALL=1``
trains a few epochs on a little synthetic speech.
"""

# %%
# Train
# -----
import json
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from skspeech.datasets import make_spoken_commands  # noqa: E402
from skspeech.export import TFLiteModel, export_tflite  # noqa: E402
from skspeech.pipelines import conv1d_pipeline, kws_pipeline  # noqa: E402

small = bool(os.environ.get("SKSPEECH_EXAMPLE_SMALL"))
data = make_spoken_commands(words=["yes", "no", "up", "down"], n_voices=12 if small else 40,
                            random_state=0)
test = data.voice == data.voice[-1]
model = conv1d_pipeline("mfcc", sr=data.sr, epochs=30 if small else 100, random_state=0)
model.fit(data.data[~test], data.target[~test])

# %%
# Export
# ------
# int8 quantisation calibrates on a few hundred representative training clips.
out = tempfile.mkdtemp(prefix="skspeech-tflite-")
files = export_tflite(model, out, representative=data.data[~test])
for kind in ("float", "int8"):
    print(f"{kind}: {files[kind].name}, {files['sizes'][kind] / 1024:.0f} KiB")
settings = json.loads(files["settings"].read_text())
print("frontend.json keys:", ", ".join(sorted(settings)))

# %%
# Check the exported models
# -------------------------
# :class:`skspeech.export.TFLiteModel` runs a ``.tflite`` file on the same clips
# the pipeline takes: it rebuilds the front end from ``frontend.json`` with
# skspeech's own transformers, and needs LiteRT (``skspeech[edge]``), not TensorFlow.
X = data.data[test]
keras_proba = model.predict_proba(X)
probas = {"Keras": keras_proba}
for kind in ("float", "int8"):
    probas[kind] = TFLiteModel(files[kind]).predict_proba(X)
    agree = np.mean(probas[kind].argmax(1) == keras_proba.argmax(1))
    gap = np.abs(probas[kind] - keras_proba).max()
    print(f"{kind} TFLite agrees with Keras on {agree:.0%} of clips (max prob. gap {gap:.3f})")

# %%
# The keyword-spotting network
# ----------------------------
# :func:`~skspeech.pipelines.kws_pipeline` (48 channels, 30 k weights): its
# int8 file fits in 64 KB. ``frontend.json`` also names
# the level step (each clip relative to its peak) and per-clip CMVN (and,
# with ``n_ceps=20``, the cepstra step: an orthonormal DCT across the
# bands), and lists the TFLite ops each file uses.
kws = kws_pipeline(sr=data.sr, epochs=15 if small else 60, random_state=0)
kws.fit(data.data[~test], data.target[~test])
kws_files = export_tflite(kws, os.path.join(out, "kws"), representative=data.data[~test])
kws_settings = json.loads(kws_files["settings"].read_text())
print("KWS front end:", " -> ".join(f"{name} ({step['type']})" for name, step
                                    in kws_settings["steps"].items() if step))
print("KWS int8 ops:", ", ".join(kws_settings["ops"]["int8"]))
kws_words = kws.predict(X)
for kind in ("float", "int8"):
    words = TFLiteModel(kws_files[kind]).predict(X)
    print(f"KWS {kind}: {kws_files['sizes'][kind] / 1024:.0f} KiB, agrees with Keras on "
          f"{np.mean(words == kws_words):.0%} of clips")

fig, ax = plt.subplots(figsize=(5, 4))
for kind, marker in (("float", "o"), ("int8", "x")):
    ax.scatter(keras_proba.ravel(), probas[kind].ravel(), marker=marker, label=kind)
ax.plot([0, 1], [0, 1], "k:", lw=1)
ax.set_xlabel("Keras probability")
ax.set_ylabel("TFLite probability")
ax.legend()
fig.tight_layout()
if os.environ.get("SKSPEECH_EXAMPLE_OUTPUT"):
    fig.savefig(os.environ["SKSPEECH_EXAMPLE_OUTPUT"])
