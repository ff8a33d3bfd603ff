"""AudioFiles: a sequence of audio files whose clips are read only when needed."""

from __future__ import annotations

import os
from numbers import Integral
from typing import Any

import numpy as np

from .._validation import check_sr
from ..exceptions import InvalidAudioError
from ._audio import mono_clip
from ._clips import LazyClips, _as_indices

__all__ = ["AudioFiles"]


def _per_clip(value: Any, n: int, name: str, *, positive: bool) -> np.ndarray | None:
    """None, or one float per clip (a number is used for every clip), checked."""
    if value is None:
        return None
    arr = np.asarray(value, dtype=object)
    try:
        arr = np.full(n, float(value)) if arr.ndim == 0 else np.asarray(
            [np.nan if v is None else float(v) for v in arr], dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number of seconds or one per file; got "
                         f"{value!r:.80}.") from None
    if arr.shape != (n,):
        raise ValueError(f"{name} must hold one value per file ({n}); got {arr.shape[0]}.")
    given = arr[~np.isnan(arr)]
    bad = ~np.isfinite(given) | ((given <= 0) if positive else (given < 0))
    if bad.any():
        what = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be finite numbers of seconds {what}; got "
                         f"{given[bad][0]!r}.")
    return arr


class AudioFiles(LazyClips):
    """Audio files as a sequence of clips, read only when needed.

    Stands where a list of clips would (``Pipeline.fit(files, y)``,
    ``predict``, ``GridSearchCV``, :func:`~skspeech.model_selection.speaker_cv_score`)
    but holds only the file names: indexing with one int reads that clip;
    with a slice, a list of ints or a boolean mask it gives another
    ``AudioFiles`` without reading anything; :meth:`read` reads a batch.
    Cheap to pickle and to send to joblib workers (names, not samples).
    The keyword-spotting and Conv1D recipes train on it batch by batch,
    with memory that does not grow with the number of files.

    Parameters
    ----------
    paths : sequence of str or path-like
        The files, in any format :func:`~skspeech.io.read_audio` reads.
    sr : int, default=None
        Resample every clip to this rate (polyphase); None keeps each file's
        rate (they should agree).
    offset : float or sequence of float, default=None
        Where each clip starts in its file, in seconds (one number for all
        files, or one per file); None starts at 0.
    duration : float or sequence of float or None, default=None
        How long each clip is, in seconds; None (or a None entry) reads to
        the end of the file.
    dtype : {"float32", "float64"}, default="float32"
        Dtype of the clips.
    truncated : {"warn", "error"}, default="warn"
        A whole file cut short: see :func:`~skspeech.io.read_audio`
        (``load_speech_commands(lazy=True)`` gives "error", as it refuses such
        files when it reads them itself).

    Attributes
    ----------
    paths : ndarray of shape (n_clips,), str
        The file of each clip.

    See Also
    --------
    skspeech.datasets.load_speech_commands : ``lazy=True`` returns one.
    skspeech.io.read_audio : How each file is read.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skspeech.io import AudioFiles, write_audio
    >>> folder = tempfile.mkdtemp()
    >>> paths = [os.path.join(folder, f"{k}.wav") for k in range(3)]
    >>> for k, path in enumerate(paths):
    ...     write_audio(path, 0.1 * np.sin(np.arange(8000 + 800 * k) / (5 + k)), 8000)
    >>> files = AudioFiles(paths, sr=8000)
    >>> len(files), files.shape, files[1].shape
    (3, (3,), (8800,))
    >>> files[[0, 2]]
    AudioFiles(2 files, sr=8000)
    >>> [len(clip) for clip in files.read([2, 0])]
    [9600, 8000]
    >>> AudioFiles(paths, sr=8000, offset=0.5, duration=0.25).read().shape
    (3, 2000)
    """

    def __init__(self, paths, *, sr=None, offset=None, duration=None, dtype="float32",
                 truncated="warn"):
        if isinstance(paths, (str, bytes, os.PathLike)):
            raise ValueError(f"paths must be a sequence of audio file names; got a single path "
                             f"{os.fsdecode(paths)!r}. Pass [path], or list a folder: "
                             "sorted(pathlib.Path(folder).rglob('*.wav')).")
        try:
            names = [os.fsdecode(os.fspath(p)) for p in paths]
        except TypeError as exc:
            raise ValueError(f"paths must be a sequence of audio file names (str or "
                             f"pathlib.Path); got {type(paths).__name__} holding something "
                             f"else: {exc}.") from None
        if not names:
            raise ValueError("paths is empty; AudioFiles needs at least one file.")
        if sr is not None:
            sr = check_sr(sr)
        if dtype not in ("float32", "float64", np.float32, np.float64):
            raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype!r}.")
        if truncated not in ("warn", "error"):
            raise ValueError(f"truncated must be 'warn' or 'error'; got {truncated!r}.")
        self.truncated = truncated
        self.paths = np.asarray(names, dtype=str)
        self.sr = sr
        self.dtype = np.dtype(dtype).name
        self.offset = _per_clip(offset, len(names), "offset", positive=False)
        if self.offset is not None and np.isnan(self.offset).any():
            raise ValueError("offset must be a number of seconds for every file; got None "
                             "entries (use 0).")
        self.duration = _per_clip(duration, len(names), "duration", positive=True)

    @classmethod
    def _from_parts(cls, paths, sr, offset, duration, dtype, truncated="warn"):
        new = cls.__new__(cls)
        new.paths, new.sr, new.offset, new.duration, new.dtype = paths, sr, offset, duration, dtype
        new.truncated = truncated
        return new

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, key):
        if isinstance(key, (Integral, np.integer)) and not isinstance(key, bool):
            return super().__getitem__(key)
        idx = _as_indices(key, len(self), "AudioFiles")
        return self._from_parts(self.paths[idx], self.sr,
                                None if self.offset is None else self.offset[idx],
                                None if self.duration is None else self.duration[idx],
                                self.dtype, getattr(self, "truncated", "warn"))

    def __repr__(self) -> str:
        window = "" if self.offset is None and self.duration is None else ", windows"
        return f"AudioFiles({len(self)} files, sr={self.sr}{window})"

    def _read(self, indices, epoch):
        return [self._read_one(int(i)) for i in indices]

    def _read_one(self, i: int) -> np.ndarray:
        from ._audio import read_audio

        path = self.paths[i]
        offset = 0.0 if self.offset is None else float(self.offset[i])
        duration = None if self.duration is None or np.isnan(self.duration[i]) \
            else float(self.duration[i])
        if offset == 0.0 and duration is None:
            return read_audio(path, sr=self.sr, dtype=self.dtype,
                              truncated=getattr(self, "truncated", "warn"))[0]
        return _read_window(path, offset, duration, self.sr, self.dtype)


def _read_window(path: str, offset: float, duration: float | None, sr: int | None,
                 dtype: str) -> np.ndarray:
    """``duration`` seconds from ``offset`` of a file (only those samples are read), mono,
    resampled to ``sr``: what ``load_speech_commands`` reads for its silence windows."""
    import soundfile as sf

    from ._audio import _reason, _shown, sf_name

    if not os.path.isfile(path):
        raise FileNotFoundError(f"No audio file at {_shown(path)}.")
    try:
        with sf.SoundFile(sf_name(path)) as f:
            file_sr, frames = f.samplerate, f.frames
            start = int(round(offset * file_sr))
            n = -1 if duration is None else int(round(duration * file_sr))
            if start >= frames:
                raise InvalidAudioError(
                    f"{_shown(path)} is {frames / file_sr:g} s long; offset={offset:g} s starts "
                    "past its end.")
            f.seek(start)
            y = f.read(n, dtype="float64", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise InvalidAudioError(f"Cannot read {_shown(path)} as audio: {_reason(exc)}.") from exc
    if not len(y):
        raise InvalidAudioError(f"{_shown(path)} holds no samples from offset={offset:g} s.")
    return mono_clip(y, path, file_sr, sr, dtype)
