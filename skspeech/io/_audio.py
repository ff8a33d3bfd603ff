"""Audio files in and out, through soundfile (libsndfile)."""

import os
import struct
import warnings
from pathlib import Path

import numpy as np

from .._validation import check_sr
from ..exceptions import InvalidAudioError, TruncatedAudioWarning

#: Sample rates an audio file may state (Hz). A header outside them is damaged or forged,
#: and resampling from it would design a filter of millions of taps.
MIN_FILE_SR, MAX_FILE_SR = 1000, 768000
#: Channels an audio file may state: more is a damaged header (whose samples would be mixed
#: as if interleaved that way) or an array recording that is not one voice.
MAX_CHANNELS = 64


class AudioTooLongError(InvalidAudioError):
    """Audio longer than a duration limit (``max_seconds``), refused before it is decoded."""


def _data_shortfall(f, size, block_align):
    """``(declared, present)`` bytes of a WAV's or AIFF's sample chunk when the file (the
    binary file object ``f`` of ``size`` bytes) is cut short: libsndfile then reads what is
    there without a word.

    None when the file is neither RIFF WAV nor AIFF, the chunk is complete, or
    its size is a streaming placeholder (0 or 0xFFFFFFFF: written before the
    length was known).
    """
    try:
        f.seek(0)
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


def _cap(message):
    """A message that starts with a name such as "the upload", as a sentence."""
    return message[:1].upper() + message[1:]


def _reason(exc):
    """libsndfile's reason without the object it was opening (``<_io.BytesIO object ...>``)."""
    text = getattr(exc, "error_string", None) or str(exc)
    return str(text).strip().rstrip(".") or type(exc).__name__


def _decode(f, size, name, *, sr=None, mono=True, dtype="float32", max_seconds=None,
            truncated="warn", stacklevel=3):
    """The one path from the bytes of an audio file to checked samples.

    ``f`` is a seekable binary file object of ``size`` bytes, ``name`` how
    messages name it (already quoted). :func:`read_audio` (files, and so the
    command line) and :func:`decode_audio` (uploads to ``skspeech serve``)
    both come here, so they make the same checks with the same messages.
    """
    import soundfile as sf

    if truncated not in ("warn", "error"):
        raise ValueError(f"truncated must be 'warn' or 'error'; got {truncated!r}.")
    if dtype not in ("float32", "float64", np.float32, np.float64):
        raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype!r}.")
    if size == 0:
        raise InvalidAudioError(f"Cannot read {name} as audio: it is empty (0 bytes). Expected "
                                f"an audio file (WAV, FLAC, OGG, ...).")
    try:
        with sf.SoundFile(f) as snd:
            file_sr, frames, channels = int(snd.samplerate), int(snd.frames), snd.channels
            if not MIN_FILE_SR <= file_sr <= MAX_FILE_SR:
                raise InvalidAudioError(
                    f"Cannot read {name} as audio: its header says {file_sr} Hz, but audio "
                    f"files are recorded at {MIN_FILE_SR} to {MAX_FILE_SR} Hz; the header is "
                    f"damaged. Record or convert the file again.")
            if channels > MAX_CHANNELS:
                raise InvalidAudioError(
                    f"Cannot read {name} as audio: its header says {channels} channels, but a "
                    f"recording of a voice has 1 or 2 (at most {MAX_CHANNELS} are read); the "
                    f"header is damaged. Record or convert the file again.")
            if max_seconds is not None and frames > max_seconds * file_sr:
                error = AudioTooLongError(
                    f"{name} is {frames / file_sr:.1f} s long; at most {max_seconds:g} s is "
                    f"taken (max_seconds). Cut out the part with the word, or use skspeech "
                    f"listen --file for a long recording.")
                error.seconds = frames / file_sr
                raise error
            y = snd.read(dtype=np.dtype(dtype).name, always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        if isinstance(exc, InvalidAudioError):
            raise
        raise InvalidAudioError(
            f"Cannot read {name} as audio: {_reason(exc)}. Expected an audio file: WAV, FLAC, "
            f"OGG, AIFF or another format libsndfile reads "
            f"({', '.join(sorted(sf.available_formats()))}).") from None
    if y.shape[0] == 0:
        raise InvalidAudioError(_cap(f"{name} holds no samples (0 frames)."))
    short = _data_shortfall(f, size, channels * 2)
    if short is not None:
        declared, present = short
        message = _cap(
            f"{name} is truncated: its header announces {declared} bytes of samples but only "
            f"{present} are in the file ({present / declared:.0%}), so it was cut while being "
            f"written, copied or uploaded. Read {y.shape[0]} of about "
            f"{y.shape[0] * declared // present} samples; copy or record the file again.")
        if truncated == "error":
            raise InvalidAudioError(message)
        warnings.warn(message, TruncatedAudioWarning, stacklevel=stacklevel)
    if not np.isfinite(y).all():
        raise InvalidAudioError(_cap(f"{name} contains NaN or infinite samples."))
    if mono:
        y = y[:, 0] if y.shape[1] == 1 else y.mean(axis=1, dtype=np.float64)
    if sr is not None:
        sr = check_sr(sr)
        if sr != file_sr:
            from ..preprocessing._resample import resample

            y = resample(y, file_sr, sr, axis=0)
        file_sr = sr
    return np.ascontiguousarray(y, dtype=dtype), int(file_sr)


def read_audio(path, *, sr=None, mono=True, dtype="float32", truncated="warn"):
    """Read an audio file into a float array.

    Any format libsndfile reads: WAV (8/16/24/32-bit PCM, 32/64-bit float),
    FLAC, OGG/Vorbis, AIFF and more, at any sample rate. Integer PCM is scaled
    to [-1, 1). Multi-channel files are averaged to mono (``mono=True``): the
    mean of the channels, which keeps the level of a centred voice and halves
    uncorrelated noise.

    Files and uploads (:func:`decode_audio`) go through the same checks, with
    the same messages.

    Parameters
    ----------
    path : str, bytes or path-like
        The file. A name that is not valid UTF-8 may be given as bytes (or as
        the str Python makes of it, with surrogate escapes).
    sr : int, default=None
        Resample to this rate (polyphase, as :class:`~skspeech.preprocessing.Resampler`).
        ``None`` keeps the file's own rate.
    mono : bool, default=True
        Average channels to one. With ``False`` the result has shape
        ``(n_samples, n_channels)``.
    dtype : {"float32", "float64"}, default="float32"
        Output dtype.
    truncated : {"warn", "error"}, default="warn"
        A WAV or AIFF file shorter than its header says: read what is there
        with a :class:`~skspeech.exceptions.TruncatedAudioWarning`, or refuse
        it (``InvalidAudioError``), as ``skspeech predict`` and ``serve`` do.

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
        If the file is not audio libsndfile can read, has no samples, states
        a sample rate outside [1000, 768000] Hz, or holds NaN or infinite
        samples.

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
    import stat

    path = _fspath(path, "path")
    name = _shown(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _open_error(path, name, exc) from None
    if stat.S_ISDIR(st.st_mode):
        raise InvalidAudioError(f"{name} is a folder, not an audio file.")
    if not stat.S_ISREG(st.st_mode):  # a FIFO or a device would block or never end
        raise InvalidAudioError(f"{name} is not a regular file (a pipe or a device?); "
                                "expected an audio file.")
    if not os.access(path, os.R_OK):
        raise PermissionError(f"Cannot read {name}: no permission to read the file.")
    try:
        with open(path, "rb") as f:
            return _decode(f, os.fstat(f.fileno()).st_size, name, sr=sr, mono=mono,
                           dtype=dtype, truncated=truncated)
    except OSError as exc:  # removed, replaced or a read error after the checks above
        raise _open_error(path, name, exc) from None


def _open_error(path, name, exc):
    """An OSError from opening or reading ``path``, told in words, its class kept."""
    import errno

    if isinstance(exc, FileNotFoundError):
        message = (f"{name} is a symbolic link to {os.readlink(path)!r}, which does not exist."
                   if os.path.islink(path) else f"No audio file at {name}.")
    elif exc.errno == errno.ELOOP:
        message = (f"Cannot read {name}: it is a symbolic link that leads back to itself (a "
                   f"loop). Fix or remove the link.")
    elif isinstance(exc, PermissionError):
        message = f"Cannot read {name}: no permission to read the file."
    else:
        message = f"Cannot read {name}: {exc.strerror or exc}."
    error = (type(exc) if type(exc).__module__ == "builtins" else OSError)(message)
    error.errno = exc.errno
    return error


def decode_audio(data, *, name="the audio", sr=None, mono=True, dtype="float32",
                 max_seconds=None, truncated="error"):
    """Decode the bytes of an audio file in memory, with the checks of :func:`read_audio`.

    What ``skspeech serve`` does with an upload: nothing is written to disk.
    The header is read first, and a file longer than ``max_seconds`` is
    refused before it is decoded, so a long compressed file is never
    expanded in memory.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    name : str, default="the audio"
        How messages name the file (e.g. ``"'upload.wav'"``).
    sr, mono, dtype : see :func:`read_audio`
    max_seconds : float, default=None
        Refuse audio longer than this (:class:`AudioTooLongError`).
    truncated : {"error", "warn"}, default="error"
        As :func:`read_audio`'s; a cut upload is refused by default.

    Returns
    -------
    y : ndarray
        The samples.
    sr : int
        Their sample rate.

    Examples
    --------
    >>> import io, numpy as np, soundfile as sf
    >>> buf = io.BytesIO()
    >>> sf.write(buf, np.zeros(800) + 0.1, 8000, format="WAV")
    >>> y, sr = decode_audio(buf.getvalue(), name="'x.wav'")
    >>> y.shape, sr
    ((800,), 8000)
    >>> decode_audio(buf.getvalue()[:1000], name="'x.wav'")
    Traceback (most recent call last):
    ...
    skspeech.exceptions.InvalidAudioError: 'x.wav' is truncated: its header announces ...
    """
    import io

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be the bytes of an audio file; got {type(data).__name__}.")
    return _decode(io.BytesIO(bytes(data)), len(data), name, sr=sr, mono=mono, dtype=dtype,
                   max_seconds=max_seconds, truncated=truncated)


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
    path : str, bytes or path-like
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

    path = Path(os.fsdecode(_fspath(path, "path")))
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
    from .._atomic import remove_stale_temporaries, temporary_path, write_error

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
    tmp = temporary_path(path)
    try:
        try:
            sf.write(sf_name(tmp), y, sr, subtype=subtype, format=fmt)
        except OSError as exc:
            raise write_error(path, exc, what="the audio") from None
        except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
            raise ValueError(f"Cannot write {str(path)!r}: {exc}.") from exc
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def audio_header(path: str | os.PathLike) -> tuple[int, int, int]:
    """``(n_frames, sr, n_channels)`` of an audio file, from its header (no samples are read).

    Parameters
    ----------
    path : str or path-like
        The audio file.

    Returns
    -------
    n_frames, sr, n_channels : int
        Samples per channel, the sample rate in Hz and the number of channels.

    Raises
    ------
    InvalidAudioError
        If the file cannot be opened or is not audio libsndfile reads; the
        message says why.
    """
    import soundfile as sf

    try:
        os.stat(path)
    except OSError as exc:  # a link to nowhere or to itself, ...
        raise InvalidAudioError(str(_open_error(path, _shown(path), exc))) from None
    try:
        with sf.SoundFile(sf_name(path)) as f:
            return f.frames, f.samplerate, f.channels
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise InvalidAudioError(f"Cannot read {_shown(path)} as audio: {_reason(exc)}.") from exc


def _fspath(path, name):
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"{name} must be a file name (str, bytes or path-like); got "
                        f"{type(path).__name__} {path!r}.")
    return os.fspath(path)


def sf_name(path):
    """``path`` as soundfile should be given it: bytes on POSIX, so that a name that is not
    valid UTF-8 (a str with surrogate escapes) opens too; soundfile encodes a str strictly."""
    path = os.fspath(path)
    return os.fsencode(path) if os.name == "posix" else os.fsdecode(path)


def _shown(path):
    """A file name for messages, quoted (bytes names as the str Python makes of them)."""
    return repr(str(os.fsdecode(path)))  # str: not np.str_('...')


def _format_of(path):
    ext = path.suffix.lower().lstrip(".")
    if not ext:
        raise ValueError(f"{str(path)!r} has no extension; use e.g. .wav, .flac or .ogg.")
    return {"oga": "OGG", "aif": "AIFF"}.get(ext, ext.upper())
