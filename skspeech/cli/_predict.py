"""``skspeech predict``: audio files or folders -> the word (or no command) for each file."""

import csv
import json
import os
import sys
from pathlib import Path

import numpy as np

from ._labels import is_command, shown

HELP = "Recognise the command in audio files (or every audio file in folders)."
_EXT = (".wav", ".flac", ".ogg", ".aiff", ".aif", ".mp3")


def add_parser(sub):
    p = sub.add_parser("predict", help=HELP, description=HELP + (
        " Prints a table of file, word and probability, where a clip heard as _unknown_ or "
        "_silence_ (a model trained with them) reads 'no command'. --csv and --json give "
        "machines the raw class in 'word' and the recognised command in 'command' (empty, "
        "or null in JSON, when there is none)."))
    p.add_argument("model", type=Path, help="a model file from skspeech train (trusted only)")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="audio files, or folders searched recursively for audio files")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true",
                     help="print CSV (file,word,command,probability)")
    fmt.add_argument("--json", action="store_true", help="print a JSON list")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


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
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"No such file or folder: {str(path)!r}.")
    return files


def run(args):
    from .._persistence import load_model
    from ..io import read_audio

    model, meta = load_model(args.model, return_metadata=True)
    files = _files(args.paths)
    it = files
    if not args.quiet:
        from tqdm.auto import tqdm

        it = tqdm(files, desc="Reading", unit="file", leave=False, file=sys.stderr)
    clips = [read_audio(f, sr=meta.get("sr"))[0] for f in it]
    classes = list(meta["classes"])
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(clips))
        words = [classes[k] for k in proba.argmax(axis=1)]
        probs = proba.max(axis=1)
    else:
        words = [str(w) for w in model.predict(clips)]
        probs = [float("nan")] * len(words)
    rows = [{"file": str(f), "word": w, "command": w if is_command(w) else None,
             "probability": round(float(p), 4)} for f, w, p in zip(files, words, probs)]
    if args.json:
        print(json.dumps(rows, indent=2))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=["file", "word", "command", "probability"])
        writer.writeheader()
        writer.writerows(rows)  # None: an empty field
    else:
        width = max(4, *(len(r["file"]) for r in rows))
        print(f"{'file':<{width}}  {'word':<12} probability")
        for r in rows:
            print(f"{r['file']:<{width}}  {shown(r['word']):<12} {r['probability']:.2f}")
    return 0
