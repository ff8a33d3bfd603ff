"""Continuous recognition: commands in a stream of audio blocks, with the offline pipeline.

The same fitted pipeline (front end and classifier) that was trained and
evaluated offline classifies a sliding window over the stream; nothing is
re-implemented for deployment.
"""

from ._listener import CommandListener, Detection, listen
from ._sources import FileStream, MicrophoneStream

__all__ = ["CommandListener", "Detection", "FileStream", "MicrophoneStream", "listen"]
