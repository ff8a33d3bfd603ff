"""Reading and writing audio files."""

from ._audio import AudioTooLongError, audio_header, decode_audio, read_audio, write_audio
from ._clips import LazyClips
from ._files import AudioFiles

__all__ = ["AudioFiles", "AudioTooLongError", "LazyClips", "audio_header", "decode_audio",
           "read_audio", "write_audio"]
