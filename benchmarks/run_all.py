"""Run every benchmark and write their tables into docs/benchmarks/.

One command: ``python benchmarks/run_all.py [path/to/fsdd] [--quick]``.

* ``bench_features.py``: MFCC speed vs python_speech_features and librosa
  -> ``docs/benchmarks/features.txt``;
* ``bench_end_to_end.py``: SVM, HMM and Conv1D recipes on FSDD (own split and
  two held-out speakers) -> ``docs/benchmarks/end_to_end.txt``;
* ``bench_memory.py``: 100,000 generated clips -> features -> linear model in
  bounded memory (writes ~3.2 GB to a temporary folder, then deletes it)
  -> ``docs/benchmarks/memory.txt``.

The per-recipe benchmarks ``bench_svm.py``, ``bench_hmm.py`` and
``bench_conv1d.py`` go deeper into one recipe each; run them on their own.
Each benchmark runs in its own process with one BLAS thread. ``--quick``
runs small versions (300 clips for features, the SVM only end to end, 5,000
clips for memory) in a few minutes, writing to ``docs/benchmarks/quick/``.
The docs include the tables from ``docs/benchmarks/`` (``docs/performance.rst``).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "benchmarks"


def main(argv=None):
    default = HERE.parents[1] / "shared" / "data" / "fsdd"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fsdd", nargs="?", default=str(default), help="FSDD folder")
    parser.add_argument("--quick", action="store_true", help="small, fast versions")
    parser.add_argument("--only", default="features,end_to_end,memory",
                        help="comma-separated subset of: features, end_to_end, memory")
    args = parser.parse_args(argv)
    out = DOCS / "quick" if args.quick else DOCS
    out.mkdir(parents=True, exist_ok=True)
    runs = {
        "features": ["bench_features.py"] + (["--clips", "300", "--rounds", "3"]
                                             if args.quick else []),
        "end_to_end": ["bench_end_to_end.py", args.fsdd] + (["--pipelines", "svm"]
                                                            if args.quick else []),
        "memory": ["bench_memory.py"] + (["--clips", "5000"] if args.quick else []),
    }
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    failed = []
    for name in args.only.split(","):
        cmd = [sys.executable, str(HERE / runs[name][0]), *runs[name][1:],
               "--out", str(out / f"{name}.txt")]
        print(f"\n=== {name}: {' '.join(cmd[1:])}", flush=True)
        t0 = time.perf_counter()
        if subprocess.run(cmd, env=env).returncode != 0:
            failed.append(name)
        print(f"=== {name}: {time.perf_counter() - t0:.0f} s", flush=True)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
