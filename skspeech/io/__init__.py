"""Reading and writing audio files."""

from ._audio import read_audio, write_audio

__all__ = ["read_audio", "write_audio"]
