"""
The TensorFlow speech tutorial, with skspeech
=============================================

The TensorFlow "simple audio recognition" tutorial resamples clips to 8 kHz
and trains a Conv1D network on the raw waveform. Here the same network is one
line, :func:`skspeech.pipelines.conv1d_pipeline` with ``features="raw"``, and
is compared with a small network on MFCC frames at 16 kHz; then we plot the
training history and predict a WAV file of your own.

Needs the ``keras``, ``synth`` and ``plot`` extras. It is not run when the
documentation is built (no ``plot_`` prefix: TensorFlow is slow to start);
run it with ``python examples/tutorial_conv1d.py [your.wav]``.
``SKSPEECH_EXAMPLE_SMALL=1`` trains a few epochs on a little synthetic speech;
with Speech Commands (``skspeech data fetch speech-commands`` and
:func:`skspeech.datasets.load_speech_commands`) the full settings apply.
"""

# %%
# Data: spoken commands, split by voice
# -------------------------------------
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.model_selection import GroupShuffleSplit  # noqa: E402

from skspeech.datasets import make_spoken_commands  # noqa: E402
from skspeech.io import read_audio, write_audio  # noqa: E402
from skspeech.pipelines import conv1d_pipeline  # noqa: E402
from skspeech.plotting import plot_history  # noqa: E402

small = bool(os.environ.get("SKSPEECH_EXAMPLE_SMALL"))
words = ["yes", "no", "up", "down"] if small else None
data = make_spoken_commands(words=words, n_voices=16 if small else 48, random_state=0)
split = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
train, test = next(split.split(data.data, data.target, groups=data.voice))
X_train, y_train = data.data[train], data.target[train]
X_test, y_test = data.data[test], data.target[test]
print(f"{len(y_train)} training clips, {len(y_test)} test clips at {data.sr} Hz")

# %%
# Two recipes
# -----------
# ``"raw"``: Resampler to 8 kHz -> PadTrim to 1 s -> the tutorial's network
# (four conv blocks on 8,000 samples, 1.6 M weights). ``"mfcc"``: MFCC frames
# at 16 kHz (nothing above 4 kHz is thrown away, and the number of frames does
# not depend on the rate) -> a 17 k-weight network over time.
epochs = 3 if small else 100
recipes = {
    "raw waveform, 8 kHz": conv1d_pipeline("raw", sr=data.sr, epochs=epochs, random_state=0),
    "MFCC, 16 kHz": conv1d_pipeline("mfcc", sr=data.sr, epochs=10 * epochs, random_state=0),
}
for name, model in recipes.items():
    model.fit(X_train, y_train)
    print(f"{name}: accuracy {model.score(X_test, y_test):.1%} on unseen voices")

# %%
# Training history
# ----------------
# :func:`skspeech.plotting.plot_history` finds ``history_`` in the Pipeline's
# last step: loss and accuracy per epoch, on the training and validation data.
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
for ax, (name, model) in zip(axes, recipes.items()):
    plot_history(model, ax=ax, metrics=("accuracy",))
    ax.set_title(name)
fig.tight_layout()
if os.environ.get("SKSPEECH_EXAMPLE_OUTPUT"):
    fig.savefig(os.environ["SKSPEECH_EXAMPLE_OUTPUT"])

# %%
# Predict your own WAV
# --------------------
# :func:`skspeech.io.read_audio` reads any format, rate and channel count and
# resamples to the rate the model was trained at. Without a file on the command
# line, a test clip is written to a WAV and read back.
if len(sys.argv) > 1:
    path = sys.argv[1]
else:
    path = os.path.join(tempfile.mkdtemp(), "clip.wav")
    write_audio(path, X_test[0], data.sr)
    print(f"(no WAV given; wrote a {y_test[0]!s} clip to {path})")
clip, _ = read_audio(path, sr=data.sr)
model = recipes["MFCC, 16 kHz"]
proba = model.predict_proba([clip])[0]
best = proba.argmax()
print(f"{path}: {model.classes_[best]} (p={proba[best]:.2f})")
