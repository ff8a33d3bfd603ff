"""Edge install against Keras install: installed size, cold start and per-clip latency.

Builds two fresh virtual environments in a temporary folder, ``pip install
.[edge]`` (LiteRT, no TensorFlow) and ``pip install .[keras]`` (TensorFlow,
Keras, scikeras), from this working tree. Then, with a keyword-spotting model
fitted here on FSDD (``kws_pipeline(sr=8000)``'s default network, fitted
without augmentation for 12 epochs on 1,500 training clips) and saved twice,
as a model file (``skspeech train``'s joblib) and as an export folder
(``export_tflite``: float and int8):

- **installed size**: the bytes of each environment's ``site-packages``
  (and its largest packages);
- **cold start**: the wall time from starting ``skspeech predict MODEL
  clip.wav`` to the line with the word on its standard output (median of
  ``--runs`` runs, after one run that fills the file cache), and the peak
  RSS of that process;
- **per-clip latency**: median of ``model.predict([x])`` over 100 single
  FSDD test clips in a warm process, end to end and for the front end alone.

Run: ``python benchmarks/bench_edge.py [path/to/fsdd] [--runs 5] [--workdir DIR]``
(default FSDD path ``../shared/data/fsdd``). ``--workdir`` keeps the
environments there and reuses them in the next run (no second download).
The pip downloads (TensorFlow is about 600 MB) take a few minutes.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
N_TRAIN = 1500
N_CLIPS = 100
# Run inside each environment: the median time of model.predict([x]) over single clips.
_LATENCY = r'''
import json, sys, time, warnings
import numpy as np
from skspeech.export import load_model_or_export
data = np.load(sys.argv[1])
clips = [data[f"arr_{i}"] for i in range(len(data.files))]
out = {}
for spec in sys.argv[2:]:
    label, path, variant = spec.split("|")
    model = load_model_or_export(path, variant=variant or None)
    model.predict([clips[0]])  # warm-up (traces a Keras network)
    times, front = [], []
    for x in clips:
        t0 = time.perf_counter()
        model.predict([x])
        times.append(time.perf_counter() - t0)
        if hasattr(model, "features"):
            t0 = time.perf_counter()
            model.features([x])
            front.append(time.perf_counter() - t0)
    out[label] = {"ms": 1000 * float(np.median(times)),
                  "front_ms": 1000 * float(np.median(front)) if front else None,
                  "runtime": getattr(model, "runtime", "keras")}
print(json.dumps(out))
'''

# Run in the keras environment (the code being installed): fit, save, export.
_FIT = r'''
import json, sys
from pathlib import Path
import numpy as np
from skspeech import save_model
from skspeech.datasets import load_fsdd
from skspeech.export import export_tflite
from skspeech.pipelines import kws_pipeline
fsdd, out, n_train, n_clips = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
train = load_fsdd(fsdd, subset="train")
test = load_fsdd(fsdd, subset="test")
idx = np.random.default_rng(0).permutation(len(train.data))[:n_train]
X, y = [train.data[i] for i in idx], train.target[idx]
model = kws_pipeline(sr=train.sr, augment=False, epochs=12, patience=None,
                     validation_fraction=None, batch_size=32, random_state=0).fit(X, y)
acc = float(np.mean(model.predict(test.data) == test.target))
save_model(out / "kws.joblib", model, force=True)
files = export_tflite(model, out / "export", representative=X[:300], force=True)
np.savez(out / "clips.npz", *test.data[:n_clips])
print(json.dumps({"acc": acc, "sizes": files["sizes"], "folder": str(out / "export"),
                  "clip": str(test.filenames[0]), "truth": str(test.target[0])}))
'''
# Run by a fresh interpreter that imports only the standard library, so that the peak RSS
# of the timed process does not count the pages of a big parent it was forked from.
_COLD = r'''
import json, os, subprocess, sys, time
clip, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
word_s = word = None
for line in proc.stdout:
    if line.startswith(clip):
        word_s, word = time.perf_counter() - t0, line.split()[1]
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps({"word_s": word_s, "exit_s": time.perf_counter() - t0, "word": word,
                  "rss_mb": usage.ru_maxrss / 1024, "code": os.waitstatus_to_exitcode(status)}))
'''
# The versions of the main packages in an environment.
_VERSIONS = r'''
import importlib.metadata as m, json
out = {}
for d in ("ai-edge-litert", "tensorflow", "numpy", "scikit-learn"):
    try:
        out[d] = m.version(d)
    except m.PackageNotFoundError:
        pass
print(json.dumps(out))
'''


def _env():
    """The environment of every child: no PYTHONPATH (each venv imports its own skspeech;
    children also run in the work folder, not in this tree), one BLAS thread, quiet TF."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(OPENBLAS_NUM_THREADS="1", TF_CPP_MIN_LOG_LEVEL="2",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def source(work):
    """The committed tree (git HEAD) in ``work/src``: what a user would install."""
    src = work / "src"
    if not src.exists():
        src.mkdir()
        archive = subprocess.run(["git", "-C", str(REPO), "archive", "HEAD"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    return src


def make_venv(folder, extra, src):
    """A fresh venv with ``skspeech[extra]``; the seconds pip took (None: reused)."""
    python = folder / "bin" / "python"
    if (folder / "bin" / "skspeech").exists():
        return None
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(folder)], check=True)
    t0 = time.perf_counter()
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-cache-dir",
                    f"{src}[{extra}]"], check=True, env=_env())
    return time.perf_counter() - t0


def site_packages(folder):
    return next((folder / "lib").glob("python3*/site-packages"))


def installed_size(folder):
    """``(total bytes, [(package, bytes), ...] largest first)`` of a venv's site-packages."""
    sizes = {}
    for entry in site_packages(folder).iterdir():
        name = entry.name.split("-")[0].removesuffix(".py").lower()
        if entry.is_dir():
            total = sum(f.stat().st_size for f in entry.rglob("*") if f.is_file()
                        and not f.is_symlink())
        else:
            total = entry.stat().st_size
        sizes[name] = sizes.get(name, 0) + total
    return sum(sizes.values()), sorted(sizes.items(), key=lambda kv: -kv[1])


def cold_start(cmd, clip, cwd):
    """Seconds from the start of ``cmd`` to its output line that starts with ``clip``, and to
    its exit; its peak RSS in MB; the word on that line."""
    out = subprocess.run([sys.executable, "-S", "-c", _COLD, str(clip), *map(str, cmd)],
                         check=True, capture_output=True, text=True, cwd=cwd,
                         env={**_env(), "PYTHONUNBUFFERED": "1"})
    r = json.loads(out.stdout)
    if r["code"] != 0 or r["word_s"] is None:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed (exit code {r['code']}).")
    return r["word_s"], r["exit_s"], r["rss_mb"], r["word"]


def main(argv=None):
    default = REPO.parent / "shared" / "data" / "fsdd"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fsdd", nargs="?", default=str(default), help="FSDD folder")
    parser.add_argument("--runs", type=int, default=5, help="cold starts timed per case")
    parser.add_argument("--workdir", default=None,
                        help="keep the environments here (and reuse them); default: a "
                             "temporary folder, removed at the end")
    args = parser.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-edge-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        run(args, work)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


def run(args, work):
    envs = {"edge": work / "venv-edge", "keras": work / "venv-keras"}
    src = source(work)
    pip_s = {name: make_venv(folder, name, src) for name, folder in envs.items()}
    out = subprocess.run([str(envs["keras"] / "bin" / "python"), "-c", _FIT, args.fsdd,
                          str(work), str(N_TRAIN), str(N_CLIPS)], capture_output=True,
                         text=True, env=_env(), check=False, cwd=work)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    fitted = json.loads(out.stdout.splitlines()[-1])
    acc, sizes, clip, truth = fitted["acc"], fitted["sizes"], fitted["clip"], fitted["truth"]
    export = Path(fitted["folder"])
    files = {"float": export / "model_float.tflite", "int8": export / "model_int8.tflite"}
    versions = {}
    for name, folder in envs.items():
        out = subprocess.run([str(folder / "bin" / "python"), "-c", _VERSIONS],
                             capture_output=True, text=True, check=True, env=_env(), cwd=work)
        versions[name] = json.loads(out.stdout)
    load = os.getloadavg()[0]
    print(f"# python benchmarks/bench_edge.py, {time.strftime('%Y-%m-%d')}; "
          f"{os.cpu_count()} cores, load average {load:.1f} (a shared machine)")
    print(f"model: kws_pipeline(sr=8000) default network ({sizes['float'] / 1024:.1f} "
          f"KB float, {sizes['int8'] / 1024:.1f} KB int8 .tflite), fitted on "
          f"{N_TRAIN} FSDD clips, {acc:.1%} on the 300 test clips")
    for name, v in versions.items():
        print(f"venv {name}: " + ", ".join(f"{k} {x}" for k, x in v.items()))
    print()
    print("installed size (site-packages)")
    for name, folder in envs.items():
        total, parts = installed_size(folder)
        took = "" if pip_s[name] is None else f", pip install {pip_s[name]:.0f} s"
        biggest = ", ".join(f"{p} {b / 2**20:.0f}" for p, b in parts[:5])
        print(f"  skspeech[{name}]: {total / 2**20:7.0f} MB{took}  (largest, MB: {biggest})")
    print()
    def predict(env, model, *extra):
        return [envs[env] / "bin" / "skspeech", "predict", model, clip, "--quiet", *extra]

    floor = [envs["edge"] / "bin" / "python", "-c",
             f"import scipy.signal, sklearn.base; print({str(clip)!r}, '-')"]
    cases = [("skspeech[edge] export folder, float", predict("edge", export)),
             ("skspeech[edge] export folder, int8", predict("edge", export, "--int8")),
             ("skspeech[keras] export folder, float (tf.lite)", predict("keras", export)),
             ("skspeech[keras] model file (Keras)", predict("keras", work / "kws.joblib")),
             ("floor: import scipy.signal, sklearn.base", floor)]
    print(f"cold start: skspeech predict MODEL clip.wav, from the start to the word (and to "
          f"the exit); median of {args.runs}, after one untimed run; clip {Path(clip).name}, "
          f"said {truth!r}")
    for what, cmd in cases:
        cold_start(cmd, clip, work)  # fills the file cache
        runs = [cold_start(cmd, clip, work) for _ in range(args.runs)]
        word_s, exit_s, rss = (float(np.median([r[k] for r in runs])) for k in range(3))
        print(f"  {what:<48} {word_s:6.2f} s ({exit_s:5.2f} s)  peak RSS {rss:5.0f} MB  "
              f"word {runs[0][3]!r}")
    print()
    print(f"per-clip latency: model.predict([x]) in a warm process, median of {N_CLIPS} FSDD "
          f"test clips (front end: the NumPy features alone)")
    specs = {"edge": [f"float|{files['float']}|float", f"int8|{files['int8']}|int8"],
             "keras": [f"float (tf.lite)|{files['float']}|float",
                       f"int8 (tf.lite)|{files['int8']}|int8",
                       f"Keras pipeline|{work / 'kws.joblib'}|"]}
    for env, spec in specs.items():
        out = subprocess.run([str(envs[env] / "bin" / "python"), "-c", _LATENCY,
                              str(work / "clips.npz"), *spec], capture_output=True, text=True,
                             env=_env(), check=False, cwd=work)
        if out.returncode:
            raise RuntimeError(out.stderr[-2000:])
        for label, r in json.loads(out.stdout.splitlines()[-1]).items():
            front = "" if r["front_ms"] is None else f"  (front end {r['front_ms']:.2f} ms)"
            print(f"  {f'skspeech[{env}] {label}':<38} {r['ms']:6.2f} ms  "
                  f"{r['runtime']:<10}{front}".rstrip())


if __name__ == "__main__":
    main()
