"""Audio files in and out, through soundfile (libsndfile)."""

import os
import struct
import warnings
from pathlib import Path

import numpy as np

from .._validation import check_sr
from ..exceptions import InvalidAudioError, TruncatedAudioWarning


def _wav_data_shortfall(path, block_align):
    """``(declared, present)`` bytes of a WAV's or AIFF's sample chunk when the file is cut
    short (libsndfile then reads what is there without a word).

    None when the file is neither RIFF WAV nor AIFF, the chunk is complete, or
    its size is a streaming placeholder (0 or 0xFFFFFFFF: written before the
    length was known).
    """
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(12)
            if len(head) < 12:
                return None
            if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
                layout, data_id = "<4sI", b"data"
            elif head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
                layout, data_id = ">4sI", b"SSND"
            else:
                return None
            pos = 12
            while pos + 8 <= size:
                f.seek(pos)
                chunk, n = struct.unpack(layout, f.read(8))
                if chunk == data_id:
                    present = size - pos - 8
                    if n in (0, 0xFFFFFFFF) or n <= present:
                        return None
                    # a few bytes short of a frame are noise; a missing frame is not
                    return (n, present) if n - present >= max(1, block_align) else None
                pos += 8 + n + (n & 1)
    except (OSError, struct.error):
        return None
    return None


def read_audio(path, *, sr=None, mono=True, dtype="float32"):
    """Read an audio file into a float array.

    Any format libsndfile reads: WAV (8/16/24/32-bit PCM, 32/64-bit float),
    FLAC, OGG/Vorbis, AIFF and more, at any sample rate. Integer PCM is scaled
    to [-1, 1). Multi-channel files are averaged to mono (``mono=True``): the
    mean of the channels, which keeps the level of a centred voice and halves
    uncorrelated noise.

    Parameters
    ----------
    path : str or path-like
        The file.
    sr : int, default=None
        Resample to this rate (polyphase, as :class:`~skspeech.preprocessing.Resampler`).
        ``None`` keeps the file's own rate.
    mono : bool, default=True
        Average channels to one. With ``False`` the result has shape
        ``(n_samples, n_channels)``.
    dtype : {"float32", "float64"}, default="float32"
        Output dtype.

    Returns
    -------
    y : ndarray of shape (n_samples,) or (n_samples, n_channels)
        The samples.
    sr : int
        The sample rate of ``y``.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    skspeech.exceptions.InvalidAudioError
        If the file is not audio libsndfile can read, has no samples, or holds
        NaN or infinite samples.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from skspeech.io import read_audio, write_audio
    >>> tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)
    >>> path = os.path.join(tempfile.mkdtemp(), "tone.wav")
    >>> write_audio(path, tone, 16000)
    >>> y, sr = read_audio(path)
    >>> y.shape, y.dtype, sr
    ((16000,), dtype('float32'), 16000)
    >>> read_audio(path, sr=8000)[0].shape
    (8000,)
    """
    import soundfile as sf

    path = _fspath(path, "path")
    if not os.path.exists(path):
        raise FileNotFoundError(f"No audio file at {path!r}.")
    if os.path.isdir(path):
        raise InvalidAudioError(f"{path!r} is a folder, not an audio file.")
    if not os.path.isfile(path):  # a FIFO or a device would block or never end
        raise InvalidAudioError(f"{path!r} is not a regular file (a pipe or a device?); "
                                "expected an audio file.")
    if not os.access(path, os.R_OK):
        raise PermissionError(f"Cannot read {path!r}: no permission to read the file.")
    if dtype not in ("float32", "float64", np.float32, np.float64):
        raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype!r}.")
    try:
        y, file_sr = sf.read(path, dtype=np.dtype(dtype).name, always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise InvalidAudioError(
            f"Cannot read {path!r} as audio: {exc}. Supported formats: "
            f"{', '.join(sorted(sf.available_formats()))}."
        ) from exc
    if y.shape[0] == 0:
        raise InvalidAudioError(f"{path!r} holds no samples (0 frames).")
    short = _wav_data_shortfall(path, y.shape[1] * 2)
    if short is not None:
        declared, present = short
        warnings.warn(
            f"{path!r} is truncated: its header announces {declared} bytes of samples but only "
            f"{present} are in the file ({present / declared:.0%}), so it was cut while being "
            f"written or copied. Read {y.shape[0]} of about {y.shape[0] * declared // present} "
            f"samples; copy or record the file again.", TruncatedAudioWarning, stacklevel=2)
    if not np.isfinite(y).all():
        raise InvalidAudioError(f"{path!r} contains NaN or infinite samples.")
    if mono:
        y = y[:, 0] if y.shape[1] == 1 else y.mean(axis=1, dtype=np.float64)
    if sr is not None:
        sr = check_sr(sr)
        if sr != file_sr:
            from ..preprocessing._resample import resample

            y = resample(y, file_sr, sr, axis=0)
        file_sr = sr
    return np.ascontiguousarray(y, dtype=dtype), int(file_sr)


def mono_clip(y, path, file_sr, sr, dtype):
    """Frames read from ``path``, shape (n_frames, n_channels), as one clip.

    Mono (the channels averaged), checked finite, resampled from ``file_sr``
    to ``sr`` (None keeps it) and cast to ``dtype``: what every reader of a
    stretch of a file (:class:`~skspeech.io.AudioFiles` windows, Speech
    Commands silence windows) does after reading its samples.
    """
    y = y.mean(axis=1)
    if not np.isfinite(y).all():
        raise InvalidAudioError(f"{str(path)!r} contains NaN or infinite samples.")
    if sr is not None and sr != file_sr:
        from ..preprocessing._resample import resample

        y = resample(y, file_sr, sr)
    return y.astype(dtype, copy=False)


def write_audio(path, y, sr, *, subtype=None, overwrite=False):
    """Write samples to an audio file; the format follows the file's extension.

    Parameters
    ----------
    path : str or path-like
        Where to write: ``.wav``, ``.flac``, ``.ogg``, ...
    y : array-like of shape (n_samples,) or (n_samples, n_channels)
        Float samples in [-1, 1] (or integer PCM).
    sr : int
        Sample rate in Hz.
    subtype : str, default=None
        libsndfile subtype such as ``"PCM_16"``, ``"PCM_24"`` or ``"FLOAT"``;
        ``None`` takes the format's default (16-bit PCM for WAV and FLAC).
    overwrite : bool, default=False
        An existing file is never replaced unless this is True.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    skspeech.exceptions.InvalidAudioError
        If ``y`` is empty or holds NaN or infinite samples.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x.flac")
    >>> write_audio(path, np.zeros(800) + 0.1, 8000)
    >>> write_audio(path, np.zeros(800), 8000)
    Traceback (most recent call last):
    ...
    FileExistsError: '...x.flac' exists; pass overwrite=True to replace it.
    """
    import soundfile as sf

    path = Path(_fspath(path, "path"))
    sr = check_sr(sr)
    y = np.asarray(y)
    if y.ndim not in (1, 2) or y.shape[0] == 0:
        raise InvalidAudioError(
            f"y must have shape (n_samples,) or (n_samples, n_channels) with n_samples > 0; "
            f"got {y.shape}."
        )
    if y.dtype.kind not in "iuf":
        raise InvalidAudioError(f"y has dtype {y.dtype}; expected float samples in [-1, 1] "
                                "(or integer PCM).")
    if np.issubdtype(y.dtype, np.floating) and not np.isfinite(y).all():
        raise InvalidAudioError("y contains NaN or infinite samples.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{str(path)!r} exists; pass overwrite=True to replace it.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"Cannot write {str(path)!r}: the folder {str(path.parent)!r} "
                                "does not exist.")
    from .._persistence import _write_error, remove_stale_temporaries

    fmt = _format_of(path)
    if fmt not in sf.available_formats():
        raise ValueError(f"Cannot write {str(path)!r}: {path.suffix!r} is not an audio format "
                         f"libsndfile writes; use .wav, .flac, .ogg or one of "
                         f"{', '.join(sorted(sf.available_formats()))}.")
    if y.dtype.kind == "f" and y.size:
        from .._validation import MAX_ABS

        kind = (subtype or sf.default_subtype(fmt) or "").upper()
        peak = float(np.max(np.abs(y)))
        if peak > MAX_ABS and kind not in ("FLOAT", "DOUBLE"):
            raise InvalidAudioError(
                f"y reaches {peak:.6g}, but float samples must be in [-1, 1]: {kind or fmt} "
                f"would clip every louder sample. Scale the samples (integer PCM as floats: "
                f"divide 16-bit values by 32768), pass them as int16, or write "
                f"subtype='FLOAT'.")
    # Write next to the target, then rename: a crash never leaves half a file.
    remove_stale_temporaries(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        try:
            sf.write(tmp, y, sr, subtype=subtype, format=fmt)
        except OSError as exc:
            raise _write_error(path, exc, what="the audio") from None
        except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
            raise ValueError(f"Cannot write {str(path)!r}: {exc}.") from exc
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _fspath(path, name):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file name (str or path-like); got "
                        f"{type(path).__name__} {path!r}.")
    return os.fspath(path)


def _format_of(path):
    ext = path.suffix.lower().lstrip(".")
    if not ext:
        raise ValueError(f"{str(path)!r} has no extension; use e.g. .wav, .flac or .ogg.")
    return {"oga": "OGG", "aif": "AIFF"}.get(ext, ext.upper())
