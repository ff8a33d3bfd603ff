"""The Speech Commands folder layout: words, lists, speakers, the SHA-1 subset rule, headers."""

import hashlib
import math
import os
import re
import warnings
from pathlib import Path

from ..exceptions import InvalidAudioError
from ..io._audio import mono_clip
from ..labels import BACKGROUND_NOISE, SILENCE, UNKNOWN  # noqa: F401 (re-exported)

TEN_WORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
VALIDATION_LIST = "validation_list.txt"
TESTING_LIST = "testing_list.txt"

# The dataset README's rule (and the TensorFlow tutorial's defaults).
MAX_NUM_WAVS_PER_CLASS = 2**27 - 1  # ~134M
VALIDATION_PERCENTAGE = 10.0
TESTING_PERCENTAGE = 10.0
# task="12": each subset gets _unknown_ and _silence_ clips numbering this
# percentage of its clips of the chosen words (the tutorial's defaults).
UNKNOWN_PERCENTAGE = 10.0
SILENCE_PERCENTAGE = 10.0
SEED = 59185  # the tutorial's RANDOM_SEED
SILENCE_SECONDS = 1.0

_SUBSET_NAMES = {"training": "train", "validation": "validation", "testing": "test"}
_AUDIO_EXT = ".wav"


def which_set(filename, validation_percentage=VALIDATION_PERCENTAGE,
              testing_percentage=TESTING_PERCENTAGE):
    """The subset the dataset's README assigns to a file: "train", "validation" or "test".

    The README's ``which_set``: the SHA-1 of the file name's part before
    ``_nohash_`` (the speaker), taken modulo ``MAX_NUM_WAVS_PER_CLASS + 1``
    and scaled to a percentage. All clips of one speaker land in one subset,
    and the assignment never changes as files are added. The dataset's
    ``validation_list.txt`` and ``testing_list.txt`` were made with this rule
    at 10 % and 10 %.

    Examples
    --------
    >>> which_set("yes/bobby_nohash_0.wav") == which_set("no/bobby_nohash_7.wav")
    True
    >>> which_set(r"left\\0a7c2a8d_nohash_0.wav") in ("train", "validation", "test")
    True
    """
    base_name = re.split(r"[\\/]", filename)[-1]
    hash_name = re.sub(r"_nohash_.*$", "", base_name)
    hash_name_hashed = hashlib.sha1(hash_name.encode("utf-8")).hexdigest()
    percentage_hash = ((int(hash_name_hashed, 16) % (MAX_NUM_WAVS_PER_CLASS + 1))
                       * (100.0 / MAX_NUM_WAVS_PER_CLASS))
    if percentage_hash < validation_percentage:
        return "validation"
    if percentage_hash < testing_percentage + validation_percentage:
        return "test"
    return "train"


def speaker_of(filename):
    """The speaker id in a Speech Commands file name (the part before ``_nohash_``).

    Examples
    --------
    >>> speaker_of("c50f55b8_nohash_1.wav"), speaker_of("_unknown_/bed_c50f55b8_nohash_1.wav")
    ('c50f55b8', 'c50f55b8')
    """
    base = re.split(r"[\\/]", filename)[-1]
    if "_nohash_" not in base:
        return os.path.splitext(base)[0]
    return base.split("_nohash_")[0].rsplit("_", 1)[-1]


def _norm_rel(line):
    """A list entry as a POSIX relative path: ``right\\x.wav`` and ``./right/x.wav`` match."""
    parts = [p for p in re.split(r"[\\/]+", line.strip()) if p not in ("", ".")]
    return "/".join(parts)


def _read_list(path):
    try:
        with open(path, encoding="utf-8-sig") as f:  # a BOM (Windows editors) is ignored
            return {_norm_rel(line) for line in f if line.strip()}
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{str(path)!r} is not a text list of clips (one relative path such as "
            f"'yes/0a7c2a8d_nohash_0.wav' per line): byte {exc.start} cannot be read as "
            f"UTF-8. Restore it from the archive, or delete both lists to use the dataset's "
            f"SHA-1 speaker rule.") from None


def _missing_list_entries(root, words, lists):
    """Entries of the lists naming a clip that is not in its (present) word folder."""
    present = {f"{w}/{n}" for w, names in words.items() for n in names}
    missing = {}
    for subset, entries in lists.items():
        for rel in sorted(entries):
            word = rel.partition("/")[0]
            if word in words and rel not in present:
                missing.setdefault(subset, []).append(rel)
    return missing


_WARNED_MISSING = set()  # (folder, counts) already reported in this process


def _warn_missing_entries(root, missing):
    key = (str(root), tuple((k, len(v)) for k, v in sorted(missing.items())))
    if key in _WARNED_MISSING:  # scanned again (e.g. by the CLI, then the loader): once
        return
    _WARNED_MISSING.add(key)
    parts = []
    for subset, rels in missing.items():
        name = VALIDATION_LIST if subset == "validation" else TESTING_LIST
        shown = ", ".join(rels[:3]) + (", ..." if len(rels) > 3 else "")
        parts.append(f"{name} names {len(rels)} clip(s) missing from their word folders "
                     f"({shown})")
    warnings.warn(
        f"{str(root)!r}: " + "; ".join(parts) + ". Those clips are not loaded (deleted, or "
        "the copy is incomplete): restore them from the archive, or fetch the dataset again.",
        UserWarning, stacklevel=3)


def _is_file(entry):
    try:  # a link to nowhere is kept too: a lost clip is named when its header is read
        return entry.is_file() or entry.is_symlink()
    except OSError:  # a symbolic-link loop, ...: kept, and named when its header is read
        return True


def _wavs(folder):
    with os.scandir(folder) as it:
        return sorted(e.name for e in it
                      if not e.name.startswith(".") and e.name.lower().endswith(_AUDIO_EXT)
                      and _is_file(e))


def _hint(root):
    return (f"Pass the folder of the extracted Speech Commands archive (the one holding yes/, "
            f"no/, ..., {VALIDATION_LIST}, {TESTING_LIST} and {BACKGROUND_NOISE}/), or call "
            "skspeech.datasets.fetch_speech_commands() to download it "
            "(or run: skspeech data fetch speech-commands).")


def scan_speech_commands(path):
    """Index a Speech Commands folder without reading audio.

    Returns a dict with ``root`` (Path), ``words`` ({word: [file names]}),
    ``special`` ({"_unknown_"/"_silence_": [file names]}, only in the separate
    test-set archive), ``background`` (list of paths), ``lists`` ({subset:
    set of relative paths} or None) and ``kind`` ("main" or "test_set").
    """
    root = Path(os.path.expanduser(os.fspath(path)))
    if not root.is_dir():
        raise FileNotFoundError(f"No Speech Commands folder at {str(root)!r}. {_hint(root)}")
    words, special, background = {}, {}, []
    with os.scandir(root) as it:
        folders = sorted(e.name for e in it if e.is_dir() and not e.name.startswith("."))
    for name in folders:
        if name == BACKGROUND_NOISE:
            background = [root / name / f for f in _wavs(root / name)]
        elif name in (UNKNOWN, SILENCE):
            special[name] = _wavs(root / name)
        elif not name.startswith("_"):
            files = _wavs(root / name)
            if files:
                words[name] = files
    if not words:
        raise FileNotFoundError(
            f"{str(root)!r} holds no word folders with .wav files (such as yes/ or no/). "
            f"{_hint(root)}"
        )
    has_val, has_test = (root / VALIDATION_LIST).is_file(), (root / TESTING_LIST).is_file()
    if has_val != has_test:
        present, missing = ((VALIDATION_LIST, TESTING_LIST) if has_val
                            else (TESTING_LIST, VALIDATION_LIST))
        raise FileNotFoundError(
            f"{str(root)!r} has {present} but not {missing}; the subsets need both. Restore "
            f"{missing} from the archive, or delete {present} to use the dataset's SHA-1 "
            "speaker rule instead."
        )
    lists = None
    if has_val:
        lists = {"validation": _read_list(root / VALIDATION_LIST),
                 "test": _read_list(root / TESTING_LIST)}
        missing = _missing_list_entries(root, words, lists)
        if missing:
            _warn_missing_entries(root, missing)
    kind = "test_set" if lists is None and special else "main"
    return {"root": root, "words": words, "special": special, "background": background,
            "lists": lists, "kind": kind}


def subset_of(index, word, name):
    """The subset of clip ``word/name``: from the lists if present, else the SHA-1 rule."""
    if index["kind"] == "test_set":
        return "test"
    lists = index["lists"]
    if lists is None:
        return which_set(name)
    rel = f"{word}/{name}"
    if rel in lists["validation"]:
        return "validation"
    if rel in lists["test"]:
        return "test"
    return "train"


def _header(path):
    """(frames, sample rate) from the file header, without reading the samples."""
    import soundfile as sf

    from ..io._audio import _open_error, _reason, _shown, sf_name

    try:
        os.stat(path)
    except OSError as exc:  # a link to nowhere or to itself, no permission, ...
        raise InvalidAudioError(str(_open_error(path, _shown(path), exc))) from None
    try:
        with sf.SoundFile(sf_name(path)) as f:
            return f.frames, f.samplerate
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise InvalidAudioError(
            f"Cannot read {_shown(path)} as audio: {_reason(exc)}. The file is corrupt or "
            "truncated; delete it (or the whole folder, and fetch the dataset again)."
        ) from exc


def _read_window(path, start, n, file_sr, sr, dtype):
    """Samples ``start:start + n`` of a file (only those are read), mono, resampled to ``sr``."""
    import soundfile as sf

    from ..io._audio import _reason, _shown, sf_name

    try:
        y = sf.read(sf_name(path), start=start, frames=n, dtype="float64", always_2d=True)[0]
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise InvalidAudioError(f"Cannot read {_shown(path)} as audio: {_reason(exc)}.") from exc
    return mono_clip(y, path, file_sr, sr, dtype)


def _out_len(n, file_sr, sr):
    if sr is None or sr == file_sr:
        return n
    g = math.gcd(file_sr, sr)
    return -(-n * (sr // g) // (file_sr // g))  # ceil, as scipy's resample_poly
