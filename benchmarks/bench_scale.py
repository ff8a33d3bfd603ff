"""Network training at scale: peak memory and clips/s of ``skspeech train --model kws``
on 1,000 to 100,000 clips, streamed from the files, against the network on features
precomputed in memory and against the recipe fitted in memory (the path before).

For each size N the benchmark makes a folder of N symbolic links to the real
Speech Commands development clips (no copies), in the archive's layout: copy k
of ``<word>/<speaker>_nohash_<n>.wav`` is ``<word>/<speaker>_nohash_<n>k<k>.wav``,
so the SHA-1 speaker rule puts every copy in its clip's subset; the noise
recordings are linked too (``_silence_`` and the augmentation's noise). Then,
each in a fresh process whose peak resident memory (the whole process tree,
sampled every 50 ms with psutil) counts only that run:

``streamed, 1 thread``
    ``skspeech train FOLDER --model kws --epochs 1`` with
    ``SKSPEECH_DATA_PROCESSES=0``: the 12-class task on the training subset,
    read lazily, 2 fresh augmented copies of each clip per epoch, features
    computed batch by batch by the recipe's own front end, the batches
    prepared in one background thread.
``streamed, no aug., 1 thread``
    The same with ``--no-augment``: the input pipeline's cost without the
    copies' perturbations.
``streamed, 2 processes`` and ``streamed, no aug., 2 proc.``
    The same two with ``SKSPEECH_DATA_PROCESSES=2`` (what ``skspeech train``
    does by default on Linux): batches prepared in two worker processes.
``streamed, --fixed-copies, epoch 2``
    ``--fixed-copies --epochs 2``: copies drawn once, as in memory, their
    features cached with the clips'; clips/s of the second epoch.
``streamed, no augmentation, epoch 2``
    ``--no-augment --epochs 2``, clips/s of the second epoch, which reads the
    features the first one cached in the checkpoint (float16 rows on disk).
``features in memory``
    The same clips loaded, the recipe's front end run once on all of them,
    and the same network trained for one epoch on those features: the speed
    the network itself allows (the clips/s of its epoch, features not
    counted), and the memory of holding the features.
``recipe in memory``
    ``kws_pipeline(...).fit`` on the loaded clips: copies made in advance,
    features of all of them, then the network (the path before streaming;
    N <= ``--memory-max`` only: it needs about 0.4 MB per clip).

Each streamed mode with ``-proc`` at the end of its name (``--modes``) runs
with two worker processes instead (``streamed-cached-proc``,
``streamed-fixed-proc``).

clips/s counts the clips the network trained on in its epoch (copies
included) after the first batch (which also traces the network), over the
time they took.

Run: ``python benchmarks/bench_scale.py [--sizes 1000 10000 100000] [--data DIR]
[--results docs/benchmarks/scale.json] [--out docs/benchmarks/scale.txt]
[--plot docs/benchmarks/scale.png]`` (about 40 minutes on the 2-core machine;
with ``--results`` the measurements are kept after each run, a run already in
the file is not repeated, and the table and plot are made from the file).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: Worker processes of the ``-proc`` modes (SKSPEECH_DATA_PROCESSES).
PROCESSES = 2
DEV = ROOT.parent / "shared" / "data" / "speech_commands_dev"


class TreePeak:
    """Peak resident memory of a process and its children, sampled in a thread.

    ``peak`` sums their resident set sizes (RSS); ``peak_pss`` their
    proportional set sizes (PSS: a page shared by k processes counts 1/k in
    each), which does not count twice what forked worker processes share
    with their parent.
    """

    def __init__(self, pid, interval=0.05):
        import psutil

        self.proc, self.peak, self.peak_pss, self.interval = psutil.Process(pid), 0, 0, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.proc] + self.proc.children(recursive=True)
                total = total_pss = 0
                for p in procs:
                    try:
                        info = p.memory_full_info()
                        total += info.rss
                        total_pss += getattr(info, "pss", info.rss)
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
                self.peak_pss = max(self.peak_pss, total_pss)
            except psutil.Error:
                return
            time.sleep(self.interval)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.peak


def make_folder(folder, n_clips, source=DEV):
    """``n_clips`` symbolic links to the clips of ``source``, copies renamed to keep the
    speaker rule; ``_background_noise_`` linked. Returns the folder."""
    folder = Path(folder)
    clips = sorted(p for p in source.glob("*/*.wav") if p.parent.name != "_background_noise_")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_background_noise_").symlink_to(source / "_background_noise_")
    for i in range(n_clips):
        src = clips[i % len(clips)]
        copy = i // len(clips)
        word = folder / src.parent.name
        word.mkdir(exist_ok=True)
        name = src.name if copy == 0 else src.name.replace(".wav", f"k{copy}.wav")
        (word / name).symlink_to(src)
    return folder


def run_child(cmd, timeout=None, env=None):
    """Run ``cmd`` (``env``: variables to add); return (peak memory: RSS and PSS in bytes,
    wall seconds, stdout, stderr)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, env=dict(os.environ, **(env or {})))
    peak = TreePeak(proc.pid)
    out, err = proc.communicate(timeout=timeout)
    rss = {"rss": peak.stop(), "pss": peak.peak_pss}
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{err[-3000:]}")
    return rss, time.perf_counter() - t0, out, err


def streamed(folder, workdir, augment=True, epochs=1, fixed=False, processes=0):
    model = Path(workdir) / "model.joblib"
    cmd = [sys.executable, "-m", "skspeech", "train", str(folder), "--model", "kws",
           "--epochs", str(epochs), "-o", str(model), "--force", "--quiet",
           "--augment" if augment else "--no-augment"] + (["--fixed-copies"] if fixed else [])
    env = {"SKSPEECH_DATA_PROCESSES": str(processes)}
    rss, wall, out, _ = run_child(cmd, env=env)
    report = _report_of(model)
    rate = report.get("clips_per_second") if epochs == 1 else \
        report.get("epoch_clips_per_second", [None])[-1]  # the last epoch: cached features
    return dict(**rss, wall=wall, clips_per_s=rate,
                n_trained=report.get("clips_per_epoch"), fit_s=report.get("fit_seconds"),
                n_clips=report.get("n_clips"), accuracy=report.get("train_accuracy"))


def _report_of(model_path):
    """The training report ``skspeech train`` saved with the model."""
    import warnings

    from skspeech._persistence import load_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, metadata = load_model(model_path, return_metadata=True)
    return metadata.get("training", {})


_IN_MEMORY = r"""
import json, sys, time, os, numpy as np
folder, mode = sys.argv[1], sys.argv[2]
from skspeech.cli._train import load_data
from skspeech.pipelines import kws_pipeline
import inspect
extra = ({"for_training": True} if "for_training" in inspect.signature(load_data).parameters
         else {})  # the clips skspeech train takes
data = load_data(folder, subset="train", sr=None, verbose=False, **extra)
X, y, sr = data.X, data.y, data.sr
if mode == "recipe":
    noise = [str(p) for p in data.background] or None
    model = kws_pipeline(sr=sr, epochs=1, random_state=0, noise=noise)
    t0 = time.perf_counter()
    model.fit(X, y)
    net = model.estimator_[-1]
    out = dict(fit_s=time.perf_counter() - t0, n_trained=None, clips_per_s=None)
else:
    model = kws_pipeline(sr=sr, epochs=1, random_state=0, augment=True, n_copies=0)
    front, net = model[:-1], model[-1]
    F = np.concatenate([front.fit(X[:1], y[:1]).transform(X[i:i + 512])
                        for i in range(0, len(y), 512)]) if isinstance(X, np.ndarray) else \
        np.concatenate([front.fit(X[:1], y[:1]).transform(X[i:i + 512])
                        for i in range(0, len(y), 512)])
    del X
    from skspeech.models._checkpoint import ClipProgress
    bar = ClipProgress(net.batch_size, show=False)
    net.set_params(callbacks=[bar])
    t0 = time.perf_counter()
    net.fit(F, y)
    fitted = [c for c in net.callbacks if isinstance(c, ClipProgress)][0]
    # Keras tells the bar its batches, not its clips: count the last batch as it is
    n_val = max(int(np.ceil(net.validation_fraction * len(y))), len(np.unique(y)))
    n_train, counted = len(y) - n_val, fitted.clips[0]
    rate = fitted.rates[0] * (n_train - net.batch_size) / (counted - net.batch_size)
    out = dict(fit_s=time.perf_counter() - t0, n_trained=n_train, clips_per_s=rate)
out["n_clips"] = len(y)
print("RESULT " + json.dumps(out))
"""


def in_memory(folder, mode):
    rss, wall, out, _ = run_child([sys.executable, "-c", _IN_MEMORY, str(folder), mode])
    result = json.loads(next(line for line in out.splitlines()
                             if line.startswith("RESULT "))[7:])
    return dict(**rss, wall=wall, **result)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    p.add_argument("--data", type=Path, default=DEV, help="Speech Commands clips to link to")
    p.add_argument("--memory-max", type=int, default=10000,
                   help="largest N for the in-memory runs (default: 10000)")
    p.add_argument("--out", type=Path, default=None, help="write the table here too")
    p.add_argument("--plot", type=Path, default=None, help="plot memory against clips here")
    p.add_argument("--results", type=Path, default=None,
                   help="JSON file of the measurements (read to re-plot, written after each)")
    p.add_argument("--repeat", type=int, default=1,
                   help="runs of each mode and size, interleaved (the table gives the median "
                        "clips/s and the range: the shared machine's load varies)")
    p.add_argument("--modes", nargs="+", default=["streamed", "streamed-noaug",
                                                  "streamed-cached", "streamed-fixed",
                                                  "features", "recipe"])
    args = p.parse_args(argv)
    if not args.data.is_dir():
        sys.exit(f"No Speech Commands clips at {args.data}; pass --data.")
    results = []
    if args.results and args.results.is_file():
        results = json.loads(args.results.read_text())
    done = {(r["size"], r["mode"], r.get("rep", 0)) for r in results}
    for size in args.sizes:
        todo = [(m, k) for k in range(args.repeat) for m in args.modes if (size, m, k) not in done
                and not (m in ("features", "recipe") and size > args.memory_max)]
        if not todo:
            continue
        with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
            t0 = time.perf_counter()
            folder = make_folder(Path(tmp) / "data", size, args.data)
            print(f"{size} links in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            for mode, k in todo:
                print(f"  {mode} ...", file=sys.stderr, flush=True)
                if mode.startswith("streamed"):
                    base = mode.removesuffix("-proc")
                    r = streamed(folder, tmp, augment=base in ("streamed", "streamed-fixed"),
                                 epochs=1 if base in ("streamed", "streamed-noaug") else 2,
                                 fixed=base == "streamed-fixed",
                                 processes=PROCESSES if mode.endswith("-proc") else 0)
                else:
                    r = in_memory(folder, mode)
                r.update(size=size, mode=mode, rep=k, load=os.getloadavg()[0])
                results.append(r)
                print(f"    {_row([r])}", file=sys.stderr, flush=True)
                if args.results:
                    args.results.write_text(json.dumps(results, indent=1))
    text = table(results)
    print(text)
    if args.out:
        args.out.write_text(text)
    if args.plot:
        plot(results, args.plot)


_NAMES = {"streamed": "streamed, 1 thread", "streamed-proc": "streamed, 2 processes",
          "streamed-noaug": "streamed, no aug., 1 thread",
          "streamed-noaug-proc": "streamed, no aug., 2 proc.",
          "streamed-cached": "streamed, no aug., epoch 2",
          "streamed-fixed": "streamed, fixed copies, ep.2",
          "streamed-cached-proc": "no aug., epoch 2, 2 proc.",
          "streamed-fixed-proc": "fixed copies, ep.2, 2 proc.",
          "features": "features in memory", "recipe": "recipe in memory (before)"}


def _rates(runs):
    return sorted(x["clips_per_s"] for x in runs if x.get("clips_per_s") is not None)


def _row(runs, reference=None):
    """One line of the table from the runs of one mode and size (``reference``: the median
    clips/s of the network on features in memory at that size)."""
    r = runs[0]
    rates = _rates(runs)
    if not rates:
        cps = "-"
    elif len(rates) == 1:
        cps = f"{rates[0]:.0f}"
    else:
        cps = f"{np.median(rates):.0f} ({rates[0]:.0f}-{rates[-1]:.0f})"
    ratio = f"{np.median(rates) / reference:.0%}" if rates and reference else "-"
    rss = max(x["rss"] for x in runs) / 2 ** 30
    pss = [x["pss"] for x in runs if x.get("pss")]
    pss = f"{max(pss) / 2 ** 30:.2f}" if pss else "-"
    fit = np.median([x["fit_s"] for x in runs])
    load = np.median([x["load"] for x in runs])
    return (f"{r['size']:>7,} {_NAMES[r['mode']]:<28} {r['n_clips']:>7,} {rss:>7.2f} {pss:>6} "
            f"{cps:>17} {ratio:>5} {fit:>6.0f} {load:>5.1f} {len(runs):>4}")


def table(results):
    import textwrap

    head = (f"{'links':>7} {'run':<28} {'clips':>7} {'GB peak':>7} {'PSS':>6} "
            f"{'clips/s (range)':>17} {'/mem.':>5} {'fit s':>6} {'load':>5} {'runs':>4}")
    groups = {}
    for r in results:
        groups.setdefault((r["size"], r["mode"]), []).append(r)
    keys = sorted(groups, key=lambda k: (k[0], list(_NAMES).index(k[1])))
    reference = {size: np.median(_rates(runs)) for (size, mode), runs in groups.items()
                 if mode == "features" and _rates(runs)}
    lines = [head, "-" * len(head)] + [_row(groups[k], reference.get(k[0])) for k in keys]
    notes = [""] + textwrap.wrap(
        "links: clips in the folder; clips: the training subset's clips (12-class task, "
        "_silence_ included, the rare _unknown_ words repeated); GB peak: peak resident memory "
        "of the run's process tree (GiB, the largest of the runs; PSS: the same counting a "
        "page shared by k processes 1/k in each, where worker processes share their "
        "parent's pages); clips/s: clips the network "
        "trained on per second of its epoch after the first batch (augmented copies "
        "included), the median of the runs and their range; /mem.: that median over the "
        "median of the network on features in memory at the same size; fit s: the whole "
        "fit (median); "
        "load: load average of the 2-core machine (shared with other jobs) when the runs "
        "ended.", 88)
    return "\n".join(lines + notes) + "\n"


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    for mode, style in (("streamed", "o-"), ("streamed-proc", "o--"), ("streamed-noaug", "s--"),
                        ("streamed-cached", "d:"), ("streamed-fixed", "v-."),
                        ("features", "^:"), ("recipe", "x-")):
        peak = {}
        for r in results:
            if r["mode"] == mode:
                peak[r["size"]] = max(peak.get(r["size"], 0), r["rss"] / 2 ** 30)
        rows = sorted(peak.items())
        if rows:
            ax.plot(*zip(*rows), style, label=_NAMES[mode])
    ax.axhline(2.5, color="grey", lw=0.8, ls="--")
    ax.text(1e3, 2.55, "2.5 GB", color="grey", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("clips in the folder")
    ax.set_ylabel("peak memory (GiB)")
    ax.set_title("skspeech train --model kws: peak memory")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
