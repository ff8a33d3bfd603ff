"""``skspeech listen``: continuous recognition from the microphone or an audio file as a stream."""

import csv
import os
import sys
from pathlib import Path

from ..labels import NO_COMMAND, NOISE_LABELS, commands_of, is_command, non_commands_of, shown
from ._labels import listing
from ._predict import add_model_arguments, load_cli_model

HELP = "Recognise commands continuously, from the microphone or an audio file."


def add_parser(sub):
    p = sub.add_parser("listen", help=HELP, description=HELP + (
        " A 1 s window slides over the stream; windows with sound (energy gate over the "
        "learned noise floor) are classified by the model, probabilities are averaged over "
        "a few windows, and each command above its threshold is printed once with its "
        "time. A model trained with _unknown_/_silence_ (skspeech train on a Speech "
        "Commands folder) also prints 'no command' for a sound it heard as none of its "
        "words. Ctrl+C stops."))
    add_model_arguments(p, optional=True)
    src = p.add_mutually_exclusive_group()
    src.add_argument("--file", type=Path, default=None,
                     help="play this audio file as the stream instead of the microphone")
    src.add_argument("--device", default=None,
                     help="microphone: input device index or name (default: the system's; "
                          "needs pip install 'skspeech[mic]')")
    p.add_argument("--duration", type=float, default=None,
                   help="microphone: stop after this many seconds (default: until Ctrl+C)")
    p.add_argument("--realtime", action="store_true",
                   help="--file: play at real speed instead of as fast as possible")
    p.add_argument("--threshold", type=float, default=None,
                   help="minimum smoothed probability to report a command (default: the "
                        "threshold calibrated for the model by skspeech train, or by the kind "
                        "of model: 0.999 for a network, whose probabilities are sharp, 0.6 for "
                        "the others)")
    p.add_argument("--word-threshold", nargs="+", default=(), metavar="WORD=P",
                   help="per-word thresholds, e.g. stop=0.5 go=0.8")
    p.add_argument("--window", type=float, default=None,
                   help="seconds per classification (default: the model's clip length, 1 s)")
    p.add_argument("--hop", type=float, default=0.1,
                   help="seconds between classifications (default: 0.1)")
    p.add_argument("--smoothing", type=int, default=3,
                   help="windows averaged before deciding (default: 3)")
    p.add_argument("--gate-db", type=float, default=12.0,
                   help="sound must be this many dB above the noise floor (default: 12)")
    p.add_argument("--truth", type=Path, default=None, metavar="CSV",
                   help="a CSV of time,word (seconds) for the --file: print hits, misses and "
                        "false alarms (a hit is the right word within --tolerance)")
    p.add_argument("--tolerance", type=float, default=0.5,
                   help="--truth: seconds between a detection and the true time (default: 0.5)")
    p.add_argument("--commands-only", action="store_true",
                   help="do not print 'no command' for sounds heard as _unknown_ or "
                        "_silence_; these sounds then never hold back a command that follows "
                        "within the refractory time (0.6 of the window)")
    p.add_argument("--quiet", action="store_true", help="print the detections only")
    return p


# Classes a listener never reports even for a model with "no command" classes.


def format_detection(d):
    """One detection as listen prints it: time, the command or "no command", probability."""
    return f"{d.time:8.2f} s  {shown(d.word):<12} p={d.probability:.2f}"


def _thresholds(args, classes):
    if not args.word_threshold:
        return "auto" if args.threshold is None else args.threshold
    # the words not named keep --threshold, or the model's automatic one
    out = {} if args.threshold is None else {str(c): args.threshold for c in classes}
    for item in args.word_threshold:
        word, sep, value = item.partition("=")
        try:
            out[word] = float(value)
        except ValueError:
            sep = ""
        if not sep or not word:
            raise ValueError(f"--word-threshold takes WORD=PROBABILITY, e.g. stop=0.5; "
                             f"got {item!r}.")
    return out


def read_truth(path):
    path = Path(os.path.expanduser(path))
    if not path.is_file():
        raise FileNotFoundError(f"No such truth file: {str(path)!r}.")
    rows = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        for i, row in enumerate(csv.reader(f), 1):
            if not row or row[0].strip().lower() == "time":
                continue
            try:
                rows.append((float(row[0]), row[1].strip()))
            except (ValueError, IndexError):
                raise ValueError(f"{str(path)!r} line {i}: expected time,word (e.g. 2.5,yes); "
                                 f"got {','.join(row)!r}.") from None
    return rows


def score(detections, truth, tolerance=0.5):
    """Match detections to true (time, word) pairs: return (hits, misses, false_alarms)."""
    used = set()
    hits = 0
    for t, w in truth:
        best = None
        for j, d in enumerate(detections):
            if j not in used and d.word == w and abs(d.time - t) <= tolerance and (
                    best is None or abs(d.time - t) < abs(detections[best].time - t)):
                best = j
        if best is not None:
            used.add(best)
            hits += 1
    return hits, len(truth) - hits, len(detections) - len(used)


def run(args):
    from ..streaming import CommandListener, FileStream, MicrophoneStream, describe_threshold

    say = (lambda *a, **k: None) if args.quiet else (lambda *a, **k: print(*a, **k,
                                                                          file=sys.stderr))
    if args.truth is not None and args.file is None:
        raise ValueError("--truth scores a --file; give --file too.")
    truth = read_truth(args.truth) if args.truth is not None else None
    model, meta = load_cli_model(args, "listen")
    sr = meta.get("sr")
    if sr is None:
        raise ValueError(f"{args.model} does not record its sample rate; save it with "
                         f"skspeech train or save_model(..., sr=...).")
    words = listing(commands_of(meta["classes"]))
    rejects = non_commands_of(meta["classes"])
    if rejects and not args.commands_only:
        words += f" (anything else: {NO_COMMAND})"
    if args.file is not None:
        stream = FileStream(args.file, sr=sr, realtime=args.realtime, truncated="error")
        say(f"Listening to {args.file} ({stream.duration:.1f} s at {sr} Hz) for: {words}")
    else:
        device = args.device
        if device is not None and device.isdigit():
            device = int(device)
        stream = MicrophoneStream(sr=sr, device=device, max_duration=args.duration)
        say(f"Listening to the microphone at {sr} Hz (Ctrl+C stops) for: {words}")
    window = args.window
    if window is None:  # the clip length the model was trained on, if it pads to one
        from ..utils import clip_seconds

        window = clip_seconds(model) or 1.0
    options = {}
    if rejects and not args.commands_only:  # report them too, printed as "no command"
        options["ignore"] = NOISE_LABELS
    threshold = _thresholds(args, meta["classes"])
    say(f"Threshold {describe_threshold(model, threshold)}"
        + (" (--threshold sets another)." if threshold == "auto" else "."))
    listener = CommandListener(model, sr, window=window, hop=args.hop, threshold=threshold,
                               smoothing=args.smoothing,
                               gate_db=args.gate_db, **options)
    found = []
    try:
        for block in stream:
            for d in listener.process(block):
                found.append(d)
                print(format_detection(d), flush=True)
        for d in listener.flush():
            found.append(d)
            print(format_detection(d), flush=True)
    except KeyboardInterrupt:
        say("Stopped.")
    commands = [d for d in found if is_command(d.word)]
    n_rejected = len(found) - len(commands)
    say(f"{len(commands)} command(s) detected"
        + (f", {n_rejected} sound(s) heard as {NO_COMMAND}." if rejects
           and not args.commands_only else "."))
    if truth is not None:
        hits, misses, false_alarms = score(commands, truth, args.tolerance)
        print(f"hits {hits}/{len(truth)}, misses {misses}, false alarms {false_alarms} "
              f"(tolerance {args.tolerance} s)")
    return 0
