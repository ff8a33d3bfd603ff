"""
SVM on synthetic spoken commands, tested on voices never heard
==============================================================

Make spoken commands with espeak-ng, hold out whole voices, train the SVM
recipe and look at which words it confuses. Needs the ``synth`` and ``plot``
extras. ``SKSPEECH_EXAMPLE_SMALL=1`` makes it quicker (fewer voices).
"""

# %%
# Data: ten words, many synthetic voices
# --------------------------------------
# Each voice is an espeak-ng accent and variant with its own pitch and rate;
# each clip is placed at a random point of a 1 s window with background noise.
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay  # noqa: E402
from sklearn.model_selection import GroupShuffleSplit  # noqa: E402

from skspeech.datasets import make_spoken_commands  # noqa: E402
from skspeech.pipelines import svm_pipeline  # noqa: E402

n_voices = 12 if os.environ.get("SKSPEECH_EXAMPLE_SMALL") else 48
data = make_spoken_commands(n_voices=n_voices, random_state=0)
print(f"{len(data.target)} clips, {len(set(data.voice))} voices, {data.sr} Hz")

# %%
# Split by voice
# --------------
# A user's own voice is never in the training set, so test on voices the
# model has not heard: split by ``data.voice``, not by clip.
split = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=0)
train, test = next(split.split(data.data, data.target, groups=data.voice))

model = svm_pipeline(sr=data.sr).fit(data.data[train], data.target[train])
accuracy = model.score(data.data[test], data.target[test])
print(f"accuracy on unseen voices: {accuracy:.1%}")

# %%
# Which words does it confuse?
# ----------------------------
fig, ax = plt.subplots(figsize=(6, 6))
ConfusionMatrixDisplay.from_estimator(model, data.data[test], data.target[test],
                                      labels=np.unique(data.target), ax=ax, colorbar=False)
ax.set_title(f"SVM on unseen voices: {accuracy:.0%}")
fig.tight_layout()
if os.environ.get("SKSPEECH_EXAMPLE_OUTPUT"):
    fig.savefig(os.environ["SKSPEECH_EXAMPLE_OUTPUT"])
