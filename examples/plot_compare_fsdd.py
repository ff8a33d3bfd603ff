"""
SVM vs HMM on spoken digits
===========================

Train the SVM and HMM recipes on the Free Spoken Digit Dataset (FSDD) with
its own split (takes 0-4 test, the rest train) and compare accuracy and
training time. FSDD is read from ``$SKSPEECH_FSDD`` or from
``../shared/data/fsdd`` next to the checkout; without it the example uses
synthetic speech (``synth`` extra) split by voice. Needs the ``hmm`` and
``plot`` extras. ``SKSPEECH_EXAMPLE_SMALL=1`` trains on a quarter of FSDD's
training clips. The Conv1D recipe (``keras`` extra) is in the Conv1D tutorial;
README.md has the full table.
"""

# %%
# Data
# ----
import os
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.model_selection import GroupShuffleSplit  # noqa: E402

from skspeech.datasets import load_fsdd, make_spoken_commands  # noqa: E402
from skspeech.pipelines import hmm_pipeline, svm_pipeline  # noqa: E402

small = bool(os.environ.get("SKSPEECH_EXAMPLE_SMALL"))
try:
    examples_dir = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs the examples from examples/, without __file__
    examples_dir = Path.cwd()
default = examples_dir.parent.parent / "shared/data/fsdd"  # ../shared/data/fsdd of the checkout
fsdd = next((p for p in [os.environ.get("SKSPEECH_FSDD"), default]
             if p and Path(p).is_dir()), None)
rng = np.random.default_rng(0)
if fsdd is not None:
    train, test = load_fsdd(fsdd, subset="train"), load_fsdd(fsdd, subset="test")
    sr, X_train, y_train = train.sr, list(train.data), np.asarray(train.target)
    X_test, y_test = list(test.data), np.asarray(test.target)
    if small:  # a quarter of the training clips
        keep = rng.permutation(len(y_train))[: len(y_train) // 4]
        X_train, y_train = [X_train[i] for i in keep], y_train[keep]
    source = "FSDD"
else:
    data = make_spoken_commands(n_voices=12 if small else 40, random_state=0)
    split = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=0)
    tr, te = next(split.split(data.data, data.target, groups=data.voice))
    sr, X_train, y_train = data.sr, data.data[tr], data.target[tr]
    X_test, y_test = data.data[te], data.target[te]
    source = "synthetic speech (unseen voices)"
print(f"{source}: {len(y_train)} training clips, {len(y_test)} test clips, {sr} Hz")

# %%
# Train and score both recipes
# ----------------------------
# The SVM pools MFCC and delta statistics over the clip; the HMM models each
# word as a left-to-right sequence of states on MFCC frames. The HMM recipe
# trains by default on every clip plus two randomly perturbed copies of it
# (fit-only augmentation: the test clips are scored as recorded), which costs
# training time and pays off most on voices never heard in training.
results = {}
for name, model in [("SVM", svm_pipeline(sr=sr)),
                    ("HMM", hmm_pipeline(sr=sr, n_iter=10 if small else 20, random_state=0))]:
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    accuracy = model.score(X_test, y_test)
    results[name] = (accuracy, seconds)
    print(f"{name}: accuracy {accuracy:.1%}, trained in {seconds:.1f} s")

# %%
# Compare
# -------
fig, axes = plt.subplots(1, 2, figsize=(8, 3.5))
names = list(results)
axes[0].bar(names, [100 * results[n][0] for n in names], color=["C0", "C1"])
axes[0].set_ylabel("test accuracy (%)")
axes[0].set_ylim(0, 100)
axes[1].bar(names, [results[n][1] for n in names], color=["C0", "C1"])
axes[1].set_ylabel("training time (s)")
fig.suptitle(source)
fig.tight_layout()
if os.environ.get("SKSPEECH_EXAMPLE_OUTPUT"):
    fig.savefig(os.environ["SKSPEECH_EXAMPLE_OUTPUT"])
