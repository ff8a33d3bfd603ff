"""Shared fixtures: seeded generators and generated audio; FSDD when present."""

import os
from pathlib import Path

import numpy as np
import pytest

# Small per-clip matrix products are 3-4x slower with BLAS threads on two
# busy cores; tests run single-threaded BLAS.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

FSDD_PATH = Path(os.environ.get("SKSPEECH_FSDD", Path(__file__).resolve().parents[1].parent
                                / "shared" / "data" / "fsdd"))


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def make_tone(freq, duration, sr, *, amplitude=0.5, phase=0.0):
    """A sine tone as float32."""
    t = np.arange(int(round(duration * sr))) / sr
    return (amplitude * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def make_chirp(f0, f1, duration, sr, *, amplitude=0.5):
    """A linear chirp from f0 to f1 Hz as float32."""
    t = np.arange(int(round(duration * sr))) / sr
    k = (f1 - f0) / max(duration, 1e-9)
    return (amplitude * np.sin(2 * np.pi * (f0 * t + 0.5 * k * t**2))).astype(np.float32)


def make_tone_commands(n_per_class=10, sr=8000, classes=("low", "mid", "high"),
                       random_state=0, ragged=True):
    """Labelled clips: each class a tone band plus noise, with varying length.

    Returns ``(X, y)``: X a list of 1-D float32 arrays (or a 2-D array when
    ``ragged=False``, all 0.5 s), y an array of strings.
    """
    rng = np.random.default_rng(random_state)
    base = {name: 300 * (i + 1) for i, name in enumerate(classes)}
    X, y = [], []
    for name in classes:
        for _ in range(n_per_class):
            dur = rng.uniform(0.3, 0.7) if ragged else 0.5
            f = base[name] * rng.uniform(0.9, 1.1)
            x = make_chirp(f, 1.5 * f, dur, sr) + 0.05 * rng.standard_normal(
                int(round(dur * sr))).astype(np.float32)
            X.append(x.astype(np.float32))
            y.append(name)
    y = np.array(y)
    return (X if ragged else np.stack(X)), y


def flat_weights(model):
    """All of a Keras model's weights as one flat array."""
    return np.concatenate([w.ravel() for w in model.get_weights()])


def weight_recorder():
    """A Keras callback keeping ``flat_weights`` of the model after every epoch (``.weights``)."""
    import keras

    class RecordWeights(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.weights = []

        def on_epoch_end(self, epoch, logs=None):
            self.weights.append(flat_weights(self.model))

    return RecordWeights()


@pytest.fixture
def tone_commands():
    return make_tone_commands()


@pytest.fixture(scope="session")
def fsdd_path():
    if not (FSDD_PATH / "recordings").is_dir():
        pytest.skip(f"FSDD not found at {FSDD_PATH} (set SKSPEECH_FSDD to its folder)")
    return FSDD_PATH
