"""Audio sources for the listener: a file played as a stream, and the microphone."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .._validation import check_sr


def _block_size(block_duration, sr):
    if not (isinstance(block_duration, (int, float)) and 0 < block_duration <= 10):
        raise ValueError(f"block_duration must be a number of seconds in (0, 10]; "
                         f"got {block_duration!r}.")
    return max(1, int(round(block_duration * sr)))


class FileStream:
    """An audio file played as a stream of blocks, as a microphone would deliver them.

    Parameters
    ----------
    path : str or path-like
        An audio file (any format :func:`~skspeech.io.read_audio` reads).
    sr : int, default=None
        Resample to this rate (the model's); None keeps the file's rate.
    block_duration : float, default=0.1
        Seconds of audio per block.
    realtime : bool, default=False
        Wait between blocks so that the file plays at its real speed.
    truncated : {"warn", "error"}, default="warn"
        A file cut short: see :func:`~skspeech.io.read_audio` (``skspeech
        listen --file`` refuses it, as ``predict`` and ``serve`` do).

    Attributes
    ----------
    sr : int
        Sample rate of the blocks (after the file is opened).
    duration : float
        Length of the file in seconds.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from skspeech.io import write_audio
    >>> from skspeech.streaming import FileStream
    >>> path = os.path.join(tempfile.mkdtemp(), "a.wav")
    >>> write_audio(path, np.zeros(8000, dtype="float32"), 8000)
    >>> stream = FileStream(path, block_duration=0.25)
    >>> [len(b) for b in stream], stream.sr
    ([2000, 2000, 2000, 2000], 8000)
    """

    def __init__(self, path: str | os.PathLike, *, sr: int | None = None,
                 block_duration: float = 0.1, realtime: bool = False,
                 truncated: str = "warn") -> None:
        from ..io import read_audio

        path = Path(os.path.expanduser(os.fsdecode(os.fspath(path))))
        if not os.path.lexists(path):
            raise FileNotFoundError(f"No such audio file: {str(path)!r}.")
        self.path = path  # read_audio's checks name the rest (a folder, a loop, cut, ...)
        self.samples, self.sr = read_audio(path, sr=None if sr is None else check_sr(sr),
                                           truncated=truncated)
        self.block_size = _block_size(block_duration, self.sr)
        self.realtime = realtime
        self.duration = len(self.samples) / self.sr

    def __iter__(self) -> Iterator[np.ndarray]:
        start = time.perf_counter()
        for i in range(0, len(self.samples), self.block_size):
            if self.realtime:
                delay = start + i / self.sr - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            yield self.samples[i:i + self.block_size]


class MicrophoneStream:
    """Blocks from a microphone (needs ``sounddevice``: ``pip install 'skspeech[mic]'``).

    Parameters
    ----------
    sr : int, default=16000
        Sample rate to record at (use the model's).
    block_duration : float, default=0.1
        Seconds of audio per block.
    device : int or str, default=None
        Input device (index or part of its name); None is the system default.
        ``python -m sounddevice`` lists the devices.
    max_duration : float, default=None
        Stop after this many seconds; None records until interrupted (Ctrl+C).

    Raises
    ------
    ImportError
        If sounddevice or the PortAudio library is missing; the message says
        how to install them.
    OSError
        If there is no input device, or it refuses the sample rate.

    Examples
    --------
    >>> from skspeech.streaming import MicrophoneStream, listen
    >>> for d in listen(model, MicrophoneStream(sr=8000)):  # doctest: +SKIP
    ...     print(d)
    """

    def __init__(self, *, sr: int = 16000, block_duration: float = 0.1,
                 device: int | str | None = None, max_duration: float | None = None) -> None:
        self.sr = check_sr(sr)
        self.block_size = _block_size(block_duration, self.sr)
        self.device = device
        self.max_duration = max_duration

    @staticmethod
    def _sounddevice():
        try:
            import sounddevice
        except ImportError as exc:
            raise ImportError("Listening to a microphone needs sounddevice: "
                              "pip install 'skspeech[mic]' (or pip install sounddevice)."
                              ) from exc
        except OSError as exc:  # sounddevice raises OSError when PortAudio is missing
            raise ImportError(f"sounddevice is installed but the PortAudio library is not "
                              f"({exc}); install it, e.g. apt install libportaudio2 or "
                              f"brew install portaudio.") from exc
        return sounddevice

    def __iter__(self) -> Iterator[np.ndarray]:
        sd = self._sounddevice()
        try:
            sd.check_input_settings(device=self.device, channels=1, samplerate=self.sr,
                                    dtype="float32")
        except Exception as exc:  # noqa: BLE001 - PortAudioError or ValueError
            raise OSError(f"No usable input device (device={self.device!r}, {self.sr} Hz): "
                          f"{exc}. List devices with: python -m sounddevice.") from exc
        n_read = 0
        with sd.InputStream(samplerate=self.sr, channels=1, dtype="float32",
                            blocksize=self.block_size, device=self.device) as stream:
            while self.max_duration is None or n_read < self.max_duration * self.sr:
                block, _overflowed = stream.read(self.block_size)
                n_read += len(block)
                yield np.asarray(block[:, 0], dtype=np.float32)
