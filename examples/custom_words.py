"""
A new word from ten recordings
==============================

The pretrained model (``skspeech.pretrained``) knows ten words. "happy" is not
one of them: it never heard it, not even as "another word". Ten clips of it,
from ten speakers, and a few dozen clips of other sounds teach it to a small
head on the network's embedding in a second; then the head listens for it in
a one-minute stream of other speakers, among other words and noise.

Needs the ``edge`` and ``plot`` extras and the development copy of Speech
Commands (``../shared/data/speech_commands_dev``, or ``$SKSPEECH_DEV_DATA``).
"""

# %%
# Ten clips of a new word
# -----------------------
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from skspeech.datasets import background_noise, load_speech_commands  # noqa: E402
from skspeech.pipelines import custom_words_pipeline  # noqa: E402
from skspeech.streaming import listen, make_command_stream, score_detections  # noqa: E402

try:
    here = Path(__file__).resolve().parent
except NameError:  # run by sphinx-gallery
    here = Path.cwd()
data_dir = Path(os.environ.get("SKSPEECH_DEV_DATA",
                               here.parents[1] / "shared" / "data" / "speech_commands_dev"))
sr = 16000
rng = np.random.RandomState(0)
train = load_speech_commands(data_dir, subset="train", task="35")
word = "happy"
first = {}  # one clip per speaker
for i in rng.permutation(np.flatnonzero(train.word == word)):
    first.setdefault(train.speaker[i], i)
shots = list(first.values())[:10]
others = rng.choice(np.flatnonzero(train.word != word), 60, replace=False)
noise = background_noise(data_dir, subset="train")
windows = [noise[k % len(noise)][s:s + sr] for k, s in
           enumerate(rng.randint(0, min(len(n) for n in noise) - sr, 20))]
X = [train.data[i] for i in shots] + [train.data[i] for i in others] + windows
y = [word] * len(shots) + ["_unknown_"] * (len(others) + len(windows))
print(f"{len(shots)} clips of {word!r}, {len(y) - len(shots)} of other sounds")

# %%
# Teach it
# --------
# The pretrained network turns each clip into its embedding; a logistic
# regression learns the word from it.
model = custom_words_pipeline(sr=sr).fit(X, y)
print("classes:", model.classes_)

# %%
# Listen for it in a stream of new speakers
# -----------------------------------------
# Validation speakers (never heard by the network or the head): eight
# "happy", eight other words, over the held-out noise.
val = load_speech_commands(data_dir, subset="validation", task="35")
pick = np.concatenate([rng.choice(np.flatnonzero(val.word == word), 8, replace=False),
                       rng.choice(np.flatnonzero(val.word != word), 8, replace=False)])
stream, events = make_command_stream([val.data[i] for i in pick], val.word[pick], sr=sr,
                                     commands=[word], noise=background_noise(
                                         data_dir, subset="validation"),
                                     random_state=0)
detections = list(listen(model, [stream[i:i + 1600] for i in range(0, len(stream), 1600)],
                         sr=sr, threshold=0.7))
score = score_detections(detections, events, duration=len(stream) / sr)
print(f"{score.n_hits} of {score.n_commands} heard, {score.n_false_alarms} false alarms "
      f"in {len(stream) / sr:.0f} s")

# %%
# What was said, and what was heard
# ---------------------------------
t = np.arange(len(stream)) / sr
fig, ax = plt.subplots(figsize=(9, 2.8))
ax.plot(t, stream, lw=0.3, color="0.6")
for e in events:
    ax.axvspan(e.onset, e.offset, color="tab:green" if e.is_command else "tab:gray",
               alpha=0.25 if e.is_command else 0.12)
for d in detections:
    ax.axvline(d.time, color="tab:red", lw=1.2)
ax.set(xlabel="time (s)", yticks=[], title=f"'{word}' (green), other words (grey), "
       f"heard (red)")
fig.tight_layout()
if os.environ.get("SKSPEECH_EXAMPLE_OUTPUT"):
    fig.savefig(os.environ["SKSPEECH_EXAMPLE_OUTPUT"])
