"""Reading and writing audio files."""

from ._audio import read_audio, write_audio
from ._clips import LazyClips
from ._files import AudioFiles

__all__ = ["AudioFiles", "LazyClips", "read_audio", "write_audio"]
