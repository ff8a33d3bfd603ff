"""Feature speed: skspeech MFCC vs python_speech_features clip by clip vs librosa.

1,000 one-second clips (chirps plus noise) at 8 and 16 kHz, psf's default
parameters (25 ms / 10 ms frames, n_fft=512, 26 filters, 13 coefficients).
All libraries are timed in the same run, round after round (interleaved), so
that the load of a shared machine hits them alike; the table shows the best
round (and the median) of clips per second, CPU and wall time, and the ratio
to psf. One BLAS thread (``OPENBLAS_NUM_THREADS=1``, set before numpy loads):
with BLAS threads on busy cores the small per-clip products of psf run 3-4x
slower, which would flatter skspeech.

* psf: ``python_speech_features.mfcc(x, sr)`` called clip by clip (its API).
* skspeech: ``MFCC(sr).transform(X)`` on the 2-D batch, float32, with
  ``n_jobs=1`` and ``n_jobs=2`` (threads); its output is checked against psf.
* FFT alone: ``scipy.fft.rfft`` of the same frames (already cut and
  zero-padded to 512, float32, 1,024 frames per call as skspeech does):
  the floor for any extractor built on that FFT, shown as a ratio to psf.
* with deltas: ``psf.mfcc`` then ``psf.delta(mfcc, 2)`` clip by clip against
  ``MFCC -> Deltas(order=1)`` on the batch (the SVM recipe's front end);
  these two rows are compared with each other.
* librosa: ``librosa.feature.mfcc`` on the 2-D batch (its fastest use) with
  the same frame and filter sizes; its numbers differ from psf's (Slaney mel
  filters, power-to-dB), so only its speed is compared.

Run: ``python benchmarks/bench_features.py [--clips 1000] [--rounds 5] [--out FILE]``.
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import python_speech_features as psf  # noqa: E402
import scipy.fft  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skspeech.features import MFCC, Deltas  # noqa: E402


def make_clips(n, sr, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(sr) / sr
    f0 = rng.uniform(100, 1000, (n, 1))
    chirp = 0.3 * np.sin(2 * np.pi * (f0 * t + 0.5 * f0 * t**2))
    return (chirp + 0.05 * rng.standard_normal((n, sr))).astype(np.float32)


def _timed(fn):
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c0, time.perf_counter() - w0, out


def framed(X, sr, n_fft=512):
    """psf's frames of every clip (25 ms every 10 ms), zero-padded to ``n_fft``."""
    win, hop = round(0.025 * sr), round(0.01 * sr)
    n_frames = 1 + -(-(X.shape[1] - win) // hop)
    frames = np.zeros((len(X) * n_frames, n_fft), dtype=X.dtype)
    X = np.pad(X, ((0, 0), (0, (n_frames - 1) * hop + win - X.shape[1])))  # as psf
    view = np.lib.stride_tricks.sliding_window_view(X, win, axis=1)[:, ::hop][:, :n_frames]
    frames[:, :win] = view.reshape(-1, win)
    return frames


def fft_only(frames, block=1024):
    for lo in range(0, len(frames), block):
        scipy.fft.rfft(frames[lo:lo + block], axis=1)


PSF = "python_speech_features, clip by clip"
PSF_DELTAS = "psf mfcc + delta, clip by clip"


def run(sr, n_clips, rounds, librosa=None):
    X = make_clips(n_clips, sr)
    frames = framed(X, sr)
    with_deltas = make_pipeline(MFCC(sr), Deltas(order=1))
    # name -> (function, the psf row it is compared with)
    methods = {
        PSF: (lambda: [psf.mfcc(x, sr) for x in X], PSF),
        "skspeech MFCC, n_jobs=1": (lambda: MFCC(sr).transform(X), PSF),
        "skspeech MFCC, n_jobs=2": (lambda: MFCC(sr, n_jobs=2).transform(X), PSF),
        "FFT alone (scipy rfft of the frames)": (lambda: fft_only(frames), PSF),
        PSF_DELTAS: (lambda: [_psf_with_deltas(x, sr) for x in X], PSF_DELTAS),
        "skspeech MFCC + Deltas, n_jobs=1": (lambda: with_deltas.fit_transform(X), PSF_DELTAS),
    }
    if librosa is not None:
        methods["librosa.feature.mfcc, batch"] = (lambda: librosa.feature.mfcc(
            y=X, sr=sr, n_mfcc=13, n_fft=512, win_length=int(0.025 * sr),
            hop_length=int(0.01 * sr), n_mels=26, center=False), PSF)
    cpu = {k: [] for k in methods}
    wall = {k: [] for k in methods}
    outputs = {}
    for _ in range(rounds):
        for name, (fn, _) in methods.items():
            c, w, outputs[name] = _timed(fn)
            cpu[name].append(c)
            wall[name].append(w)
    diff = max(max(float(np.abs(o - r).max()) for o, r in zip(outputs[ours], outputs[ref]))
               for ours, ref in [("skspeech MFCC, n_jobs=1", PSF),
                                 ("skspeech MFCC + Deltas, n_jobs=1", PSF_DELTAS)])
    rows = []
    for name, (_, ref) in methods.items():
        rows.append((name, n_clips / min(wall[name]), 1e3 * min(cpu[name]) / n_clips,
                     1e3 * min(wall[name]) / n_clips, min(wall[ref]) / min(wall[name]),
                     np.median(wall[ref]) / np.median(wall[name]),
                     min(cpu[ref]) / min(cpu[name])))
    return rows, diff


def _psf_with_deltas(x, sr):
    """psf's MFCC and their deltas side by side, as ``MFCC -> Deltas(order=1)``."""
    mfcc = psf.mfcc(x, sr)
    return np.hstack([mfcc, psf.delta(mfcc, 2)])


def format_table(sr, n_clips, rows, diff, load):
    lines = [f"{n_clips} one-second clips at {sr} Hz; load average {load:.1f} on "
             f"{os.cpu_count()} cores; max |skspeech - psf| = {diff:.1e}",
             "",
             f"{'method':38} {'clips/s':>9} {'CPU ms/clip':>12} {'wall ms/clip':>13} "
             f"{'x psf (wall best)':>18} {'x psf (wall median)':>20} {'x psf (CPU)':>12}"]
    for name, rate, cpu_ms, wall_ms, ratio, ratio_med, ratio_cpu in rows:
        lines.append(f"{name:38} {rate:9,.0f} {cpu_ms:12.3f} {wall_ms:13.3f} {ratio:18.1f} "
                     f"{ratio_med:20.1f} {ratio_cpu:12.1f}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rates", default="8000,16000")
    parser.add_argument("--out", help="also write the tables to this file")
    args = parser.parse_args(argv)
    try:
        import librosa
    except ImportError:
        librosa = None
        print("librosa not installed: its row is left out (pip install librosa)")
    tables = []
    for sr in map(int, args.rates.split(",")):
        if librosa is not None:  # first call compiles numba code: not part of the timing
            librosa.feature.mfcc(y=make_clips(2, sr), sr=sr, n_fft=512, n_mels=26)
        rows, diff = run(sr, args.clips, args.rounds, librosa)
        table = format_table(sr, args.clips, rows, diff, os.getloadavg()[0])
        print(table + "\n", flush=True)
        tables.append(table)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write("\n\n".join(tables) + "\n")


if __name__ == "__main__":
    main()
