"""
Waveform, MFCC and log-mel: what the classifiers see
====================================================

One synthetic spoken word, three pictures: the samples, the log-mel
spectrogram (energy in 26 mel bands every 10 ms) and the MFCCs (a DCT of the
log-mel energies, first 13 coefficients). Needs the ``synth`` and ``plot``
extras.
"""

# %%
# A spoken word at 16 kHz
# -----------------------
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skspeech.datasets import make_spoken_commands  # noqa: E402
from skspeech.features import MFCC, LogMelSpectrogram  # noqa: E402
from skspeech.plotting import plot_features, plot_waveform  # noqa: E402

data = make_spoken_commands(words=["yes", "stop"], n_voices=2, random_state=0)
clip, word = data.data[0], str(data.target[0])
print(f"word {word!r}: {clip.shape[0]} samples at {data.sr} Hz")

# %%
# Features
# --------
# Both front ends take a batch ``(n_clips, n_samples)`` and return time-major
# frames ``(n_clips, n_frames, n_coeffs)``: 25 ms windows every 10 ms.
logmel = LogMelSpectrogram(sr=data.sr).fit_transform(clip[None])[0]
mfcc = MFCC(sr=data.sr).fit_transform(clip[None])[0]
print(f"log-mel frames {logmel.shape}, MFCC frames {mfcc.shape}")

# %%
# Pictures
# --------
# Log-mel keeps the spectral envelope band by band (neighbouring bands are
# strongly correlated); MFCC compresses it into a few decorrelated numbers,
# which suits diagonal-covariance HMMs and pooled statistics for the SVM.
fig, axes = plt.subplots(3, 1, figsize=(7, 8))
plot_waveform(clip, data.sr, ax=axes[0], title=f"waveform: {word!r}")
plot_features(logmel, ax=axes[1], title="log-mel spectrogram (26 bands)", label="log-mel")
axes[1].set_ylabel("mel band")
plot_features(mfcc, ax=axes[2], title="MFCC (13 coefficients)")
fig.tight_layout()
if os.environ.get("SKSPEECH_EXAMPLE_OUTPUT"):
    fig.savefig(os.environ["SKSPEECH_EXAMPLE_OUTPUT"])
