"""``skspeech predict``: audio files or folders -> the word (or no command) for each file."""

import csv
import json
import os
import sys
from pathlib import Path

import numpy as np

from ..labels import is_command, shown

HELP = "Recognise the command in audio files (or every audio file in folders)."
_EXT = (".wav", ".flac", ".ogg", ".aiff", ".aif", ".mp3")


def add_parser(sub):
    p = sub.add_parser("predict", help=HELP, description=HELP + (
        " A file that cannot be read gets a line on stderr (file and reason), the others "
        "are predicted, and the exit code is then 1."
        " Prints a table of file, word and probability, where a clip heard as _unknown_ or "
        "_silence_ (a model trained with them) reads 'no command'. --csv and --json give "
        "machines the raw class in 'word' and the recognised command in 'command' (empty, "
        "or null in JSON, when there is none)."))
    add_model_arguments(p)
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="audio files, or folders searched recursively for audio files (with "
                        "no MODEL before them, e.g. skspeech predict clip.wav, the pretrained "
                        "speech-commands-12 model answers)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true",
                     help="print CSV (file,word,command,probability)")
    fmt.add_argument("--json", action="store_true", help="print a JSON list")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


_MODEL_HELP = ("a model file from skspeech train (trusted only), a folder from skspeech "
               "export (runs without TensorFlow; pip install 'skspeech[edge]'), or the name "
               "of a pretrained model (speech-commands-12)")


def add_model_arguments(p, *, optional=False):
    """The MODEL argument and --int8, shared by predict, listen and evaluate.

    ``optional``: MODEL may be left out; the pretrained model is then used
    (:func:`model_or_pretrained` says so).
    """
    if optional:
        p.add_argument("model", nargs="?", default=None,
                       help=_MODEL_HELP + "; default: the pretrained speech-commands-12")
    else:
        p.add_argument("model", help=_MODEL_HELP)
    p.add_argument("--int8", action="store_true",
                   help="with an export folder: run model_int8.tflite (what a device runs) "
                        "instead of model_float.tflite (the Keras model's own answers)")


def model_or_pretrained(model, command):
    """``model``, or the default pretrained model's name when it is None (said on stderr)."""
    if model is not None:
        return model
    from ..pretrained import DEFAULT

    print(f"skspeech {command}: no model given; using the pretrained model {DEFAULT!r} "
          f"(the ten Speech Commands words, 16 kHz; see skspeech.pretrained.model_card()).",
          file=sys.stderr)
    return DEFAULT


def load_cli_model(args, command):
    """``(model, metadata)`` for ``args.model``: a model file, an export folder, a pretrained
    model's name, or (None) the default pretrained model."""
    from ..pretrained import load_model_or_pretrained

    args.model = model_or_pretrained(args.model, command)
    return load_model_or_pretrained(args.model, variant="int8" if args.int8 else None,
                                    return_metadata=True)


def _is_audio_path(spec):
    """Whether a first positional argument of predict names audio rather than a model."""
    path = Path(os.path.expanduser(str(spec)))
    if path.is_dir():
        from ..export import is_export

        return not is_export(path)
    return path.suffix.lower() in _EXT


def _files(paths):
    files = []
    for path in paths:
        path = Path(os.path.expanduser(path))
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in _EXT)
            if not found:
                raise FileNotFoundError(f"No audio files ({', '.join(_EXT)}) in folder "
                                        f"{str(path)!r}.")
            files.extend(found)
        elif path.is_file() or path.is_symlink():  # a broken link: read_audio names it
            files.append(path)
        else:
            raise FileNotFoundError(f"No such file or folder: {str(path)!r}.")
    return files


def _read(files, sr, it):
    """``(clips, good files, bad [(file, reason)])``: every file is tried."""
    from ..exceptions import InvalidAudioError
    from ..io import read_audio

    clips, good, bad = [], [], []
    for f in it:
        try:  # a cut file is refused, as skspeech serve refuses a cut upload
            x = read_audio(f, sr=sr, truncated="error")[0]
        except (InvalidAudioError, OSError, ValueError) as exc:
            bad.append((f, str(exc)))
            continue
        clips.append(x)
        good.append(f)
    return clips, good, bad


_KIND_TEXT = {"silent": "silent (all samples zero)",
              "constant": "constant (every sample the same value: {:.6g})",
              "short": "too short to hold a word ({} samples)",
              "long": "far longer than one command ({} samples); cut it into clips of about "
                      "one word, or use skspeech listen --file",
              "loud": "samples far outside [-1, 1] (up to {:.6g})"}


def _garbage_by_file(model, clips, files, sr):
    """``[(file, what is wrong)]`` for the clips far from a spoken clip, found as the model's
    GarbageGuard finds them (or with the library's defaults for a model without one)."""
    from ..preprocessing import FRAME_SECONDS, find_garbage
    from ..utils import steps

    guard = next((s for s in steps(model) if type(s).__name__ == "GarbageGuard"
                  and hasattr(s, "min_length_")), None)
    if guard is not None:
        found = find_garbage(clips, min_length=guard.min_length_,
                             max_length=guard.max_length_, max_abs=guard.max_abs)
    else:
        found = find_garbage(clips, min_length=round(FRAME_SECONDS * sr) if sr else None)
    return [(files[i], _KIND_TEXT[kind].format(detail)) for i, (kind, detail) in found.items()]


def _scores(model, classes, clips):
    """``(words, probabilities)`` for the clips."""
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(clips))
        return [classes[k] for k in proba.argmax(axis=1)], list(proba.max(axis=1))
    words = [str(w) for w in model.predict(clips)]
    return words, [float("nan")] * len(words)


def run(args):
    if not args.paths or _is_audio_path(args.model):  # predict clip.wav [more.wav ...]
        args.paths = [Path(args.model), *args.paths]
        args.model = None
    model, meta = load_cli_model(args, "predict")
    files = _files(args.paths)
    it = files
    if not args.quiet:
        from tqdm.auto import tqdm

        it = tqdm(files, desc="Reading", unit="file", leave=False, file=sys.stderr)
    clips, good, bad = _read(files, meta.get("sr"), it)
    import warnings

    from ..exceptions import GarbageAudioWarning

    classes = list(meta["classes"])
    words, probs = [], []
    for f, what in _garbage_by_file(model, clips, good, meta.get("sr")) if clips else []:
        print(f"skspeech predict: warning: {f}: {what}; its prediction is not meaningful.",
              file=sys.stderr)
    if clips:
        try:
            with warnings.catch_warnings():  # reported above, by file name
                warnings.simplefilter("ignore", GarbageAudioWarning)
                words, probs = _scores(model, classes, clips)
        except ValueError:  # one clip the model cannot take: find it, score the others
            kept_clips, kept = [], []
            for f, x in zip(good, clips):
                try:
                    w, p = _scores(model, classes, [x])
                except ValueError as exc:
                    bad.append((f, str(exc)))
                    continue
                kept.append(f)
                kept_clips.append(x)
                words.append(w[0])
                probs.append(p[0])
            good = kept
    rows = [{"file": str(f), "word": w, "command": w if is_command(w) else None,
             "probability": round(float(p), 4)} for f, w, p in zip(good, words, probs)]
    if args.json:
        print(json.dumps(rows, indent=2))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=["file", "word", "command", "probability"])
        writer.writeheader()
        writer.writerows(rows)  # None: an empty field
    elif rows:
        width = max(4, *(len(r["file"]) for r in rows))
        print(f"{'file':<{width}}  {'word':<12} probability")
        for r in rows:
            print(f"{r['file']:<{width}}  {shown(r['word']):<12} {r['probability']:.2f}")
    for f, reason in bad:
        print(f"skspeech predict: error: {f}: {reason}", file=sys.stderr)
    if bad:
        print(f"skspeech predict: {len(bad)} of {len(files)} file(s) could not be predicted "
              f"(listed above); {len(rows)} predicted.", file=sys.stderr)
        return 1
    return 0
