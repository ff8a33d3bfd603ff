"""
Streaming detection on a long recording
=======================================

Build a 20 s recording with a few spoken commands in background noise, feed it
block by block to :class:`skspeech.streaming.CommandListener` and compare the
detections with where the words really are. The listener slides a 1 s window
over the stream, skips quiet windows (voice gate) and classifies the rest with
the same fitted pipeline used offline. Needs the ``synth`` and ``plot`` extras.
"""

# %%
# Train on synthetic speech
# -------------------------
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from skspeech.datasets import make_spoken_commands  # noqa: E402
from skspeech.pipelines import svm_pipeline  # noqa: E402
from skspeech.plotting import plot_waveform  # noqa: E402
from skspeech.streaming import CommandListener  # noqa: E402

small = bool(os.environ.get("SKSPEECH_EXAMPLE_SMALL"))
words = ["yes", "no", "stop", "go"]
data = make_spoken_commands(words=words, n_voices=12 if small else 40, random_state=0)
held_out = data.voice == data.voice[-1]  # one voice kept for the recording
model = svm_pipeline(sr=data.sr).fit(data.data[~held_out], data.target[~held_out])
sr = data.sr

# %%
# A long recording
# ----------------
# The held-out voice's clips, 4 s apart, in quiet noise.
rng = np.random.default_rng(0)
clips, said = data.data[held_out], data.target[held_out]
recording = 0.002 * rng.standard_normal(20 * sr).astype("float32")
truth = []
for k, (clip, word) in enumerate(zip(clips, said)):
    start = (1 + 4 * k) * sr
    recording[start:start + len(clip)] += clip
    truth.append((start / sr, str(word)))
print("said:", ", ".join(f"{w} at {t:.0f} s" for t, w in truth))

# %%
# Listen block by block
# ---------------------
# 100 ms blocks, as a microphone would deliver them.
listener = CommandListener(model, sr, threshold=0.5)
block = sr // 10
detections = [d for i in range(0, len(recording), block)
              for d in listener.process(recording[i:i + block])]
detections += list(listener.flush())
for d in detections:
    print(f"heard {d.word!r} at {d.time:.1f} s (p={d.probability:.2f})")
found = sum(any(d.word == w and t - 0.5 <= d.time <= t + 2.0 for d in detections)
            for t, w in truth)
print(f"detected {found} of {len(truth)} commands")

# %%
# Where the words are and what was heard
# --------------------------------------
fig, ax = plt.subplots(figsize=(9, 3))
plot_waveform(recording, sr, ax=ax, title="stream: said (above) and heard (below)")
for t, w in truth:
    ax.annotate(w, (t + 0.5, 0.9), xycoords=("data", "axes fraction"), color="C2", ha="center")
for d in detections:
    ax.axvline(d.time, color="C3", ls="--")
    ax.annotate(d.word, (d.time, 0.05), xycoords=("data", "axes fraction"), color="C3")
fig.tight_layout()
if os.environ.get("SKSPEECH_EXAMPLE_OUTPUT"):
    fig.savefig(os.environ["SKSPEECH_EXAMPLE_OUTPUT"])
