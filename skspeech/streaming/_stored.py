"""The listener calibration a model keeps (see calibrate_threshold) and its check."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
from sklearn.utils import check_random_state

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator

#: The fitted attribute that holds a model's calibration (read by threshold="auto").
CALIBRATION_ATTRIBUTE = "listener_calibration_"
_PROBE_SECONDS = 1.0


def probe(model, sr):
    """``predict_proba`` of a fixed second of noise: tells a refitted model from its calibration."""
    x = check_random_state(12345).standard_normal(int(_PROBE_SECONDS * sr)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(model.predict_proba(0.05 * x[None]), float)[0]


def stored_calibration(model: BaseEstimator) -> dict | None:
    """The calibration kept on ``model``, or None (none, or the model changed since).

    A calibration made before the model was fitted again no longer fits it:
    the model's answer to a fixed second of noise, kept with the
    calibration, tells. Then a warning, and None.
    """
    cal = getattr(model, CALIBRATION_ATTRIBUTE, None)
    if not isinstance(cal, dict) or "threshold" not in cal:
        return None
    kept = cal.get("probe")
    if kept is not None and "sr" in cal:
        now = probe(model, int(cal["sr"]))
        if now.shape != np.shape(kept) or np.max(np.abs(now - np.asarray(kept))) > 1e-3:
            warnings.warn("The model's listener calibration was made before it was fitted "
                          "again; threshold='auto' falls back to the default for its kind. "
                          "Calibrate it again (skspeech.streaming.calibrate_threshold).",
                          UserWarning, stacklevel=3)
            return None
    return cal
