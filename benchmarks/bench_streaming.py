"""Streaming accuracy on real Speech Commands voices: hits, false alarms per hour and delay.

Keyword spotters are judged on a long stream, not on clips: how many of the commands said are
reported (hit rate), how often something is reported that nobody said (false alarms per hour)
and how long after the end of a word it is reported (delay). This script builds such a stream
from the development copy of Speech Commands (``../shared/data/speech_commands_dev``) with
:func:`skspeech.streaming.make_command_stream`, runs :func:`skspeech.streaming.listen` over it
at a sweep of thresholds, smoothing and gate settings, and scores each run with
:func:`skspeech.streaming.score_detections`.

The stream holds only what the model never heard: the clips of the speakers of the
``validation`` and ``test`` subsets (the SHA-1 speaker rule; the ``train`` subset trains the
model) and the held-out stretches of the two ``_background_noise_`` recordings (the last 20 %
of each, never mixed into training). Half the utterances are commands (the seven well-covered
words: 521 held-out clips), half other words (114 held-out clips of 24 of the 28 other words,
mostly bed, happy and cat). To fill the stream, every command clip is used once (more often
if that would last less than ``--minutes``) and the other-word clips are reused, each about
4.6 times, until they match the commands in number: each use of a clip gets its own gain
(-6 to +3 dB), its own place and its own noise. Between the utterances are 1-5 s of noise
alone, so the default stream lasts about 70 minutes; the noise bed is 5-20 s excerpts of the
31 s of held-out noise (looped, at random offsets), each at its own level (-55 to -40 dBFS).

The model's ``predict_proba`` is computed once for every window position (batched) and the
sweep reuses it: the listener runs in full for each setting, but asks a table instead of the
network (its gate, smoothing, thresholds and refractory period decide as they do live).

The model: ``--model PATH`` loads a file saved by :func:`skspeech.save_model` (trained on the
``train`` subset at 16 kHz); without it the script trains ``kws_pipeline(sr=16000,
random_state=0, noise=<train noise>)`` on ``load_speech_commands(words=SEVEN, subset="train",
task="12", unknown_percentage=20, lazy=True)`` (every other-word clip of the development
copy) with the rare other words repeated by :func:`skspeech.datasets.balance_unknown_words`,
as ``skspeech train`` does: the clips read in batches, fresh augmented copies every epoch
(about 45 minutes on 2 cores); ``--model svm`` trains the SVM recipe on the same data instead
(seconds; for trying the script).

The printout ends with the listener's defaults and the setting with the most hits at no more
than 5 false alarms per hour, each with its hit rate per word and the words that set it off.

Run: ``python benchmarks/bench_streaming.py [path] [--model PATH|svm] [--minutes 30]
[--thresholds 0.5,0.6,...] [--smoothing 1,2,3] [--seed 0] [--out docs/benchmarks/streaming.txt]
[--plot docs/benchmarks/streaming.png] [--save-model FILE]`` (default path
``../shared/data/speech_commands_dev``).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import inspect  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from skspeech.datasets import (  # noqa: E402
    background_noise,
    balance_unknown_words,
    load_speech_commands,
)
from skspeech.datasets._unknown import TRAIN_UNKNOWN_PERCENTAGE  # noqa: E402
from skspeech.exceptions import SilentAudioWarning  # noqa: E402
from skspeech.streaming import (  # noqa: E402
    CommandListener,
    auto_threshold,
    listen,
    make_command_stream,
    score_detections,
)

SEVEN = ["yes", "no", "up", "down", "left", "right", "stop"]
SR = 16000
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999,
              0.99995, 0.99999)
SMOOTHING = (1, 2, 3)
GATES = (6.0, 12.0)
MAX_FA_PER_HOUR = 5.0
STREAM = {"noise_db": (-55.0, -40.0), "gain_db": (-6.0, 3.0), "gap": (1.0, 5.0), "lead": 5.0}
HOP, WINDOW = 0.1, 1.0


def window_probabilities(model, stream, *, sr=SR, window=WINDOW, hop=HOP, batch=256):
    """``model.predict_proba`` of every window (``window`` seconds ending every ``hop``)."""
    n_win, n_hop = round(window * sr), round(hop * sr)
    ends = np.arange(n_win, len(stream) + 1, n_hop)
    return np.concatenate([
        np.asarray(model.predict_proba(np.stack([stream[e - n_win:e] for e in ends[i:i + batch]])),
                   float) for i in range(0, len(ends), batch)])


class CachedModel:
    """A fitted model whose ``predict_proba`` answers from windows computed in advance.

    ``proba`` holds the probabilities of every window the listener can ask about (from
    :func:`window_probabilities`); a window not among them (the listener's final flush) goes
    to the model and joins the table.
    """

    def __init__(self, model, stream, proba, *, sr=SR, window=WINDOW, hop=HOP):
        self.model = model
        self.classes_ = model.classes_
        n_win, n_hop = round(window * sr), round(hop * sr)
        ends = np.arange(n_win, len(stream) + 1, n_hop)
        self._table = {hash(stream[e - n_win:e].tobytes()): p for e, p in zip(ends, proba)}
        self.n_windows = len(ends)
        self.misses = 0

    def predict_proba(self, X):
        out = []
        for x in np.asarray(X, np.float32):
            key = hash(x.tobytes())
            p = self._table.get(key)
            if p is None:
                p = np.asarray(self.model.predict_proba(x[None]), float)[0]
                self._table[key] = p
                self.misses += 1
            out.append(p)
        return np.array(out)


def held_out(path):
    """Clips, words and speakers of the validation and test subsets (speakers never trained on)."""
    clips, words, speakers = [], [], []
    for subset in ("validation", "test"):
        data = load_speech_commands(path, subset=subset, task="35")
        clips += list(data.data)
        words += list(data.word)
        speakers += list(data.speaker)
    return clips, np.array(words), np.array(speakers)


def utterances(clips, words, minutes, rng):
    """Half commands, half other words, reused until the stream lasts ``minutes``."""
    is_cmd = np.isin(words, SEVEN)
    cmd, other = np.flatnonzero(is_cmd), np.flatnonzero(~is_cmd)
    mean_clip = np.mean([len(x) for x in clips]) / SR
    per_utt = mean_clip + np.mean(STREAM["gap"])
    reps = 1
    while 2 * reps * len(cmd) * per_utt < minutes * 60:
        reps += 1
    cmd_idx = np.concatenate([rng.permutation(cmd) for _ in range(reps)])
    n_other_passes = -(-len(cmd_idx) // len(other))
    other_idx = np.concatenate([rng.permutation(other) for _ in range(n_other_passes)])
    other_idx = other_idx[:len(cmd_idx)]
    idx = np.concatenate([cmd_idx, other_idx])
    return idx, reps, len(cmd_idx) / len(other)


def build_stream(path, minutes, seed):
    """The test stream, its events, and what went into it (a dict)."""
    rng = np.random.default_rng(seed)
    clips, words, speakers = held_out(path)
    idx, reps, other_reuse = utterances(clips, words, minutes, rng)
    noise = background_noise(path, subset="validation") + background_noise(path, subset="test")
    stream, events = make_command_stream([clips[i] for i in idx], words[idx], sr=SR,
                                         commands=SEVEN, noise=noise, random_state=seed,
                                         **STREAM)
    info = {"words": words, "speakers": speakers, "noise": noise, "reps": reps,
            "other_reuse": other_reuse, "source": idx}
    return stream, events, info


def train_model(path, recipe, seed):
    from skspeech import pipelines

    # as skspeech train builds its training clips (every other-word clip, rare words
    # repeated) and trains a network on them: read from the files in batches, fresh augmented
    # copies every epoch. Only the noise differs: the training stretch of the recordings, as
    # the stream's noise is their held-out stretch.
    train = balance_unknown_words(load_speech_commands(
        path, words=SEVEN, subset="train", task="12",
        unknown_percentage=TRAIN_UNKNOWN_PERCENTAGE, lazy=recipe != "svm"))
    if recipe == "svm":
        model = pipelines.svm_pipeline(sr=SR)
    else:
        model = pipelines.kws_pipeline(sr=SR, random_state=seed,
                                       noise=background_noise(path, subset="train"))
    t0 = time.perf_counter()
    model.fit(train.data, train.target)
    return model, (f"{recipe} trained here on {len(train.target)} train clips "
                   f"({time.perf_counter() - t0:.0f} s)")


def seconds(value):
    return "-" if np.isnan(value) else f"{value:.2f}s"


def blocks(stream, n):
    for i in range(0, len(stream), n):
        yield stream[i:i + n]


def run(model, stream, events, duration, **options):
    found = list(listen(model, blocks(stream, int(HOP * SR)), sr=SR, window=WINDOW, hop=HOP,
                        **options))
    return found, score_detections(found, events, duration=duration)


def best(rows):
    """The most hits at no more than MAX_FA_PER_HOUR; then fewer false alarms, then less delay."""
    ok = [r for r in rows if r["score"].false_alarms_per_hour <= MAX_FA_PER_HOUR]
    if not ok:
        return None
    return max(ok, key=lambda r: (r["score"].hit_rate, -r["score"].false_alarms_per_hour,
                                  -r["score"].median_delay))


def listener_defaults(model):
    params = inspect.signature(CommandListener).parameters
    out = {k: params[k].default for k in ("threshold", "smoothing", "gate_db")}
    if out["threshold"] == "auto":
        out["threshold"] = auto_threshold(model)
    return out


def describe(row, events, info, say, name):
    """A setting's hits, false alarms and delay; per-word hit rates; what the false alarms were."""
    sc = row["score"]
    say(f"{name}: gate_db={row['gate_db']:g}, smoothing={row['smoothing']}, "
        f"threshold={row['threshold']:g}: hits {sc.n_hits}/{sc.n_commands} ({sc.hit_rate:.1%}), "
        f"{sc.n_false_alarms} false alarms ({sc.false_alarms_per_hour:.1f} per hour), delay "
        f"mean {sc.mean_delay:.2f} s, median {sc.median_delay:.2f} s")
    missed = [events[k].label for k in sc.missed]
    say("  hit rate per word: " + ", ".join(
        f"{w} {1 - missed.count(w) / sum(e.label == w for e in events):.0%}" for w in SEVEN))
    onsets = np.array([e.onset for e in events]) - 0.5
    offsets = np.array([e.offset for e in events]) + 0.5
    heard, clips = {}, set()
    for d, outcome in zip(row["found"], sc.outcomes):
        if outcome in ("wrong_word", "non_command"):
            k = int(np.flatnonzero((onsets <= d.time) & (d.time <= offsets))[0])
            pair = f"{events[k].label} -> {d.word}"
            heard[pair] = heard.get(pair, 0) + 1
            clips.add(int(info["source"][events[k].clip]))
    if heard:
        top = sorted(heard.items(), key=lambda kv: -kv[1])[:8]
        say(f"  words heard as other commands ({sum(heard.values())}, from {len(clips)} distinct "
            f"clips): " + ", ".join(f"{pair} {n}" for pair, n in top))


def plot(rows, chosen, current, smoothing, path, title):
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
    for row, marker, name in ((current, "s", "defaults"), (chosen, "*", "most hits at <= 5 FA/h")):
        if row is not None:
            ax.plot(row["score"].false_alarms_per_hour, row["score"].hit_rate, marker,
                    ms=12, mfc="none", mec="k", label=f"{name} (threshold {row['threshold']:g})")
    ax.axvline(MAX_FA_PER_HOUR, color="grey", lw=0.8, ls=":")
    ax.set_xscale("symlog", linthresh=1.0)  # linear below 1 FA/h, so that 0 is on the axis
    ax.set_xlim(0, 1.5 * max(r["score"].false_alarms_per_hour for r in rows))
    ax.set_xlabel("false alarms per hour")
    ax.set_ylabel("hit rate")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    here = Path(__file__).resolve().parent
    default = here.parents[1] / "shared" / "data" / "speech_commands_dev"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=default, help="Speech Commands folder")
    parser.add_argument("--model", default=None,
                        help="a model file (skspeech.save_model); 'svm' trains the SVM recipe; "
                             "default: train kws_pipeline")
    parser.add_argument("--minutes", type=float, default=30.0, help="shortest stream")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--thresholds", default=",".join(f"{t:g}" for t in THRESHOLDS),
                        help="thresholds swept")
    parser.add_argument("--smoothing", default=",".join(str(s) for s in SMOOTHING),
                        help="smoothing (windows averaged) swept")
    parser.add_argument("--out", default=None, help="also write the printout to this file")
    parser.add_argument("--plot", default=None, help="save the curves to this PNG")
    parser.add_argument("--save-model", default=None,
                        help="save the model trained here to this file (a later run can sweep "
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

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    t0 = time.perf_counter()
    stream, events, info = build_stream(args.path, args.minutes, args.seed)
    words, speakers, noise = info["words"], info["speakers"], info["noise"]
    reps, other_reuse = info["reps"], info["other_reuse"]
    duration = len(stream) / SR
    n_cmd = sum(e.is_command for e in events)
    speech = sum(e.offset - e.onset for e in events)
    say(f"Streaming benchmark (benchmarks/bench_streaming.py), seed {args.seed}; "
        f"{os.cpu_count()} cores, load {load:.1f} at start")
    say(f"Stream: {duration / 60:.1f} min at {SR} Hz, {len(events)} utterances: {n_cmd} "
        f"commands ({', '.join(SEVEN)}) and {len(events) - n_cmd} other words, from the "
        f"held-out speakers (validation + test subsets: {int(np.isin(words, SEVEN).sum())} "
        f"command clips, {int((~np.isin(words, SEVEN)).sum())} other-word clips, "
        f"{len(set(speakers))} speakers).")
    say(f"Reuse: each command clip {reps}x, each other-word clip about {other_reuse:.1f}x; "
        f"every use at its own gain ({STREAM['gain_db'][0]:g} to {STREAM['gain_db'][1]:+g} dB "
        f"of its recorded level), place and noise. Gaps {STREAM['gap'][0]:g}-"
        f"{STREAM['gap'][1]:g} s of noise alone ({1 - speech / duration:.0%} of the stream "
        f"has no word).")
    say(f"Noise: the held-out stretches (last 20 %) of {len(noise) // 2} background recordings "
        f"({sum(len(n) for n in noise) / SR:.0f} s in all, looped), 5-20 s excerpts at "
        f"{STREAM['noise_db'][0]:g} to {STREAM['noise_db'][1]:g} dBFS RMS each. "
        f"Built in {time.perf_counter() - t0:.0f} s.")

    if args.model in (None, "svm", "kws"):
        model_name = args.model or "kws"
        model, about = train_model(args.path, model_name, args.seed)
        if args.save_model:
            from skspeech import save_model

            save_model(args.save_model, model)  # refuses to replace an existing file
            about += f", saved to {args.save_model}"
    else:
        model_name = Path(args.model).name
        from skspeech import load_model

        model = load_model(args.model)
        about = f"loaded from {args.model}"
    say(f"Model: {about}; classes {', '.join(str(c) for c in model.classes_)}.")
    defaults = listener_defaults(model)
    say(f"CommandListener's defaults for this model: threshold={defaults['threshold']:g} "
        f"(threshold='auto'), smoothing={defaults['smoothing']}, gate_db={defaults['gate_db']:g}.")
    thresholds = sorted(set(thresholds) | {defaults["threshold"]})  # the default is on the curve
    t0 = time.perf_counter()
    with warnings.catch_warnings():  # windows of digital silence, if the noise has any
        warnings.simplefilter("ignore", SilentAudioWarning)
        cached = CachedModel(model, stream, window_probabilities(model, stream))
    say(f"predict_proba of all {cached.n_windows} windows ({WINDOW:g} s every {HOP:g} s): "
        f"{time.perf_counter() - t0:.0f} s; the sweep reuses them.")
    say("")
    say("Match: a detection is a hit when it names the command and lies within 0.5 s of the "
        "word (its loud part);")
    say("each word is hit once; anything else is a false alarm (dup = the word again, wrong = "
        "another command,")
    say("other = on a non-command word, noise = on no word). Delay: time reported (end of the "
        "triggering window) minus end of the word.")
    say("")
    header = (f"{'gate dB':>7} {'smooth':>6} {'thresh':<8} {'hit rate':>8} {'FA/h':>6} "
              f"{'mean delay':>10} {'median':>6}   {'FA':>4} {'dup':>4} {'wrong':>5} "
              f"{'other':>5} {'noise':>5}")
    say(header)
    rows = []
    t0 = time.perf_counter()
    for gate in GATES:
        for s in smoothing:
            for thr in thresholds:
                found, sc = run(cached, stream, events, duration, threshold=thr, smoothing=s,
                                gate_db=gate)
                rows.append({"gate_db": gate, "smoothing": s, "threshold": thr, "score": sc,
                             "found": found})
                say(f"{gate:7g} {s:6d} {thr:<8g} {sc.hit_rate:8.1%} "
                    f"{sc.false_alarms_per_hour:6.1f} {seconds(sc.mean_delay):>10} "
                    f"{seconds(sc.median_delay):>6}   {sc.n_false_alarms:4d} {sc.n_duplicate:4d} "
                    f"{sc.n_wrong_word:5d} {sc.n_non_command:5d} {sc.n_noise:5d}")
    say(f"({len(rows)} runs of the listener in {time.perf_counter() - t0:.0f} s; "
        f"{cached.misses} windows outside the table)")

    current = next((r for r in rows if (r["gate_db"], r["smoothing"], r["threshold"])
                    == (defaults["gate_db"], defaults["smoothing"], defaults["threshold"])),
                   None)
    chosen = best(rows)
    for name, row in (("CommandListener's defaults", current),
                      (f"Most hits at <= {MAX_FA_PER_HOUR:g} FA/h", chosen)):
        say("")
        if row is None:
            say(f"{name}: no setting swept reaches <= {MAX_FA_PER_HOUR:g} false alarms per "
                f"hour.")
            continue
        describe(row, events, info, say, name)
    say("")
    say(f"The settings are chosen on this same stream, so the best row is optimistic; the false "
        f"alarms come from {len(set(words[~np.isin(words, SEVEN)]))} other words in "
        f"{int((~np.isin(words, SEVEN)).sum())} clips (reused), so a few clips move FA/h a lot.")
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    if args.plot:
        plot(rows, chosen, current, smoothing, args.plot,
             f"{duration / 60:.0f} min stream of held-out Speech Commands voices; model: "
             f"{model_name}")


if __name__ == "__main__":
    main()
