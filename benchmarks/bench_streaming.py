"""Streaming accuracy on real Speech Commands voices: hits, false alarms per hour and delay.

Keyword spotters are judged on a long stream, not on clips: how many of the commands said are
reported (hit rate), how often something is reported that nobody said (false alarms per hour)
and how long after the end of a word it is reported (delay). This script builds such a stream
from the development copy of Speech Commands (``../shared/data/speech_commands_dev``) with
:func:`skspeech.streaming.make_command_stream`, runs :class:`skspeech.streaming.CommandListener`
over it at a sweep of thresholds, smoothing and gate settings, and scores each run with
:func:`skspeech.streaming.score_detections`.

The stream holds only what the model never heard: the clips of the speakers of the
``validation`` and ``test`` subsets (the copy's list files; ``train`` trains the model), every
command clip once (more often if the stream would be shorter than ``--minutes``, 180 by
default) and as many uses of the other-word clips (reused), each at its own place, 1-5 s
apart. Two parts, in one stream:

- two thirds of the utterances at their recorded level (-6 to +3 dB) over a noise bed of 5-20 s
  excerpts at -55 to -40 dBFS, of four kinds: the held-out stretches (last 20 %) of the copy's
  two ``_background_noise_`` recordings, and two kinds no training clip hears (babble of six
  reversed held-out voices, mains hum over a fan: ``_unseen_noise.py``);
- one third at 10 dB SNR (the word's RMS against the noise under it) over the two unseen kinds.

The model: ``--model FILE`` loads a file saved by ``skspeech train`` (on the ``train`` subset),
or an export of one (a folder or its ``model_int8.tflite``: what a device runs);
without it the script runs ``skspeech train PATH --subset train`` itself (the shipped defaults:
the recipe, its training and the listener's calibration) and reports its time. ``--model svm``
trains the SVM recipe instead (seconds; for trying the script).

Printed: the model's clip-by-clip scores on the test subset (12-class accuracy, false accepts,
false rejects; and at 10 dB SNR with each unseen noise kind), then the table of listener
settings, the defaults (``threshold="auto"``: the model's calibrated threshold), the settings
one step either side of the default threshold, and the most hits at no more than
``MAX_FA_PER_HOUR`` false alarms per hour, with hits per word (and their mean: what a stream
with every command equally often would count; the copy has fewer clips of go, on and off), per
part of the stream and per subset of speakers (the calibration heard validation speakers), and
the words that set it off.

The model's ``predict_proba`` is computed once for every window position (batched, with
:class:`skspeech.streaming._calibrate.WindowTable`) and the sweep reuses it: the listener runs
in full for each setting, but asks a table instead of the network.

Run: ``python benchmarks/bench_streaming.py [path] [--model FILE|svm] [--minutes 180]
[--thresholds 0.5,0.9,...] [--smoothing 1,3] [--seed 0] [--out docs/benchmarks/streaming.txt]
[--plot docs/benchmarks/streaming.png] [--save-model FILE]`` (default path
``../shared/data/speech_commands_dev``).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import inspect  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _unseen_noise import mix_at_snr, unseen_noise  # noqa: E402

from skspeech.datasets import background_noise, load_speech_commands  # noqa: E402
from skspeech.exceptions import SilentAudioWarning  # noqa: E402
from skspeech.metrics import command_error_rates  # noqa: E402
from skspeech.streaming import (  # noqa: E402
    CommandListener,
    auto_threshold,
    make_command_stream,
    threshold_origin,
)
from skspeech.streaming._calibrate import WindowTable, balanced_order, run_listener  # noqa: E402

SR = 16000
THRESHOLDS = (0.5, 0.7, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999)
SMOOTHING = (1, 2, 3)
GATES = (6.0, 12.0)
MAX_FA_PER_HOUR = 2.0
STREAM = {"gap": (1.0, 5.0), "lead": 5.0}
QUIET = {"noise_db": (-55.0, -40.0), "gain_db": (-6.0, 3.0)}
SNR_DB = 10.0
HOP, WINDOW = 0.1, 1.0


def held_out(path):
    """Clips, words, speakers and subset of the validation and test clips (never trained on)."""
    clips, words, speakers, subsets = [], [], [], []
    for subset in ("validation", "test"):
        data = load_speech_commands(path, subset=subset, task="35")
        clips += list(data.data)
        words += list(data.word)
        speakers += list(data.speaker)
        subsets += [subset] * len(data.word)
    return clips, np.array(words), np.array(speakers), np.array(subsets)


def build_stream(path, commands, minutes, seed):
    """The test stream (two parts), its events, and what went into it (a dict)."""
    rng = np.random.RandomState(seed)
    clips, words, speakers, subsets = held_out(path)
    unseen = unseen_noise(clips, SR, seconds=120.0, seed=seed)
    seen = background_noise(path, subset="validation") + background_noise(path, subset="test")
    is_cmd = np.isin(words, commands)
    mean_clip = np.mean([len(x) for x in clips]) / SR
    per_pair = 2 * (mean_clip + np.mean(STREAM["gap"]))
    n_cmd = max(int(is_cmd.sum()), int(np.ceil(1.03 * minutes * 60 / per_pair)))
    order = balanced_order(words, commands, n_cmd, rng)
    order = order[rng.permutation(len(order))]
    n_quiet = 2 * len(order) // 3
    audio, parts, events, offset = [], [], [], 0.0
    for name, idx, noise, level in (
            ("recorded level", order[:n_quiet], seen + list(unseen.values()), QUIET),
            (f"{SNR_DB:g} dB SNR", order[n_quiet:], list(unseen.values()), {"snr_db": SNR_DB})):
        stream, evs = make_command_stream([clips[i] for i in idx], words[idx], sr=SR,
                                          commands=commands, noise=noise, random_state=rng,
                                          **STREAM, **level)
        events += [e._replace(onset=e.onset + offset, offset=e.offset + offset,
                              clip=int(idx[e.clip])) for e in evs]
        parts.append((name, offset, offset + len(stream) / SR))
        audio.append(stream)
        offset += len(stream) / SR
    info = {"words": words, "speakers": speakers, "subsets": subsets, "seen": seen,
            "unseen": unseen, "parts": parts, "clips": clips,
            "reuse": (n_cmd / max(1, is_cmd.sum()), n_cmd / max(1, (~is_cmd).sum()))}
    return np.concatenate(audio), events, info


def train_model(path, recipe, seed, out):
    """``skspeech train PATH --subset train`` (its defaults) into ``out``; its wall time."""
    from skspeech.cli import main as cli

    argv = ["train", str(path), "--subset", "train", "-o", str(out), "--seed", str(seed)]
    if recipe == "svm":
        argv += ["--model", "svm"]
    t0 = time.perf_counter()
    code = cli(argv)
    if code:
        sys.exit(f"skspeech {' '.join(argv)} failed with exit code {code}.")
    return time.perf_counter() - t0, argv


def clip_scores(model, path, unseen, say, seed):
    """12-class accuracy, false accepts and rejects on the test subset, and at 10 dB SNR."""
    commands = [str(c) for c in model.classes_ if not str(c).startswith("_")]
    test = load_speech_commands(path, subset="test", task="12", words=commands)
    y = np.asarray(test.target).astype(str)
    rng = np.random.default_rng(seed)
    rows = [("clean", list(test.data))]
    rows += [(f"{SNR_DB:g} dB SNR, {kind}", mix_at_snr(test.data, noise, SNR_DB, rng))
             for kind, noise in unseen.items()]
    say(f"Clips: the test subset's 12-class task ({len(y)} clips: "
        f"{int(np.isin(y, commands).sum())} commands, {int((~np.isin(y, commands)).sum())} "
        f"_unknown_ or _silence_; speakers never heard in training or calibration)")
    for name, X in rows:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SilentAudioWarning)
            pred = np.asarray(model.predict(X)).astype(str)
        r = command_error_rates(y, pred)
        say(f"  {name:<22} accuracy {r['accuracy']:6.1%}   false accepts "
            f"{r['false_accept']:5.1%}   false rejects {r['false_reject']:5.1%}   wrong "
            f"command {r['wrong_command']:5.1%}")


def listener_defaults(model):
    params = inspect.signature(CommandListener).parameters
    out = {k: params[k].default for k in ("threshold", "smoothing", "gate_db")}
    if out["threshold"] == "auto":
        out["threshold"] = auto_threshold(model)
    return out


def seconds(value):
    return "-" if np.isnan(value) else f"{value:.2f}s"


def best(rows, limit):
    """The most hits at no more than ``limit`` FA/h; then fewer false alarms, then less delay."""
    ok = [r for r in rows if r["score"].false_alarms_per_hour <= limit]
    if not ok:
        return None
    return max(ok, key=lambda r: (r["score"].hit_rate, -r["score"].false_alarms_per_hour,
                                  -r["score"].median_delay))


def describe(row, events, info, commands, say, name):
    """A setting's hits, false alarms, delay; per word, part and subset; what set it off."""
    sc = row["score"]
    say(f"{name}: gate_db={row['gate_db']:g}, smoothing={row['smoothing']}, "
        f"threshold={row['threshold']:g}: hits {sc.n_hits}/{sc.n_commands} ({sc.hit_rate:.1%}), "
        f"{sc.n_false_alarms} false alarms ({sc.false_alarms_per_hour:.2f} per hour), delay "
        f"mean {sc.mean_delay:.2f} s, median {sc.median_delay:.2f} s")
    missed = set(sc.missed)
    cmd = [k for k, e in enumerate(events) if e.is_command]

    def rate(keep):
        ks = [k for k in cmd if keep(events[k])]
        return f"{1 - sum(k in missed for k in ks) / max(1, len(ks)):.0%} of {len(ks)}"

    say("  hits per word: " + ", ".join(f"{w} {rate(lambda e, w=w: e.label == w)}"
                                        for w in commands))
    per_word = [1 - np.mean([k in missed for k in cmd if events[k].label == w])
                for w in commands if any(events[k].label == w for k in cmd)]
    say(f"  every command as often (the mean of the words' hit rates, as a stream with each "
        f"word equally often would count): {np.mean(per_word):.1%}")
    say("  hits per part: " + ", ".join(
        f"{part} {rate(lambda e, a=a, b=b: a <= e.onset < b)}" for part, a, b in info["parts"]))
    subsets = info["subsets"]
    say("  hits per subset of speakers: " + ", ".join(
        f"{s} {rate(lambda e, s=s: subsets[e.clip] == s)}" for s in ("validation", "test")))
    onsets = np.array([e.onset for e in events]) - 0.5
    offsets = np.array([e.offset for e in events]) + 0.5
    heard = {}
    for d, outcome in zip(row["found"], sc.outcomes):
        if outcome in ("wrong_word", "non_command"):
            k = int(np.flatnonzero((onsets <= d.time) & (d.time <= offsets))[0])
            pair = f"{events[k].label} -> {d.word}"
            heard[pair] = heard.get(pair, 0) + 1
        elif outcome in ("noise", "duplicate"):
            heard[f"({outcome}) -> {d.word}"] = heard.get(f"({outcome}) -> {d.word}", 0) + 1
    if heard:
        top = sorted(heard.items(), key=lambda kv: -kv[1])[:10]
        say("  false alarms: " + ", ".join(f"{pair} {n}" for pair, n in top))


def plot(rows, marks, smoothing, path, title, limit):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for gate, style in zip(GATES, ("--", "-")):
        for s, color in zip(smoothing, plt.rcParams["axes.prop_cycle"].by_key()["color"]):
            pts = sorted((r["score"].false_alarms_per_hour, r["score"].hit_rate)
                         for r in rows if r["smoothing"] == s and r["gate_db"] == gate)
            ax.plot(*zip(*pts), style, marker=".", color=color,
                    label=f"smoothing {s}, gate {gate:g} dB")
    for row, marker, name in marks:
        if row is not None:
            ax.plot(row["score"].false_alarms_per_hour, row["score"].hit_rate, marker,
                    ms=12, mfc="none", mec="k", label=f"{name} (threshold {row['threshold']:g})")
    ax.axvline(limit, color="grey", lw=0.8, ls=":")
    ax.set_xscale("symlog", linthresh=1.0)  # linear below 1 FA/h, so that 0 is on the axis
    ax.set_xlim(0, 1.5 * max(r["score"].false_alarms_per_hour for r in rows))
    ax.set_xlabel("false alarms per hour")
    ax.set_ylabel("hit rate")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    here = Path(__file__).resolve().parent
    default = here.parents[1] / "shared" / "data" / "speech_commands_dev"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=default, help="Speech Commands folder")
    parser.add_argument("--model", default=None,
                        help="a model file (skspeech.save_model), an export folder or .tflite "
                             "file, or a pretrained model's name; 'svm' trains the SVM recipe; "
                             "default: run skspeech train with its defaults")
    parser.add_argument("--minutes", type=float, default=180.0, help="shortest stream")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--thresholds", default=",".join(f"{t:g}" for t in THRESHOLDS),
                        help="thresholds swept")
    parser.add_argument("--smoothing", default=",".join(str(s) for s in SMOOTHING),
                        help="smoothing (windows averaged) swept")
    parser.add_argument("--out", default=None, help="also write the printout to this file")
    parser.add_argument("--plot", default=None, help="save the curves to this PNG")
    parser.add_argument("--save-model", default=None,
                        help="keep the model trained here in this file (a later run can sweep "
                             "other settings with --model FILE instead of training again)")
    args = parser.parse_args(argv)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    smoothing = [int(s) for s in args.smoothing.split(",")]
    if not Path(args.path).is_dir():
        print(f"No Speech Commands folder at {args.path}: nothing to measure.")
        return
    if args.save_model and Path(args.save_model).exists():  # before training, not after
        sys.exit(f"--save-model {args.save_model} exists; choose a new file name.")
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    from skspeech import load_model

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    say(f"Streaming benchmark (benchmarks/bench_streaming.py), seed {args.seed}; "
        f"{os.cpu_count()} cores, load {load:.1f} at start")
    if args.model in (None, "svm"):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(args.save_model or Path(tmp) / "model.joblib")
            took, argv_ = train_model(args.path, args.model or "default", args.seed, out)
            model = load_model(out)
        about = (f"`skspeech {' '.join(argv_[:2])} {' '.join(argv_[2:4])} --seed {args.seed}` "
                 f"run here: {took / 60:.1f} min on {os.cpu_count()} cores")
    else:  # a model file, an export folder or .tflite file, or a pretrained model's name
        from skspeech.export import load_model_or_export

        model = load_model_or_export(args.model)
        about = f"loaded from {args.model}" + (f" ({model.variant} TFLite)"
                                               if hasattr(model, "variant") else "")
    commands = [str(c) for c in model.classes_ if not str(c).startswith("_")]
    say(f"Model: {about}; classes {', '.join(str(c) for c in model.classes_)}.")
    t0 = time.perf_counter()
    stream, events, info = build_stream(args.path, commands, args.minutes, args.seed)
    words, speakers = info["words"], info["speakers"]
    duration = len(stream) / SR
    n_cmd = sum(e.is_command for e in events)
    speech = sum(e.offset - e.onset for e in events)
    is_cmd = np.isin(words, commands)
    say(f"Stream: {duration / 60:.1f} min at {SR} Hz, {len(events)} utterances: {n_cmd} "
        f"commands and {len(events) - n_cmd} other words, from the held-out speakers "
        f"(validation + test subsets: {int(is_cmd.sum())} command clips, "
        f"{int((~is_cmd).sum())} clips of {len(set(words[~is_cmd]))} other words, "
        f"{len(set(speakers))} speakers); each command clip used {info['reuse'][0]:.1f}x, each "
        f"other-word clip {info['reuse'][1]:.1f}x, every use at its own place and noise, "
        f"{STREAM['gap'][0]:g}-{STREAM['gap'][1]:g} s apart ({1 - speech / duration:.0%} of "
        f"the stream has no word). Built in {time.perf_counter() - t0:.0f} s.")
    for name, a, b in info["parts"]:
        say(f"  {name}: {(b - a) / 60:.1f} min, "
            f"{sum(e.is_command and a <= e.onset < b for e in events)} commands")
    say(f"Noise: at recorded level, excerpts at {QUIET['noise_db'][0]:g} to "
        f"{QUIET['noise_db'][1]:g} dBFS of the held-out stretches of the "
        f"{len(info['seen']) // 2} background recordings (skspeech train mixes the whole "
        f"recordings into its copies: heard in training) and of {' and '.join(info['unseen'])} "
        f"(no training clip hears these); at "
        f"{SNR_DB:g} dB SNR, {' and '.join(info['unseen'])} only.")
    say("")
    clip_scores(model, args.path, info["unseen"], say, args.seed)
    say("")
    defaults = listener_defaults(model)
    say(f"CommandListener's defaults for this model: threshold={defaults['threshold']:g} "
        f"(threshold='auto': {threshold_origin(model)}), smoothing={defaults['smoothing']}, "
        f"gate_db={defaults['gate_db']:g}.")
    thresholds = sorted(set(thresholds) | {defaults["threshold"]})  # the default is on the curve
    t0 = time.perf_counter()
    with warnings.catch_warnings():  # windows of digital silence, if the noise has any
        warnings.simplefilter("ignore", SilentAudioWarning)
        table = WindowTable(model, stream, sr=SR, window=WINDOW, hop=HOP)
    say(f"predict_proba of all {table.n_windows} windows ({WINDOW:g} s every {HOP:g} s): "
        f"{time.perf_counter() - t0:.0f} s; the sweep reuses them.")
    say("")
    say("Match: a detection is a hit when it names the command and lies within 0.5 s of the "
        "word (its loud part);")
    say("each word is hit once; anything else is a false alarm (dup = the word again, wrong = "
        "another command,")
    say("other = on a non-command word, noise = on no word). Delay: time reported (end of the "
        "triggering window) minus end of the word.")
    say("")
    say(f"{'gate dB':>7} {'smooth':>6} {'thresh':<8} {'hit rate':>8} {'FA/h':>6} "
        f"{'mean delay':>10} {'median':>6}   {'FA':>4} {'dup':>4} {'wrong':>5} "
        f"{'other':>5} {'noise':>5}")
    rows = []
    t0 = time.perf_counter()
    for gate in GATES:
        for s in smoothing:
            for thr in thresholds:
                found, sc = run_listener(table, stream, events, sr=SR, window=WINDOW, hop=HOP,
                                         threshold=thr, smoothing=s, gate_db=gate)
                rows.append({"gate_db": gate, "smoothing": s, "threshold": thr, "score": sc,
                             "found": found})
                say(f"{gate:7g} {s:6d} {thr:<8g} {sc.hit_rate:8.1%} "
                    f"{sc.false_alarms_per_hour:6.2f} {seconds(sc.mean_delay):>10} "
                    f"{seconds(sc.median_delay):>6}   {sc.n_false_alarms:4d} {sc.n_duplicate:4d} "
                    f"{sc.n_wrong_word:5d} {sc.n_non_command:5d} {sc.n_noise:5d}")
    say(f"({len(rows)} runs of the listener in {time.perf_counter() - t0:.0f} s; "
        f"{table.misses} windows outside the table)")

    def at(thr):
        return next((r for r in rows if (r["gate_db"], r["smoothing"], r["threshold"])
                     == (defaults["gate_db"], defaults["smoothing"], thr)), None)

    current = at(defaults["threshold"])
    k = thresholds.index(defaults["threshold"])
    lower = at(thresholds[k - 1]) if k > 0 else None
    higher = at(thresholds[k + 1]) if k + 1 < len(thresholds) else None
    chosen = best(rows, MAX_FA_PER_HOUR)
    for name, row in (("Defaults", current), ("One step lower", lower),
                      ("One step higher", higher),
                      (f"Most hits at <= {MAX_FA_PER_HOUR:g} FA/h", chosen)):
        say("")
        if row is None:
            say(f"{name}: none among the settings swept.")
            continue
        describe(row, events, info, commands, say, name)
    say("")
    say("The best row is chosen on this same stream, so it is optimistic; the defaults are not "
        "(their threshold was calibrated by skspeech train on another stream, of the validation "
        "speakers only, over other noise).")
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    if args.plot:
        plot(rows, ((current, "s", "defaults"),
                    (chosen, "*", f"most hits at <= {MAX_FA_PER_HOUR:g} FA/h")),
             smoothing, args.plot, f"{duration / 60:.0f} min stream of held-out Speech Commands "
             f"voices; {len(commands)} commands", MAX_FA_PER_HOUR)


if __name__ == "__main__":
    main()
