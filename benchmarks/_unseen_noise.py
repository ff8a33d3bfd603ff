"""Noise of kinds no training clip hears, for testing only: babble and hum.

``skspeech train`` mixes the data set's own background recordings (the train stretch) and
generated white, pink and brown noise into its copies. The benchmarks test over two other
kinds, made here from held-out material:

- ``babble``: six voices at once, each a held-out speaker's clip played backwards (speech-like
  sound, no real word in it), at random offsets;
- ``hum``: mains hum (50 Hz and its harmonics, a slow drift in level) over the broadband
  rush of a fan (noise through a few resonances, slowly modulated).
"""

import numpy as np
from scipy.signal import lfilter


def babble(clips, sr, seconds, *, voices=6, rng):
    """``seconds`` of ``voices`` reversed clips at once, each voice a chain of clips."""
    n = int(seconds * sr)
    out = np.zeros(n)
    for _ in range(voices):
        pos = -int(rng.integers(0, sr))
        while pos < n:
            x = np.asarray(clips[int(rng.integers(len(clips)))], float)[::-1]
            x = x / (np.sqrt(np.mean(x ** 2)) + 1e-9) * 10 ** (rng.uniform(-6, 0) / 20)
            a, b = max(pos, 0), min(n, pos + len(x))
            if b > a:
                out[a:b] += x[a - pos:b - pos]
            pos += len(x) + int(rng.integers(0, sr // 4))
    return (out / (np.sqrt(np.mean(out ** 2)) + 1e-12)).astype(np.float32)


def _resonance(x, freq, sr, r=0.98):
    w = 2 * np.pi * freq / sr
    return lfilter([1 - r], [1, -2 * r * np.cos(w), r * r], x)


def hum(sr, seconds, *, rng, mains=50.0):
    """``seconds`` of mains hum over a fan's rush, unit RMS."""
    n = int(seconds * sr)
    t = np.arange(n) / sr
    tone = sum(rng.uniform(0.3, 1.0) / k * np.sin(2 * np.pi * mains * k * t + rng.uniform(0, 6.3))
               for k in range(1, 8))
    tone *= 1 + 0.2 * np.sin(2 * np.pi * rng.uniform(0.05, 0.2) * t)
    rush = rng.standard_normal(n)
    fan = sum(_resonance(rush, f, sr) for f in rng.uniform(150, 1500, size=4))
    fan *= 1 + 0.3 * np.sin(2 * np.pi * rng.uniform(0.2, 1.0) * t)
    fan /= np.sqrt(np.mean(fan ** 2)) + 1e-12
    tone /= np.sqrt(np.mean(tone ** 2)) + 1e-12
    out = 0.6 * tone + fan
    return (out / np.sqrt(np.mean(out ** 2))).astype(np.float32)


def unseen_noise(clips, sr, *, seconds=120.0, seed=0):
    """``{"babble": ..., "hum": ...}``: ``seconds`` of each, unit RMS, at ``sr``."""
    rng = np.random.default_rng(seed)
    return {"babble": babble(clips, sr, seconds, rng=rng), "hum": hum(sr, seconds, rng=rng)}


def mix_at_snr(clips, noise, snr_db, rng):
    """Each clip plus an excerpt of ``noise`` at ``snr_db`` (RMS of the clip against the noise)."""
    out = []
    for x in clips:
        x = np.asarray(x, np.float32)
        start = int(rng.integers(0, len(noise) - len(x)))
        nz = noise[start:start + len(x)]
        p_sig = float(np.mean(x.astype(np.float64) ** 2)) + 1e-20
        p_nz = float(np.mean(nz.astype(np.float64) ** 2)) + 1e-20
        y = x + nz * np.float32(np.sqrt(p_sig / p_nz / 10 ** (snr_db / 10)))
        out.append(np.clip(y, -1, 1).astype(np.float32))
    return out
