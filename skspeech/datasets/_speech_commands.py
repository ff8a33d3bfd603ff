"""The Speech Commands dataset (Warden, 2018), read from its own folder layout."""

import hashlib
import math
import os
import re
import warnings
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..exceptions import InvalidAudioError, SkippedFilesWarning, TruncatedAudioWarning
from ..io import read_audio
from ._base import wrap_paragraphs

__all__ = ["background_noise", "load_speech_commands"]

TEN_WORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
SILENCE = "_silence_"
UNKNOWN = "_unknown_"
BACKGROUND_NOISE = "_background_noise_"
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


def _wavs(folder):
    with os.scandir(folder) as it:
        return sorted(e.name for e in it
                      if e.is_file() and not e.name.startswith(".")
                      and e.name.lower().endswith(_AUDIO_EXT))


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

    try:
        with sf.SoundFile(path) as f:
            return f.frames, f.samplerate
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise InvalidAudioError(
            f"Cannot read {str(path)!r} as audio: {exc}. The file is corrupt or truncated; "
            "delete it (or the whole folder, and fetch the dataset again)."
        ) from exc


def _read_window(path, start, n, file_sr, sr, dtype):
    """Samples ``start:start + n`` of a file (only those are read), mono, resampled to ``sr``."""
    import soundfile as sf

    try:
        y = sf.read(path, start=start, frames=n, dtype="float64", always_2d=True)[0]
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise InvalidAudioError(f"Cannot read {str(path)!r} as audio: {exc}.") from exc
    y = y.mean(axis=1)
    if not np.isfinite(y).all():
        raise InvalidAudioError(f"{str(path)!r} contains NaN or infinite samples.")
    if sr is not None and sr != file_sr:
        from ..preprocessing._resample import resample

        y = resample(y, file_sr, sr)
    return y.astype(dtype, copy=False)


def _out_len(n, file_sr, sr):
    if sr is None or sr == file_sr:
        return n
    g = math.gcd(file_sr, sr)
    return -(-n * (sr // g) // (file_sr // g))  # ceil, as scipy's resample_poly


_DESCR = """\
Speech Commands
===============

One-second clips of single English words, 16 kHz mono 16-bit WAV, recorded by
volunteers through a web browser (Warden, 2018). v0.02: 105,829 clips of 35
words by 2,618 speakers; v0.01: 64,727 clips of 30 words by 1,881 speakers.
One folder per word holds ``<speaker>_nohash_<n>.wav`` files;
``_background_noise_/`` holds a few longer noise recordings. Some clips are
shorter than one second; they are kept unless ``min_duration`` is given.

Subsets: ``validation_list.txt`` and ``testing_list.txt`` name the validation
and test clips; every other clip is training. Without the lists, the README's
rule applies: the SHA-1 of the speaker part of the file name (before
``_nohash_``) puts 10 % of speakers in validation and 10 % in test, so a
speaker never lands in two subsets. The separate v0.02 test-set archive
(``_silence_/`` and ``_unknown_/`` folders, no lists) is all test.

Tasks: "words" keeps the chosen words only; "35" keeps every word; "12" is
the standard task: the ten words, ``_unknown_`` (clips of the other words,
{unknown_pct} of the subset's word clips, drawn with seed {seed}) and
``_silence_`` (one-second windows cut at random offsets, seed {seed}, from the
background-noise recordings, {silence_pct:g} % of the word clips, at their
recorded level). The noise recordings are split in time so that the subsets
never share noise: the first {train_pct:g} % of each recording feeds train, the
next {val_pct:g} % validation, the last {test_pct:g} % test.

This load: {path}, subset={subset!r}, task={task!r}, {n_clips} clips of
{n_classes} classes, {n_speakers} speakers, sample rate {sr} Hz{resampled},
{n_short} clips shorter than 1 s{short_note}.

Source: http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz
(v0.01: speech_commands_v0.01.tar.gz). Licence: Creative Commons Attribution
4.0 International (CC BY 4.0). Cite: Warden, P. (2018). Speech Commands: A
Dataset for Limited-Vocabulary Speech Recognition. arXiv:1804.03209.
"""


def _noise_bounds(subset):
    """The stretch of each noise recording, as fractions of its length, that feeds ``subset``."""
    return {
        "train": (0.0, 1 - (VALIDATION_PERCENTAGE + TESTING_PERCENTAGE) / 100),
        "validation": (1 - (VALIDATION_PERCENTAGE + TESTING_PERCENTAGE) / 100,
                       1 - TESTING_PERCENTAGE / 100),
        "test": (1 - TESTING_PERCENTAGE / 100, 1.0),
        "all": (0.0, 1.0),
    }[subset]


@validate_params(
    {
        "path": [str, os.PathLike],
        "subset": [StrOptions({"train", "validation", "test", "all"})],
        "sr": [None, Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def background_noise(path, *, subset="train", sr=None):
    """The ``_background_noise_`` recordings of a Speech Commands folder, the subset's stretch.

    Each recording is split in time as ``load_speech_commands(task="12")``
    splits it for its ``_silence_`` clips: the first 80 % feeds ``"train"``,
    the next 10 % ``"validation"``, the last 10 % ``"test"``, so noise mixed
    into training clips is never the noise a test hears. Pass the result to
    :class:`~skspeech.augment.WaveAugmenter` (``noise=``) or to the network
    recipes (``kws_pipeline(noise=...)``).

    Parameters
    ----------
    path : str or path-like
        The Speech Commands folder (the one holding ``_background_noise_/``).
    subset : {"train", "validation", "test", "all"}, default="train"
        Which stretch of each recording.
    sr : int, default=None
        Resample to this rate; None keeps the files' rate (16 kHz).

    Returns
    -------
    noise : list of ndarray of shape (n_samples,)
        One float32 array per recording, sorted by file name; empty when the
        folder has no ``_background_noise_/``.

    Examples
    --------
    >>> from skspeech.datasets import background_noise
    >>> noise = background_noise("speech_commands_v0.02", subset="train")  # doctest: +SKIP
    >>> len(noise), noise[0].dtype  # doctest: +SKIP
    (6, dtype('float32'))
    """
    index = scan_speech_commands(path)
    low, high = _noise_bounds(subset)
    out = []
    for file in index["background"]:
        frames, file_sr = _header(file)
        start, stop = int(low * frames), int(high * frames)
        if stop > start:
            out.append(_read_window(file, start, stop - start, file_sr, sr, "float32"))
    return out


def _silence_windows(background, subset, n, sr_out, rng):
    """``n`` one-second windows from the noise recordings, from the subset's stretch of each."""
    if n == 0:
        return []
    bounds = _noise_bounds(subset)
    usable = []
    for path in background:
        frames, file_sr = _header(path)
        win = int(round(SILENCE_SECONDS * file_sr))
        lo, hi = int(bounds[0] * frames), int(bounds[1] * frames)
        if hi - lo >= win:
            usable.append((path, file_sr, win, lo, hi))
    if not usable:
        raise ValueError(
            f"task='12' cuts {SILENCE} clips from {BACKGROUND_NOISE}/, but no recording there "
            f"has a {SILENCE_SECONDS:g} s stretch in the {subset!r} part ({bounds[0]:.0%} to "
            f"{bounds[1]:.0%} of each recording). Restore {BACKGROUND_NOISE}/ from the "
            "archive, or use task='words'."
        )
    picks = rng.integers(len(usable), size=n)
    windows = []
    for k in picks:
        path, file_sr, win, lo, hi = usable[k]
        start = int(rng.integers(lo, hi - win + 1))
        windows.append((path, file_sr, start, win, _out_len(win, file_sr, sr_out)))
    return windows


@validate_params(
    {
        "path": [str, os.PathLike],
        "words": [None, list, tuple],
        "subset": [StrOptions({"train", "validation", "test", "all"})],
        "task": [StrOptions({"words", "12", "35"})],
        "sr": [None, Interval(Integral, 1, None, closed="left")],
        "dtype": [StrOptions({"float32", "float64"})],
        "min_duration": [None, Interval(Real, 0, None, closed="left")],
        "return_X_y": ["boolean"],
        "verbose": ["verbose"],
        "on_error": [StrOptions({"raise", "skip"})],
        "lazy": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_speech_commands(path, *, words=None, subset="train", task="words", sr=None,
                         dtype="float32", min_duration=None, return_X_y=False, verbose=False,
                         on_error="raise", unknown_percentage=UNKNOWN_PERCENTAGE, lazy=False):
    """Load the Speech Commands dataset from its folder, with its official subsets.

    Reads the dataset's own layout: one folder per word of
    ``<speaker>_nohash_<n>.wav`` clips, ``validation_list.txt``,
    ``testing_list.txt`` and ``_background_noise_/``. Nothing is downloaded
    (see :func:`fetch_speech_commands`).

    Parameters
    ----------
    path : str or path-like
        The extracted archive's folder (v0.01 or v0.02), or the separate v0.02
        test-set archive's folder (all test; it holds ``_silence_/`` and
        ``_unknown_/``).
    words : list of str, default=None
        The words to recognise, in the order of ``target_names``. ``None``
        means the tutorial's ten: yes, no, up, down, left, right, on, off,
        stop, go. Not allowed with ``task="35"``.
    subset : {"train", "validation", "test", "all"}, default="train"
        From the lists (entries match with forward slashes or backslashes);
        without the lists, from the SHA-1 speaker rule (see :func:`which_set`),
        so no speaker is in two subsets.
    task : {"words", "12", "35"}, default="words"
        "words": only the clips of ``words``. "12": the standard task,
        ``words`` plus ``_silence_`` and ``_unknown_`` (proportions in
        ``DESCR``: 10 % each, fixed seed). "35": every word folder (30 in
        v0.01).
    sr : int, default=None
        Resample to this rate on load (polyphase); ``None`` keeps the files'
        16 kHz.
    dtype : {"float32", "float64"}, default="float32"
        Dtype of the clips.
    min_duration : float, default=None
        Drop clips shorter than this many seconds (read from the file
        headers, before anything is loaded). ``None`` keeps all clips, also
        the ones shorter than 1 s.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    verbose : bool or int, default=False
        Show a progress bar while reading.

    unknown_percentage : float or "all", default=10.0
        With ``task="12"``: how many ``_unknown_`` clips to draw, as a
        percentage of the subset's clips of ``words`` (10 % is the standard
        task, which validation and test scores should keep). ``"all"``
        takes every clip of the other words in the subset: more material
        for a model to learn what is not a command, so fewer false alarms
        (what ``skspeech train`` does for its training clips).
    on_error : {"raise", "skip"}, default="raise"
        What to do with a clip that cannot be read (corrupt, truncated,
        not audio): "raise" stops with an error naming the file; "skip"
        leaves such clips out and warns once with a
        :class:`~skspeech.exceptions.SkippedFilesWarning` listing each file
        and the reason.
    lazy : bool, default=False
        Read no samples: ``data`` is an :class:`~skspeech.io.AudioFiles`
        naming each clip's file (and, for ``_silence_``, its window), read
        when a model asks for the clips, batch by batch. For data sets larger
        than memory: the keyword-spotting and Conv1D recipes train on it in
        memory that does not grow with the number of clips. Only the headers
        are read here, so ``on_error`` applies to files whose header cannot
        be read; a file corrupt beyond its header fails when it is read.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With attributes:

        data : ndarray of shape (n_clips, n_samples), list of ndarray or AudioFiles
            A 2-D array when all clips have one length, else a list of 1-D
            arrays; ``dtype`` throughout (with ``lazy=True``, the same clips
            as an :class:`~skspeech.io.AudioFiles`). The clips are sorted by word and
            file name, ``_silence_`` last. Memory: the clips and nothing
            more (the lengths are read from the headers first, so no list
            is stacked into a copy).
        target : ndarray of shape (n_clips,), str
            The class: a word, ``"_unknown_"`` or ``"_silence_"``.
        target_names : list of str
            The classes, in the order of ``words`` (then ``"_silence_"``,
            ``"_unknown_"`` for task "12").
        word : ndarray of shape (n_clips,), str
            The folder a clip came from (the word actually said, also for
            ``_unknown_`` clips); ``"_background_noise_"`` for silence.
        speaker : ndarray of shape (n_clips,), str
            The speaker id from the file name; for silence clips, the noise
            recording's name.
        filenames : ndarray of shape (n_clips,), str
            The file each clip was read from.
        start : ndarray of shape (n_clips,), float
            Where the clip starts in its file, in seconds (0 except for
            silence windows).
        sr : int
            The sample rate of ``data``.
        DESCR : str
            Description, subsets, task proportions, licence and citation.
        skipped : list of (str, str)
            The files left out with ``on_error="skip"`` and why (path,
            reason); empty otherwise.

    (data, target) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If the folder or one list is missing, or holds no word folders.
    skspeech.exceptions.InvalidAudioError
        If a clip cannot be read (the message names the file), unless
        ``on_error="skip"``.
    ValueError
        If a word has no folder, or the files have different sample rates and
        ``sr`` is None.

    See Also
    --------
    fetch_speech_commands : Download the dataset, then load it.
    which_set : The SHA-1 speaker rule.

    Examples
    --------
    >>> from skspeech.datasets import load_speech_commands
    >>> train = load_speech_commands("speech_commands_v0.02")  # doctest: +SKIP
    >>> train.sr, train.target_names[:3], sorted(set(train.target))[:2]  # doctest: +SKIP
    (16000, ['yes', 'no', 'up'], ['down', 'go'])
    >>> twelve = load_speech_commands("speech_commands_v0.02", subset="validation",
    ...                               task="12", sr=8000)  # doctest: +SKIP
    >>> load_speech_commands("no/such/folder")
    Traceback (most recent call last):
    ...
    FileNotFoundError: No Speech Commands folder at 'no/such/folder'. Pass the folder ...
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip'; got {on_error!r}.")
    if not (unknown_percentage == "all" or (
            isinstance(unknown_percentage, Real) and not isinstance(unknown_percentage, bool)
            and 0 <= unknown_percentage < float("inf"))):
        raise ValueError("unknown_percentage must be a number >= 0 or 'all'; got "
                         f"{unknown_percentage!r}.")
    index = scan_speech_commands(path)
    root = index["root"]
    available = sorted(index["words"])
    skipped = []  # (path, reason)
    if task == "35":
        if words is not None:
            raise ValueError("task='35' keeps every word folder; leave words=None (or use "
                             "task='words' to choose words).")
        words = available
    else:
        words = list(TEN_WORDS if words is None else words)
        if not words or not all(isinstance(w, str) for w in words) \
                or len(set(words)) != len(words):
            raise ValueError(f"words must be a non-empty list of distinct strings; got {words!r}.")
        missing = [w for w in words if w not in index["words"]]
        if missing:
            raise ValueError(
                f"No folder for the word(s) {missing} in {str(root)!r}. The folder has: "
                f"{', '.join(available)}. Choose words from these."
            )
    if index["kind"] == "test_set" and subset in ("train", "validation"):
        raise ValueError(
            f"{str(root)!r} is the separate test-set archive ({UNKNOWN}/ and {SILENCE}/ "
            "folders, no lists): every clip in it is test. Use subset='test', or pass the "
            "main archive's folder for train and validation."
        )

    def in_subset(word, name):
        return subset == "all" or subset_of(index, word, name) == subset

    min_frames_s = 0.0 if min_duration is None else float(min_duration)
    progress = _progress_factory(verbose)

    # 1. The clips wanted, with lengths from the headers (no samples read yet).
    rows = []  # (target, word, speaker, path, start_frame, n_frames, file_sr)

    def keep(target, word, name, file_path):
        try:
            frames, file_sr = _header(file_path)
        except InvalidAudioError as exc:
            if on_error == "raise":
                raise
            skipped.append((file_path, str(exc)))
            return False
        if frames < min_frames_s * file_sr:
            return False
        rows.append((target, word, speaker_of(name), file_path, 0, frames, file_sr))
        return True

    candidates = [(w, n) for w in words for n in index["words"][w] if in_subset(w, n)]
    for w, n in progress(candidates, desc="Reading headers", unit="clip"):
        keep(w, w, n, root / w / n)
    n_word_clips = len(rows)
    silence = []
    if task == "12":
        if index["kind"] == "test_set":
            for label in (SILENCE, UNKNOWN):
                for n in index["special"].get(label, []):
                    keep(label, label, n, root / label / n)
        else:
            others = [(w, n) for w in available if w not in words
                      for n in index["words"][w] if in_subset(w, n)]
            quota = len(others) if unknown_percentage == "all" else min(
                len(others), math.ceil(n_word_clips * unknown_percentage / 100))
            rng = np.random.default_rng(SEED)
            taken = 0
            for k in rng.permutation(len(others)):
                if taken == quota:
                    break
                w, n = others[k]
                taken += keep(UNKNOWN, w, n, root / w / n)
            n_silence = math.ceil(n_word_clips * SILENCE_PERCENTAGE / 100)
            if n_silence and not index["background"]:
                raise ValueError(
                    f"task='12' cuts {SILENCE} clips from {BACKGROUND_NOISE}/, which is "
                    f"missing or empty in {str(root)!r}. Restore it from the archive, or use "
                    "task='words'."
                )
            silence = _silence_windows(index["background"], subset, n_silence, sr,
                                       np.random.default_rng(SEED + 1))
    if not rows and not silence:
        if skipped:
            raise InvalidAudioError(
                f"No readable clips of {words} in the {subset!r} subset of {str(root)!r}: "
                + _skipped_message(skipped))
        raise ValueError(
            f"No clips of {words} in the {subset!r} subset of {str(root)!r}"
            + (f" at least {min_duration} s long" if min_duration else "") + "."
        )
    rates = {r[6] for r in rows} | {s[1] for s in silence}
    if sr is None and len(rates) > 1:
        raise ValueError(
            f"The clips in {str(root)!r} have different sample rates {sorted(rates)}; pass sr "
            "(e.g. sr=16000) to resample them all to one rate."
        )
    out_sr = sr if sr is not None else rates.pop()
    lengths = [_out_len(r[5], r[6], sr) for r in rows] + [s[4] for s in silence]

    if lazy:  # the same clips, read when a model asks for them
        from ..io import AudioFiles

        data = AudioFiles([r[3] for r in rows] + [s[0] for s in silence], sr=int(out_sr),
                          dtype=dtype, offset=[0.0] * len(rows) + [s[2] / s[1] for s in silence],
                          duration=[None] * len(rows) + [s[3] / s[1] for s in silence])
        equal, jobs = False, []
    else:  # 2. One allocation for the output; each clip is read straight into its place.
        equal = len(set(lengths)) == 1
        data = np.empty((len(lengths), lengths[0]), dtype=dtype) if equal else []
        jobs = [(r[3], None) for r in rows] + [(s[0], s) for s in silence]
    bad = []  # indices of jobs that could not be read
    for i, (file_path, window) in enumerate(progress(jobs, desc=f"Loading {subset}",
                                                     unit="clip")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", TruncatedAudioWarning)
                if window is None:
                    x, _ = read_audio(file_path, sr=sr, dtype=dtype)
                else:
                    _, file_sr, start, win, _ = window
                    x = _read_window(file_path, start, win, file_sr, sr, dtype)
            if len(x) != lengths[i]:
                raise InvalidAudioError(
                    f"{str(file_path)!r}: its header promises {lengths[i]} samples but "
                    f"{len(x)} were read; the file is corrupt. Delete it or fetch the dataset "
                    "again.")
        except (InvalidAudioError, TruncatedAudioWarning, OSError) as exc:
            if on_error == "raise":
                if isinstance(exc, TruncatedAudioWarning):
                    raise InvalidAudioError(str(exc)) from None
                raise
            skipped.append((file_path, str(exc)))
            bad.append(i)
            x = np.zeros(lengths[i], dtype=dtype)  # a placeholder, dropped below
        if equal:
            data[i] = x
        else:
            data.append(x)
    if bad:
        keep_idx = np.setdiff1d(np.arange(len(jobs)), bad)
        data = data[keep_idx] if equal else [data[k] for k in keep_idx]
        n_rows = len(rows)
        rows = [r for k, r in enumerate(rows) if k not in set(bad)]
        silence = [w for k, w in enumerate(silence) if n_rows + k not in set(bad)]
        if not len(data):
            raise InvalidAudioError(f"No readable clips in the {subset!r} subset of "
                                    f"{str(root)!r}: " + _skipped_message(skipped))
    if skipped:
        warnings.warn(f"load_speech_commands: {_skipped_message(skipped)}",
                      SkippedFilesWarning, stacklevel=2)

    target = np.array([r[0] for r in rows] + [SILENCE] * len(silence))
    if return_X_y:
        return data, target
    target_names = list(words) + ([SILENCE, UNKNOWN] if task == "12" else [])
    word = np.array([r[1] for r in rows] + [BACKGROUND_NOISE] * len(silence))
    speaker = np.array([r[2] for r in rows] + [Path(s[0]).stem for s in silence])
    filenames = np.array([str(r[3]) for r in rows] + [str(s[0]) for s in silence])
    start = np.array([0.0] * len(rows) + [s[2] / s[1] for s in silence])
    n_short = sum(1 for r in rows if r[5] < r[6])
    train_pct = 100 - VALIDATION_PERCENTAGE - TESTING_PERCENTAGE
    n_unknown = int(np.sum(target == UNKNOWN))
    unknown_pct = (f"{UNKNOWN_PERCENTAGE:g} %" if unknown_percentage == UNKNOWN_PERCENTAGE else
                   f"{100 * n_unknown / max(n_word_clips, 1):.3g} % (unknown_percentage="
                   f"{unknown_percentage!r})")
    descr = wrap_paragraphs(_DESCR.format(
        unknown_pct=unknown_pct, silence_pct=SILENCE_PERCENTAGE, seed=SEED,
        train_pct=train_pct, val_pct=VALIDATION_PERCENTAGE, test_pct=TESTING_PERCENTAGE,
        path=str(root), subset=subset, task=task, n_clips=len(target),
        n_classes=len(set(target.tolist())), n_speakers=len({r[2] for r in rows}),
        sr=out_sr, resampled="" if sr is None else " (resampled on load)", n_short=n_short,
        short_note=(" (kept)" if min_duration is None
                    else f" (clips under {min_duration:g} s dropped)"),
    ))
    return Bunch(data=data, target=target, target_names=target_names, word=word,
                 speaker=speaker, filenames=filenames, start=start, sr=int(out_sr),
                 DESCR=descr, skipped=[(str(p), reason) for p, reason in skipped])


def _skipped_message(skipped):
    """One message listing the files left out and why."""
    lines = "; ".join(f"{Path(p).name}: {reason}" for p, reason in skipped[:20])
    more = f"; and {len(skipped) - 20} more" if len(skipped) > 20 else ""
    return (f"left out {len(skipped)} clip(s) that cannot be read: {lines}{more}. Delete or "
            "replace these files.")


def _progress_factory(verbose):
    if not verbose:
        return lambda it, **kwargs: it

    def progress(it, **kwargs):
        from tqdm.auto import tqdm

        return tqdm(it, leave=False, dynamic_ncols=True, **kwargs)

    return progress
