"""The Speech Commands dataset (Warden, 2018), read from its own folder layout."""

import math
import os
import warnings
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..exceptions import InvalidAudioError, SkippedFilesWarning, TruncatedAudioWarning
from ..io import read_audio
from ._base import wrap_paragraphs
from ._speech_commands_layout import (  # noqa: F401 (re-exported for the CLI)
    BACKGROUND_NOISE,
    SEED,
    SILENCE,
    SILENCE_PERCENTAGE,
    TEN_WORDS,
    TESTING_LIST,
    TESTING_PERCENTAGE,
    UNKNOWN,
    UNKNOWN_PERCENTAGE,
    VALIDATION_LIST,
    VALIDATION_PERCENTAGE,
    _header,
    _out_len,
    _read_window,
    scan_speech_commands,
    speaker_of,
    subset_of,
    which_set,
)
from ._speech_commands_noise import (
    _silence_windows,
    background_noise,
)

__all__ = ["background_noise", "load_speech_commands"]


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


def _check_excluded(exclude_words, index, words):
    """The held-out words as a set, checked against the folder and ``words``."""
    if exclude_words is None:
        return set()
    if isinstance(exclude_words, str) or not all(isinstance(w, str) for w in exclude_words):
        raise ValueError("exclude_words must be a list of word folder names; got "
                         f"{exclude_words!r}.")
    missing = [w for w in exclude_words if w not in index["words"]]
    if missing:
        raise ValueError(f"exclude_words names no folder in {str(index['root'])!r}: {missing}. "
                         f"The folder has: {', '.join(sorted(index['words']))}.")
    both = sorted(set(exclude_words) & set(words or ()))
    if both:
        raise ValueError(f"The word(s) {both} are both in words and in exclude_words; a word "
                         "is either recognised or held out.")
    return set(exclude_words)


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
        "exclude_words": [None, list, tuple],
    },
    prefer_skip_nested_validation=True,
)
def load_speech_commands(path, *, words=None, subset="train", task="words", sr=None,
                         dtype="float32", min_duration=None, return_X_y=False, verbose=False,
                         on_error="raise", unknown_percentage=UNKNOWN_PERCENTAGE, lazy=False,
                         exclude_words=None):
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
    exclude_words : list of str, default=None
        Word folders to leave out of every class (not even ``_unknown_``):
        words held out, for example to test how a model learns new words
        from a few clips of words it never heard (see
        :func:`~skspeech.pipelines.custom_words_pipeline`).

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
    excluded = _check_excluded(exclude_words, index,
                               TEN_WORDS if words is None and task != "35" else words)
    available = sorted(w for w in index["words"] if w not in excluded)
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
            background = []
            for noise_path in index["background"] if n_silence else []:
                try:
                    _header(noise_path)
                except InvalidAudioError as exc:  # the others give the windows
                    if on_error == "raise":
                        raise InvalidAudioError(
                            f"{exc} It is a {BACKGROUND_NOISE} recording, which {SILENCE} "
                            "clips are cut from.") from None
                    skipped.append((noise_path, str(exc)))
                    continue
                background.append(noise_path)
            if n_silence and not background and index["background"]:
                raise InvalidAudioError(
                    f"task='12' cuts {SILENCE} clips from {BACKGROUND_NOISE}/, but none of its "
                    f"recordings in {str(root)!r} can be read: " + _skipped_message(skipped))
            if n_silence and not index["background"]:
                raise ValueError(
                    f"task='12' cuts {SILENCE} clips from {BACKGROUND_NOISE}/, which is "
                    f"missing or empty in {str(root)!r}. Restore it from the archive, or use "
                    "task='words'."
                )
            silence = _silence_windows(background, subset, n_silence, sr,
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
                          duration=[None] * len(rows) + [s[3] / s[1] for s in silence],
                          truncated="error")  # as the clips read here: a cut file is refused
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
