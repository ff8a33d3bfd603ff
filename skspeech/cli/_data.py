"""``skspeech data``: download datasets, and describe a dataset folder.

``data info`` reads a folder's layout (file names, lists, headers) with the
datasets' own layout helpers in ``skspeech.datasets._speech_commands`` and
``_fsdd``, which are internal: the one place the CLI goes beyond the public API.
"""

import os
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

from ..exceptions import InvalidAudioError
from ..io import audio_header

HELP = "Download Speech Commands or FSDD, or describe a dataset folder."

_SC_VERSIONS = {"1": 1, "0.01": 1, "2": 2, "0.02": 2}
_FSDD_VERSIONS = ("1.0.10", "1.0.9")


def add_parser(sub):
    p = sub.add_parser("data", help=HELP, description=HELP)
    data_sub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    f = data_sub.add_parser(
        "fetch", help="download and extract a dataset into the data folder",
        description=(
            "Download a dataset's official archive (resumable, retried, SHA-256 verified), "
            "extract it safely and atomically, and delete the archive. Data already there "
            "is not downloaded again. speech-commands v2 also fetches the separate test-set "
            "archive."))
    f.add_argument("dataset", choices=("speech-commands", "fsdd"))
    f.add_argument("--version", default=None,
                   help="speech-commands: 1 or 2 (default 2); fsdd: 1.0.10 (default) or 1.0.9")
    f.add_argument("--data-home", type=Path, default=None,
                   help="where datasets live (default: $SKSPEECH_DATA or ~/skspeech_data)")
    f.add_argument("--no-test-set", action="store_true",
                   help="speech-commands v2: skip the separate test-set archive")
    f.add_argument("--quiet", action="store_true", help="no progress bars")

    i = data_sub.add_parser(
        "info", help="counts per word, speakers, durations and sample rates of a folder",
        description=(
            "Describe a dataset folder without loading it (only the file headers are read): "
            "a Speech Commands folder (one folder per word), an FSDD folder (recordings/), "
            "or a single audio file."))
    i.add_argument("path", type=Path)
    i.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def run(args):
    if args.data_command == "fetch":
        return _fetch(args)
    return _info(args.path, verbose=not args.quiet)


def _fetch(args):
    from ..datasets import download_dataset

    verbose = not args.quiet
    if args.dataset == "speech-commands":
        version = _SC_VERSIONS.get(args.version or "2")
        if version is None:
            raise ValueError(f"--version for speech-commands must be 1 or 2; got {args.version!r}.")
        names = ["speech_commands"]
        if version == 2 and not args.no_test_set:
            names.append("speech_commands_test_set")
    else:
        version = args.version or "1.0.10"
        if version not in _FSDD_VERSIONS:
            raise ValueError(f"--version for fsdd must be one of {', '.join(_FSDD_VERSIONS)}; "
                             f"got {args.version!r}.")
        names = ["fsdd"]
    for name in names:
        print(download_dataset(name, version=version, data_home=args.data_home,
                               verbose=verbose))
    return 0


# -- info ----------------------------------------------------------------------------------
def _durations_line(durations):
    return (f"durations: min {min(durations):.2f} s, median {statistics.median(durations):.2f} "
            f"s, max {max(durations):.2f} s, total {sum(durations) / 3600:.2f} h")


def _rates_line(rates):
    return "sample rates: " + ", ".join(f"{sr} Hz ({n:,} clips)"
                                        for sr, n in sorted(rates.items()))


def _progress(items, verbose, desc):
    if not verbose:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit="file", leave=False, file=sys.stderr)


def _info(path, verbose=True):
    path = Path(os.path.expanduser(os.fspath(path)))
    if not path.exists():
        raise FileNotFoundError(f"No such file or folder: {str(path)!r}.")
    if path.is_file():
        frames, sr, channels = audio_header(path)
        print(f"{path}: {frames / sr:.3f} s, {sr} Hz, {channels} channel(s), {frames:,} samples")
        return 0
    from ..datasets import FSDD_FILE_RE

    rec = path / "recordings" if (path / "recordings").is_dir() else path
    if any(FSDD_FILE_RE.fullmatch(p.name) for p in rec.iterdir()):
        return _info_fsdd(rec, verbose)
    return _info_speech_commands(path, verbose)


def _info_fsdd(folder, verbose):
    from ..datasets import FSDD_FILE_RE, FSDD_TEST_TAKES

    files = sorted(p for p in folder.iterdir() if FSDD_FILE_RE.fullmatch(p.name))
    per_digit, per_speaker, rates, durations = Counter(), Counter(), Counter(), []
    split = Counter()
    bad = []
    for p in _progress(files, verbose, "Reading headers"):
        m = FSDD_FILE_RE.fullmatch(p.name)
        try:
            frames, sr, _ = audio_header(p)
        except InvalidAudioError as exc:
            bad.append((p, exc))
            continue
        per_digit[m["digit"]] += 1
        per_speaker[m["speaker"]] += 1
        rates[sr] += 1
        durations.append(frames / sr)
        split["test" if int(m["take"]) < FSDD_TEST_TAKES else "train"] += 1
    print(f"Free Spoken Digit Dataset at {folder}")
    print(f"  {len(files):,} recordings, {len(per_digit)} digits, {len(per_speaker)} speakers")
    print(f"  official split: train {split['train']:,} (takes {FSDD_TEST_TAKES}+), "
          f"test {split['test']:,} (takes 0-{FSDD_TEST_TAKES - 1})")
    print("  speakers: " + ", ".join(f"{s} ({n})" for s, n in sorted(per_speaker.items())))
    print("  digits: " + ", ".join(f"{d} ({n})" for d, n in sorted(per_digit.items())))
    if durations:
        print("  " + _rates_line(rates))
        print("  " + _durations_line(durations))
    return _report_unreadable(bad)


def _report_unreadable(bad):
    """A line per unreadable file on stderr; the exit code (1 when there were any)."""
    for path, exc in bad:
        print(f"skspeech data: unreadable {path}: {exc}", file=sys.stderr)
    if bad:
        print(f"skspeech data: {len(bad)} file(s) cannot be read (not counted above); delete "
              "or replace them.", file=sys.stderr)
        return 1
    return 0


def _info_speech_commands(folder, verbose):
    from ..datasets import (
        BACKGROUND_NOISE,
        SILENCE,
        UNKNOWN,
        scan_speech_commands,
        speaker_of,
        subset_of,
    )

    index = scan_speech_commands(folder)
    groups = dict(index["words"])
    groups.update(index["special"])
    jobs = [(w, n) for w, names in groups.items() for n in names]
    clips, speakers, short, rates, durations = Counter(), defaultdict(set), Counter(), \
        Counter(), []
    subsets = defaultdict(Counter)
    bad = []
    for w, n in _progress(jobs, verbose, "Reading headers"):
        try:
            frames, sr, _ = audio_header(index["root"] / w / n)
        except InvalidAudioError as exc:
            bad.append((index["root"] / w / n, exc))
            continue
        clips[w] += 1
        speakers[w].add(speaker_of(n))
        rates[sr] += 1
        durations.append(frames / sr)
        short[w] += frames < sr
        subsets[w][subset_of(index, w, n) if w not in (UNKNOWN, SILENCE) else "test"] += 1
    all_speakers = set().union(*speakers.values())
    source = {"main": ("from validation_list.txt and testing_list.txt" if index["lists"]
                       else "no lists: from the SHA-1 speaker rule"),
              "test_set": "the separate test-set archive: all test"}[index["kind"]]
    total = Counter()
    for c in subsets.values():
        total.update(c)
    print(f"Speech Commands layout at {index['root']}")
    print(f"  {sum(clips.values()):,} clips, {len(index['words'])} words"
          + (f" + {', '.join(index['special'])}" if index["special"] else "")
          + f", {len(all_speakers):,} speakers")
    print(f"  subsets ({source}): train {total['train']:,}, validation "
          f"{total['validation']:,}, test {total['test']:,}")
    if durations:
        print("  " + _rates_line(rates))
        print("  " + _durations_line(durations)
              + f"; {sum(short.values()):,} clips shorter than 1 s")
    noise = []
    for p in index["background"]:
        try:
            noise.append((p.name, *audio_header(p)[:2]))
        except InvalidAudioError as exc:
            bad.append((p, exc))
    if noise:
        print(f"  {BACKGROUND_NOISE}/: {len(noise)} recordings, "
              f"{sum(f / sr for _, f, sr in noise):.1f} s ("
              + ", ".join(f"{name} {f / sr:.1f} s" for name, f, sr in noise) + ")")
    else:
        print(f"  {BACKGROUND_NOISE}/: none")
    if not clips:
        return _report_unreadable(bad)
    width = max(len(w) for w in clips)
    print(f"  {'word':<{width}}  {'clips':>7}  {'speakers':>8}  {'< 1 s':>6}  {'train':>7}  "
          f"{'valid.':>6}  {'test':>6}")
    for w in clips:
        s = subsets[w]
        print(f"  {w:<{width}}  {clips[w]:>7,}  {len(speakers[w]):>8,}  {short[w]:>6,}  "
              f"{s['train']:>7,}  {s['validation']:>6,}  {s['test']:>6,}")
    return _report_unreadable(bad)
