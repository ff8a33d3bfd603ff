"""
Tuning the SVM recipe with GridSearchCV
=======================================

Every recipe is a scikit-learn Pipeline, so ``GridSearchCV`` tunes front end
and classifier together. Parameter names follow the step names:
``mfcc__n_mfcc``, and ``svc__estimator__C`` because with ``probability=True``
the SVC sits inside a ``CalibratedClassifierCV``. ``Pipeline(memory=...)``
caches the MFCC step so that it is not recomputed for every ``C``. Needs the
``synth`` and ``plot`` extras.
"""

# %%
# Data, split by voice
# --------------------
import os
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.model_selection import GridSearchCV, GroupKFold  # noqa: E402

from skspeech.datasets import make_spoken_commands  # noqa: E402
from skspeech.pipelines import svm_pipeline  # noqa: E402

small = bool(os.environ.get("SKSPEECH_EXAMPLE_SMALL"))
data = make_spoken_commands(n_voices=12 if small else 40, random_state=0)
print(f"{len(data.target)} clips, {len(set(data.voice))} voices")

# %%
# The search
# ----------
# Cross-validate by voice (``GroupKFold`` with ``groups=data.voice``) so that
# the score is for voices the model has not heard.
# The pipeline caches its features in a temporary folder, so each setting of
# ``C`` reuses them; the folder is removed when the search is done.
grid = {"mfcc__n_mfcc": [13, 20], "svc__estimator__C": [1.0, 10.0, 100.0]}
with tempfile.TemporaryDirectory(prefix="skspeech-grid-") as cache:
    model = svm_pipeline(sr=data.sr).set_params(memory=cache)
    search = GridSearchCV(model, grid, cv=GroupKFold(n_splits=3), n_jobs=1)
    search.fit(data.data, data.target, groups=data.voice)
print(f"best parameters: {search.best_params_}")
print(f"best cross-validated accuracy: {search.best_score_:.1%}")

# %%
# Scores for every setting
# ------------------------
scores = search.cv_results_["mean_test_score"].reshape(len(grid["mfcc__n_mfcc"]), -1)
fig, ax = plt.subplots(figsize=(5, 3.5))
for n_mfcc, row in zip(grid["mfcc__n_mfcc"], scores):
    ax.plot(grid["svc__estimator__C"], 100 * row, "o-", label=f"n_mfcc={n_mfcc}")
ax.set_xscale("log")
ax.set_xlabel("C")
ax.set_ylabel("accuracy on held-out voices (%)")
ax.legend()
fig.tight_layout()
if os.environ.get("SKSPEECH_EXAMPLE_OUTPUT"):
    fig.savefig(os.environ["SKSPEECH_EXAMPLE_OUTPUT"])
assert np.isfinite(scores).all()
