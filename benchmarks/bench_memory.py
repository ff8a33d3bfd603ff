"""Bounded memory: 100,000 one-second 16 kHz clips -> features -> fitted linear model.

The benchmark writes the clips as 16-bit WAV files into a temporary folder
(about 3.2 GB; 10 synthetic "words": chirps with their own pitch track, random
onset, pitch, loudness, length of voicing and noise), then, in a fresh Python
process so that its peak memory counts only this part:

1. lists the files and takes the labels from their names (90 % train, 10 % test);
2. ``FeatureExtractor(make_pipeline(MFCC, Deltas, FrameStats), chunk_size)``
   reads ``chunk_size`` files at a time per job and keeps only the pooled
   features (``n_clips x 104`` float32);
3. fits ``StandardScaler + SGDClassifier`` (a linear SVM trained by SGD) on them
   and scores the test files.

It prints the peak resident memory (``getrusage`` of the process, and the
peak of the whole process tree, joblib workers included, sampled every 50 ms
with psutil), the time of each step, and what holding the waveforms would
take (6.4 GB as float32). The folder is deleted at the end unless ``--keep``.

Run: ``python benchmarks/bench_memory.py [--clips 100000] [--chunk-size 1000] [--n-jobs 2]
[--folder DIR] [--keep] [--out FILE]``.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import wave  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

WORDS = [f"word{i}" for i in range(10)]


def synth_batch(rng, words, sr):
    """One second per clip: 'word' k is a chirp with its own pitch track, inside noise.

    Random onset, voiced length, pitch (+-10 %), loudness and noise level.
    """
    n = len(words)
    k = np.asarray(words, dtype=np.float64)[:, np.newaxis]
    t = np.arange(sr) / sr
    on = rng.uniform(0.05, 0.3, (n, 1))
    dur = rng.uniform(0.4, 0.65, (n, 1))
    f0 = (200 + 60 * k) * rng.uniform(0.9, 1.1, (n, 1))
    slope = np.where(k % 2 == 0, 1, -1) * (50 + 20 * k)
    phase = (2 * np.pi * (f0 * t + 0.5 * slope * t**2)).astype(np.float32)
    voiced = np.sin(phase) + 0.5 * np.sin(2 * phase) + 0.25 * np.sin(3 * phase)
    env = np.clip(np.minimum(t - on, on + dur - t) / 0.03, 0, 1)
    x = rng.uniform(0.1, 0.5, (n, 1)) * env * voiced
    x += rng.uniform(0.003, 0.02, (n, 1)) * rng.standard_normal((n, sr), dtype=np.float32)
    return x


def write_wav16(path, x, sr):
    """16-bit mono PCM WAV with the standard library: libsndfile's writer (soundfile,
    skspeech.io.write_audio) takes ~4 ms per small file on this machine, ``wave`` 0.2 ms."""
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(sr)
        fh.writeframes(pcm.tobytes())


def generate(folder, n_clips, sr, seed=0, batch=250):
    folder.mkdir(parents=True, exist_ok=True)
    need = n_clips * (2 * sr + 44)
    free = shutil.disk_usage(folder).free
    if free < 1.1 * need:
        sys.exit(f"Not enough disk space in {folder}: {need / 1e9:.1f} GB needed, "
                 f"{free / 1e9:.1f} GB free; pass --folder elsewhere or fewer --clips.")
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for lo in range(0, n_clips, batch):
        idx = np.arange(lo, min(lo + batch, n_clips))
        words = idx % len(WORDS)
        for i, k, x in zip(idx, words, synth_batch(rng, words, sr)):
            write_wav16(folder / f"{WORDS[k]}_{i:06d}.wav", x, sr)
        if (idx[-1] + 1) % 20000 == 0:
            print(f"  wrote {idx[-1] + 1:,} files ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr, flush=True)
    return time.perf_counter() - t0


class TreePeak:
    """Peak of the summed RSS of this process and its children, sampled in a thread."""

    def __init__(self, interval=0.05):
        import psutil

        self.proc, self.peak, self.interval = psutil.Process(), 0, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psutil

        while not self._stop.is_set():
            total = 0
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def measure(folder, chunk_size, n_jobs):
    """Files -> features -> fitted model; runs in a fresh process. Returns a dict."""
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skspeech.features import MFCC, Deltas, FeatureExtractor, FrameStats

    try:
        peak = TreePeak()
    except ImportError:
        peak = None
    t_start = time.perf_counter()
    with (peak if peak is not None else _Null()):
        paths = sorted(str(p) for p in Path(folder).glob("*.wav"))
        labels = np.array([Path(p).name.split("_")[0] for p in paths])
        # Every 10th take of each word is a test file.
        test = np.array([int(Path(p).stem.split("_")[1]) // len(WORDS) % 10 == 0
                         for p in paths])
        train_paths = [p for p, t in zip(paths, test) if not t]
        test_paths = [p for p, t in zip(paths, test) if t]
        from skspeech.io import read_audio

        sr = read_audio(paths[0])[1]
        front = make_pipeline(MFCC(sr), Deltas(), FrameStats(stats=("mean", "std", "min", "max")))
        ext = FeatureExtractor(front, chunk_size=chunk_size, n_jobs=n_jobs)
        t0 = time.perf_counter()
        F_train = ext.fit_transform(train_paths)
        feat_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        clf = make_pipeline(StandardScaler(), SGDClassifier(random_state=0))
        clf.fit(F_train, labels[~test])
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        acc = float(clf.score(ext.transform(test_paths), labels[test]))
        test_s = time.perf_counter() - t0
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return dict(n_files=len(paths), sr=sr, n_train=len(train_paths), n_test=len(test_paths),
                feature_shape=list(F_train.shape), feature_mb=F_train.nbytes / 1e6,
                features_s=feat_s, fit_s=fit_s, test_s=test_s,
                total_s=time.perf_counter() - t_start, accuracy=acc,
                self_peak_mb=self_peak / 1e6,
                tree_peak_mb=None if peak is None else peak.peak / 1e6,
                chunk_size=chunk_size, n_jobs=n_jobs)


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=100_000)
    parser.add_argument("--sr", type=int, default=16000)
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--folder", help="where to write the clips (default: a new temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child process: folder
    parser.add_argument("--generate", help=argparse.SUPPRESS)  # child process: folder
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.chunk_size, args.n_jobs)))
        return
    if args.generate:
        print(generate(Path(args.generate), args.clips, args.sr))
        return

    folder = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="skspeech_mem_"))
    existing = len(list(folder.glob("*.wav"))) if folder.exists() else 0
    try:
        if existing != args.clips:
            print(f"Writing {args.clips:,} one-second {args.sr} Hz clips to {folder} ...",
                  flush=True)
            # Both steps run in fresh processes: Linux keeps a process's peak RSS across
            # fork + exec, so generating here would count in the measurement's peak.
            gen = subprocess.run([sys.executable, __file__, "--generate", str(folder),
                                  "--clips", str(args.clips), "--sr", str(args.sr)],
                                 check=True, stdout=subprocess.PIPE, text=True)
            gen_s = float(gen.stdout.strip().splitlines()[-1])
        else:
            gen_s = 0.0
        size = sum(p.stat().st_size for p in folder.glob("*.wav"))
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(folder), "--chunk-size",
             str(args.chunk_size), "--n-jobs", str(args.n_jobs)],
            check=True, capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if not args.keep and not args.folder:
            shutil.rmtree(folder, ignore_errors=True)
    in_memory = r["n_files"] * r["sr"] * 4 / 1e9
    lines = [
        f"{r['n_files']:,} one-second {r['sr']} Hz clips, {size / 1e9:.2f} GB of 16-bit WAV "
        f"(written in {gen_s:.0f} s); {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}",
        f"FeatureExtractor(MFCC -> Deltas -> FrameStats(mean, std, min, max), "
        f"chunk_size={r['chunk_size']}, n_jobs={r['n_jobs']}) -> StandardScaler -> SGDClassifier",
        "",
        f"{'waveforms as float32 (never loaded)':44} {in_memory:10.2f} GB",
        f"{'feature matrix (train)':44} {r['feature_mb']:10.1f} MB  {tuple(r['feature_shape'])}",
        f"{'peak RSS, main process':44} {r['self_peak_mb']:10.0f} MB",
        (f"{'peak RSS, whole process tree (sampled)':44} {r['tree_peak_mb']:10.0f} MB"
         if r["tree_peak_mb"] is not None else "peak RSS of the tree: psutil not installed"),
        f"{'features of the train files':44} {r['features_s']:10.1f} s  "
        f"({r['n_train'] / r['features_s']:,.0f} files/s)",
        f"{'fit StandardScaler + SGDClassifier':44} {r['fit_s']:10.1f} s",
        f"{'features + score of the test files':44} {r['test_s']:10.1f} s",
        f"{'test accuracy (10 synthetic words)':44} {r['accuracy']:10.1%}",
    ]
    print("\n".join(lines))
    if args.out:
        with open(args.out, "w") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
