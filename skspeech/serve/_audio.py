"""Audio that comes from the page: raw samples, uploaded files, and a streaming resampler.

Everything is decoded in memory: nothing the page sends is written to disk.
"""

from __future__ import annotations

from math import gcd

import numpy as np
from numpy.typing import ArrayLike

from ..exceptions import InvalidAudioError
from ..io import AudioTooLongError, decode_audio  # noqa: F401 (the app imports it here)

#: Browser capture rates accepted (Hz): telephone rate up to studio rates.
MIN_SR, MAX_SR = 8000, 192000


def check_browser_sr(sr):
    """``sr`` (from the page) as an int in [MIN_SR, MAX_SR], or a ValueError."""
    try:
        value = int(sr)
    except (TypeError, ValueError):
        value = None
    if value is None or str(sr).strip() not in (str(value), f"{value}.0") or not (
            MIN_SR <= value <= MAX_SR):
        raise ValueError(f"The page's sample rate must be a whole number of Hz in "
                         f"[{MIN_SR}, {MAX_SR}]; got {sr!r}.")
    return value


def pcm_from_bytes(data, what="the recording"):
    """Raw little-endian float32 mono samples (what the page sends) as a float32 array."""
    if len(data) == 0:
        raise InvalidAudioError(f"{what} holds no samples: was the microphone muted?")
    if len(data) % 4:
        raise InvalidAudioError(f"{what} is {len(data)} bytes, not whole 32-bit float "
                                f"samples; the page sends float32 little-endian PCM.")
    y = np.frombuffer(data, dtype="<f4").astype(np.float32)
    if not np.all(np.isfinite(y)):
        raise InvalidAudioError(f"{what} contains NaN or infinite samples.")
    return y


def decode_audio_file(data, *, name="the file", max_seconds):
    """Decode the bytes of an audio file in memory: ``(mono float32 samples, sr)``.

    :func:`skspeech.io.decode_audio`, the path :func:`skspeech.io.read_audio`
    (and so ``skspeech predict``) takes too: the same checks and messages, and
    a cut file is refused as ``predict`` refuses it. The header is read first
    and a file longer than ``max_seconds`` is refused before it is decoded.
    """
    return decode_audio(data, name=name, max_seconds=max_seconds, truncated="error")


class UploadFormError(InvalidAudioError):
    """A multipart form upload that does not hold exactly one file."""


def file_from_form(data, content_type):
    """``(bytes, file name or None)`` of the one file in a ``multipart/form-data`` body
    (``curl -F file=@x.wav``), parsed in memory with the standard library."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + data)
    if not message.is_multipart():
        raise UploadFormError("The form upload could not be parsed (no parts found); send one "
                              "audio file as the form's file field (curl -F file=@x.wav).")
    parts = [part for part in message.iter_parts()
             if part.get_filename() is not None or part.get_param("name",
                                                                  header="content-disposition")
             in ("file", "audio")]
    if len(parts) != 1:
        raise UploadFormError(f"The form upload holds {len(parts)} files; this endpoint takes "
                              f"one audio file (curl -F file=@x.wav).")
    payload = parts[0].get_payload(decode=True) or b""
    return payload, parts[0].get_filename()


class StreamResampler:
    """Resample a stream block by block, exactly as :func:`scipy.signal.resample_poly`
    resamples the whole signal at once (the filter of ``skspeech.io.read_audio``).

    Output sample ``j`` is ``sum_k x[k] h[j * down - k * up + half_len]`` with
    resample_poly's Kaiser filter ``h``; it is given out as soon as the input
    samples it needs have arrived (a delay of ``half_len / up`` input samples,
    under 1 ms at browser rates), so block edges leave no clicks.

    Parameters
    ----------
    orig_sr, target_sr : int
        Rates in and out, in Hz.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.signal import resample_poly
    >>> x = np.random.default_rng(0).standard_normal(4800)
    >>> r = StreamResampler(48000, 16000)
    >>> y = np.concatenate([r.process(x[i:i + 700]) for i in range(0, 4800, 700)] + [r.flush()])
    >>> bool(np.allclose(y, resample_poly(x, 1, 3)))
    True
    """

    def __init__(self, orig_sr: int, target_sr: int) -> None:
        from ..preprocessing import lowpass_filter

        g = gcd(int(orig_sr), int(target_sr))
        self.up, self.down = int(target_sr) // g, int(orig_sr) // g
        max_rate = max(self.up, self.down)
        self.half_len = 10 * max_rate
        self._buf = np.zeros(0)
        self._k0 = 0  # stream index of _buf[0]
        self._n = 0  # input samples seen
        self._j = 0  # next output index
        if self.up == self.down:  # same rate: samples pass through
            return
        h = lowpass_filter(self.up, self.down, "<f8") * self.up  # resample_poly's own filter
        n_taps = -(-len(h) // self.up)
        # bank[p, i] = h[p + i * up]: the taps that meet x[k_max - i] for phase p
        self._bank = np.zeros((self.up, n_taps))
        for p in range(self.up):
            taps = h[p::self.up]
            self._bank[p, :len(taps)] = taps

    def _outputs(self, j_end):
        j = np.arange(self._j, j_end)
        t = j * self.down + self.half_len
        k_max, phase = t // self.up, t % self.up
        idx = k_max[:, None] - np.arange(self._bank.shape[1])[None, :] - self._k0
        x = np.concatenate([self._buf, [0.0]])  # index -1 (before or after the stream): zero
        inside = (idx >= 0) & (idx < len(self._buf))
        y = np.sum(self._bank[phase] * x[np.where(inside, idx, -1)], axis=1)
        self._j = j_end
        return y

    def process(self, block: ArrayLike) -> np.ndarray:
        """Add input samples; return the output samples now complete (float32)."""
        block = np.asarray(block, dtype=np.float64).ravel()
        if self.up == self.down:
            self._n += len(block)
            return block.astype(np.float32)
        self._buf = np.concatenate([self._buf, block])
        self._n += len(block)
        # output j is complete when k_max = (j * down + half_len) // up < n
        j_end = max(self._j, -(-(self._n * self.up - self.half_len) // self.down))
        y = self._outputs(j_end)
        keep_from = (self._j * self.down - self.half_len) // self.up - 1  # oldest input needed
        drop = min(len(self._buf), max(0, keep_from - self._k0))
        self._buf = self._buf[drop:]
        self._k0 += drop
        return y.astype(np.float32)

    def flush(self) -> np.ndarray:
        """The last output samples (zeros after the end, as resample_poly pads)."""
        if self.up == self.down:
            return np.zeros(0, dtype=np.float32)
        n_out = -(-self._n * self.up // self.down)
        return self._outputs(max(self._j, n_out)).astype(np.float32)
