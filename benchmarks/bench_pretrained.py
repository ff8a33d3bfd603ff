"""The shipped pretrained model: its files, load time, speed, and scores on voices it never heard.

``skspeech.pretrained.load("speech-commands-12")`` is trained on the whole development copy of
Speech Commands, so no clip of that copy can score it. Its *twin* (same recipe, same seed, trained
by ``benchmarks/build_pretrained.py`` on the ``train`` subset only, exported the same way) is
scored instead, on the ``test`` subset's speakers, which neither heard: 12-class accuracy, false
accepts and false rejects, clean and at 10 dB SNR over two noise kinds that no training clip
hears (``_unseen_noise.py``). The streaming curve of the twin's int8 file is
``bench_streaming.py --model TWIN/model_int8.tflite``
(``docs/benchmarks/pretrained_streaming.txt``).

The shipped model itself: its files and their sizes, the time to load it in a new Python
process where TensorFlow cannot be imported (what the ``edge`` extra gives: LiteRT and NumPy),
the time per 1-second clip (front end, network, and the embedding of
:class:`skspeech.pipelines.NetworkEmbedding`) as a share of the clip's duration, and how often it
agrees with its twin on the test clips.

Run: ``python benchmarks/bench_pretrained.py [path] --twin WORK/twin_export
[--out docs/benchmarks/pretrained.txt]`` (default path ``../shared/data/speech_commands_dev``;
``build_pretrained.py`` writes ``WORK/twin_export``).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _unseen_noise import unseen_noise  # noqa: E402
from bench_streaming import SR, clip_scores, held_out  # noqa: E402

from skspeech import pretrained  # noqa: E402
from skspeech.datasets import load_speech_commands  # noqa: E402
from skspeech.exceptions import SilentAudioWarning  # noqa: E402

_COLD = r'''
import sys, time
sys.modules["tensorflow"] = None  # an import of TensorFlow fails here
t0 = time.perf_counter()
from skspeech import pretrained
model = pretrained.load()
model.predict(__import__("numpy").zeros((1, 16000), dtype="float32"))
print(time.perf_counter() - t0, model.runtime)
'''


def cold_load(repeats=3):
    """Seconds to import skspeech, load the model and answer one clip, in a new process
    without TensorFlow (median of ``repeats``), and the runtime that ran it."""
    times, runtime = [], None
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", _COLD], capture_output=True, text=True,
                             check=True).stdout.split()
        times.append(float(out[0]))
        runtime = out[1]
    return statistics.median(times), runtime


def per_clip(fn, clip, n=200):
    """Median seconds of ``fn([clip])`` over ``n`` calls (after 5 warm-up calls)."""
    for _ in range(5):
        fn([clip])
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn([clip])
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None):
    here = Path(__file__).resolve().parent
    default = here.parents[1] / "shared" / "data" / "speech_commands_dev"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=default, help="Speech Commands folder")
    parser.add_argument("--twin", default=None,
                        help="the twin's export folder (build_pretrained.py: WORK/twin_export)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="also write the printout to this file")
    args = parser.parse_args(argv)
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    name = pretrained.DEFAULT
    folder = pretrained.path(name)
    settings = json.loads((folder / "frontend.json").read_text())
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    say(f"Pretrained model {name!r} (benchmarks/bench_pretrained.py), seed {args.seed}; "
        f"{os.cpu_count()} cores, load {load:.1f} at start")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != "__init__.py")
    total = sum(p.stat().st_size for p in files)
    say(f"Files in skspeech/pretrained/{folder.name}/ ({total / 1024:.0f} KiB in all; no "
        f"pickle: {not any(p.suffix in ('.joblib', '.pkl', '.pickle') for p in files)}):")
    for p in files:
        say(f"  {p.name:<24} {p.stat().st_size / 1024:7.1f} KiB")
    say(f"Classes: {', '.join(settings['classes'])}; {settings['sr']} Hz, "
        f"{settings['n_samples']} samples a clip; embedding of "
        f"{pretrained.load().embedding_size} values (layers 'blocks'; the file gives "
        f"{settings.get('embedding', {}).get('size', '?')} values a clip, pooled in NumPy).")
    listener = settings.get("listener", {})
    if listener:
        say(f"Listener (threshold='auto'): {listener['threshold']:g}, smoothing "
            f"{listener.get('smoothing')}, gate {listener.get('gate_db')} dB: calibrated on the "
            f"twin for at most {listener.get('max_false_alarms_per_hour')} false alarms per hour "
            f"({listener.get('hit_rate', float('nan')):.1%} of the validation speakers' commands "
            f"at {listener.get('false_alarms_per_hour', float('nan')):.1f} per hour there).")
    seconds, runtime = cold_load()
    say(f"Load: import skspeech, load the model and answer one clip in a new process without "
        f"TensorFlow: {seconds:.2f} s (median of 3, {runtime}).")
    model = pretrained.load()
    clip = 0.1 * np.random.default_rng(args.seed).standard_normal(SR).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_front = per_clip(model.features, clip)
        t_all = per_clip(model.predict_proba, clip)
        t_emb = per_clip(model.embed, clip) if hasattr(model, "embed") else float("nan")
    say(f"Per 1-s clip, one at a time ({model.runtime}, 1 thread): front end "
        f"{1000 * t_front:.2f} ms, front end + network {1000 * t_all:.2f} ms "
        f"({t_all:.4f} of the clip's duration: {1 / t_all:.0f}x real time), embedding "
        f"{1000 * t_emb:.2f} ms.")
    say("")
    if args.twin is None:
        say("No --twin: no scores (the shipped model trained on every clip of the copy).")
    else:
        from skspeech.export import load_exported

        twin = load_exported(args.twin, variant="int8")
        say(f"Twin: {args.twin} (int8), trained on the train subset with the same recipe and "
            f"seed; the test subset's speakers are new to both.")
        clips, *_ = held_out(args.path)
        unseen = unseen_noise(clips, SR, seconds=120.0, seed=args.seed)
        clip_scores(twin, args.path, unseen, say, args.seed)
        commands = [str(c) for c in model.classes_ if not str(c).startswith("_")]
        test = load_speech_commands(args.path, subset="test", task="12", words=commands)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SilentAudioWarning)
            a = np.asarray(model.predict(list(test.data)))
            b = np.asarray(twin.predict(list(test.data)))
        y = np.asarray(test.target)
        say(f"Shipped model on the same test clips (it trained on them: not a score): "
            f"{np.mean(a == y):.1%}; agrees with the twin on {np.mean(a == b):.1%} of them.")
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
