"""Reading and writing audio files."""

from ._audio import AudioTooLongError, decode_audio, read_audio, write_audio
from ._clips import LazyClips
from ._files import AudioFiles

__all__ = ["AudioFiles", "AudioTooLongError", "LazyClips", "decode_audio", "read_audio",
           "write_audio"]
