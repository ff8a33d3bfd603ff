"""Features of audio files, streamed in chunks: folders larger than memory.

A folder of 100,000 one-second 16 kHz clips is 6.4 GB as float32 waveforms,
but its pooled MFCC statistics are a few tens of MB. :class:`FeatureExtractor`
takes file *paths*, reads ``chunk_size`` files at a time, sends each chunk
through a feature front end (preprocessing and feature transformers) and keeps
only the front end's output: the waveforms of one chunk per job are the only
audio in memory. Chunks can run in parallel with joblib (processes by default,
or a Dask cluster through ``joblib.parallel_backend("dask")``); each job reads
its own files, so only paths travel to the workers and features come back.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted

from .._validation import check_sr
from ..exceptions import InvalidAudioError


def _check_paths(X, name="FeatureExtractor"):
    """A list of path strings from ``X`` (a sequence of str / path-like)."""
    if isinstance(X, (str, bytes, os.PathLike)):
        raise ValueError(
            f"{name} expects a list of audio file paths; got a single path {os.fspath(X)!r}. "
            "Pass [path], or list a folder: sorted(pathlib.Path(folder).rglob('*.wav'))."
        )
    if isinstance(X, np.ndarray) and X.dtype.kind in "biufc":
        raise ValueError(
            f"{name} expects a list of audio file paths; got a numeric array of shape "
            f"{X.shape}. For clips already in memory, use the front end (e.g. MFCC) directly."
        )
    try:
        paths = [os.fspath(p) for p in X]
    except TypeError as exc:
        raise ValueError(
            f"{name} expects a list of audio file paths (str or pathlib.Path); got "
            f"{type(X).__name__} with an element that is not a path: {exc}."
        ) from exc
    if not paths:
        raise ValueError(f"{name} got an empty list of paths; expected at least one file.")
    return paths


def _read_chunk(paths, sr):
    """Read the files of one chunk: (list of 1-D float32 clips, common sample rate)."""
    from ..io import read_audio

    clips, rate = [], None
    for path in paths:
        y, file_sr = read_audio(path, sr=sr)
        if rate is None:
            rate = file_sr
        elif file_sr != rate:
            raise InvalidAudioError(
                f"FeatureExtractor: {path!r} is at {file_sr} Hz but {paths[0]!r} at {rate} Hz; "
                "set FeatureExtractor(sr=...) to resample every file to one rate."
            )
        clips.append(y)
    return clips, rate


def _extract_chunk(front, paths, sr, expected_sr):
    """Features of one chunk of files (runs in a joblib worker)."""
    clips, rate = _read_chunk(paths, sr)
    if rate != expected_sr:
        raise InvalidAudioError(
            f"FeatureExtractor: {paths[0]!r} is at {rate} Hz but the files seen in fit were "
            f"at {expected_sr} Hz; set FeatureExtractor(sr=...) to resample every file to one "
            "rate."
        )
    out = front.transform(clips)
    if hasattr(out, "to_numpy"):  # pandas output of the front end
        out = out.to_numpy()
    return out


def _default_front(sr):
    from sklearn.pipeline import make_pipeline

    from ._deltas import Deltas
    from ._mel import MFCC
    from ._stats import FrameStats

    return make_pipeline(MFCC(sr), Deltas(), FrameStats())


class FeatureExtractor(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Compute features of audio files chunk by chunk, in bounded memory.

    ``transform`` takes a list of file paths, reads ``chunk_size`` files at a
    time (with :func:`skspeech.io.read_audio`), passes each chunk through the
    fitted ``front`` and writes its output into one preallocated array. Only
    one chunk of waveforms per job is ever in memory, so a folder far larger
    than RAM becomes a feature matrix, the only large object. With ``front``
    ending in :class:`FrameStats`, 100,000 one-second clips give a
    ``(100000, n_features)`` float32 array (about 40 MB for 104 features)
    instead of 6.4 GB of float32 audio.

    ``fit`` reads the first chunk only and fits a clone of ``front`` on it,
    without labels: meant for stateless front ends (MFCC, Deltas, CMVN,
    Resampler, PadTrim with ``target_length`` set) and those whose state can
    be learned from one chunk (FrameStats). Put learned steps such as
    StandardScaler and the classifier after the extractor in a Pipeline.

    Chunks run in parallel with ``n_jobs`` (joblib processes by default). Each
    job gets paths and reads its own files, so under
    ``joblib.parallel_backend("dask")`` the chunks run on a Dask cluster
    whose workers see the same files (shared or copied storage) and only
    paths and features cross the network.

    In a ``Pipeline(memory=...)``, fitting the extractor (and its features of
    the training files) is cached on the list of paths and the parameters:
    a grid search over later steps computes them once per training split. The
    cache key is the paths, not the file contents: clear the cache if files
    change. Fastest for grid searches: compute the features once with
    ``fit_transform`` and search over a pipeline of the later steps.

    Parameters
    ----------
    front : estimator or Pipeline, default=None
        Transformer(s) from a list of 1-D clips at the files' rate (or ``sr``)
        to features; cloned in ``fit``. Its output for a chunk is an array
        with one row per clip (2-D, or 3-D with equal frame counts) or a
        list. ``None`` means ``make_pipeline(MFCC(sr), Deltas(),
        FrameStats())`` at the files' rate.
    sr : int, default=None
        Resample every file to this rate when read; ``None`` keeps the files'
        rate, which must then be the same for all files.
    chunk_size : int, default=500
        Files read and transformed together. Memory per job is about
        ``chunk_size`` times one clip's float32 samples plus its features
        (32 MB of audio for 500 one-second 16 kHz clips); larger chunks
        amortise per-call overhead.
    n_jobs : int, default=None
        Chunks transformed in parallel by joblib (processes by default, the
        active backend inside ``joblib.parallel_backend``). ``None`` means 1
        unless in such a context; -1 means all processors. The output does
        not depend on it (the chunks are the same).
    verbose : int, default=0
        joblib progress messages with ``n_jobs``.

    Attributes
    ----------
    front_ : estimator
        The fitted clone of ``front``.
    sr_ : int
        Sample rate of the clips given to ``front_``.

    See Also
    --------
    MFCC : Cepstral coefficients, the default front end.
    FrameStats : Pool frames into one row per clip (the output that keeps memory small).
    skspeech.io.read_audio : How each file is read.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skspeech.features import MFCC, FeatureExtractor, FrameStats
    >>> from skspeech.io import read_audio, write_audio
    >>> folder = tempfile.mkdtemp()
    >>> t = np.arange(8000) / 8000
    >>> paths = []
    >>> for i, f in enumerate([300, 500, 700, 900, 1100]):
    ...     paths.append(os.path.join(folder, f"tone_{i}.wav"))
    ...     write_audio(paths[-1], 0.5 * np.sin(2 * np.pi * f * t), 8000)
    >>> ext = FeatureExtractor(make_pipeline(MFCC(8000), FrameStats()), chunk_size=2)
    >>> features = ext.fit_transform(paths)
    >>> features.shape, features.dtype, ext.sr_
    ((5, 26), dtype('float32'), 8000)
    >>> in_memory = [read_audio(p)[0] for p in paths]  # what the chunks avoid
    >>> ref = make_pipeline(MFCC(8000), FrameStats()).fit_transform(in_memory)
    >>> bool(np.allclose(features, ref, atol=1e-5))
    True
    """

    _parameter_constraints = {
        "front": [HasMethods(["fit", "transform"]), None],
        "sr": [Interval(Integral, 1, None, closed="left"), None],
        "chunk_size": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, front=None, *, sr=None, chunk_size=500, n_jobs=None, verbose=0):
        self.front = front
        self.sr = sr
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Sequence[str | os.PathLike], y: ArrayLike | None = None
            ) -> FeatureExtractor:
        """Read the first ``chunk_size`` files and fit a clone of ``front`` on them.

        Parameters
        ----------
        X : list of str or path-like
            Audio files.
        y : None
            Ignored (the front end is fitted without labels).

        Returns
        -------
        self : FeatureExtractor
        """
        paths = _check_paths(X)
        sr = None if self.sr is None else check_sr(self.sr)
        clips, rate = _read_chunk(paths[:self.chunk_size], sr)
        front = _default_front(rate) if self.front is None else clone(self.front)
        self.front_ = front.fit(clips)
        self.sr_ = int(rate)
        return self

    def transform(self, X: Sequence[str | os.PathLike]) -> np.ndarray | list[np.ndarray]:
        """Features of every file, computed ``chunk_size`` files at a time.

        Parameters
        ----------
        X : list of str or path-like
            Audio files, at the rate seen in ``fit`` unless ``sr`` is set.

        Returns
        -------
        features : ndarray of shape (n_files, ...) or list
            The front end's outputs for all chunks, in file order: one array
            when it returns arrays (their trailing shapes must agree), a list
            when it returns lists.
        """
        check_is_fitted(self)
        paths = _check_paths(X)
        size = int(self.chunk_size)
        chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
        sr = None if self.sr is None else check_sr(self.sr)
        if effective_n_jobs(self.n_jobs) == 1 or len(chunks) == 1:
            results = (_extract_chunk(self.front_, c, sr, self.sr_) for c in chunks)
        else:
            results = Parallel(n_jobs=self.n_jobs, verbose=self.verbose,
                               return_as="generator")(
                delayed(_extract_chunk)(self.front_, c, sr, self.sr_) for c in chunks)
        return _assemble(results, chunks, len(paths))

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Output names of the fitted front end's last step (2-D outputs only).

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        from sklearn.pipeline import Pipeline

        check_is_fitted(self)
        # The front's first steps take clips (no feature names): ask the last step.
        last = self.front_[-1] if isinstance(self.front_, Pipeline) else self.front_
        if not hasattr(last, "get_feature_names_out"):
            raise AttributeError(
                f"The front end's last step {type(last).__name__} has no "
                "get_feature_names_out; end it with a pooling step such as FrameStats."
            )
        return last.get_feature_names_out()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Input is a list of file paths, not a numeric array: sklearn's generic
        # estimator checks do not apply (tests/test_performance.py covers it).
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


def _assemble(results, chunks, n_files):
    """Write chunk outputs into one array (allocated from the first chunk) or a list."""
    out, lo = None, 0
    for chunk, part in zip(chunks, results, strict=True):
        if isinstance(part, list):
            if out is None:
                out = []
            elif not isinstance(out, list):
                raise TypeError("FeatureExtractor: the front end returned an array for one "
                                "chunk and a list for another.")
            out.extend(part)
            lo += len(part)
            continue
        part = np.asarray(part)
        if part.ndim == 0 or len(part) != len(chunk):
            raise ValueError(
                f"FeatureExtractor: the front end returned {part.shape} for a chunk of "
                f"{len(chunk)} files; it must return one row per clip."
            )
        if out is None:
            out = np.empty((n_files, *part.shape[1:]), dtype=part.dtype)
        elif isinstance(out, list) or out.shape[1:] != part.shape[1:]:
            raise ValueError(
                f"FeatureExtractor: chunk outputs differ in shape ({out.shape[1:]} then "
                f"{getattr(part, 'shape', None)[1:]}): clips of different lengths give "
                "different frame counts. End the front end with FrameStats, or pad the clips "
                "with PadTrim(target_length=...)."
            )
        out[lo:lo + len(part)] = part
        lo += len(part)
    return out
