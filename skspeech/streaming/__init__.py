"""Continuous recognition: commands in a stream of audio blocks, with the offline pipeline.

The same fitted pipeline (front end and classifier) that was trained and
evaluated offline classifies a sliding window over the stream; nothing is
re-implemented for deployment. :func:`make_command_stream` and
:func:`score_detections` measure a listener as keyword spotters are measured:
hits, false alarms per hour and detection delay on a long stream of known words.
"""

from ._calibrate import calibrate_threshold
from ._command_stream import StreamEvent, make_command_stream
from ._evaluate import score_detections
from ._listener import (
    CommandListener,
    Detection,
    auto_threshold,
    describe_threshold,
    listen,
    threshold_origin,
)
from ._sources import FileStream, MicrophoneStream

__all__ = ["CommandListener", "Detection", "FileStream", "MicrophoneStream", "StreamEvent",
           "auto_threshold", "calibrate_threshold", "describe_threshold", "listen",
           "make_command_stream", "score_detections", "threshold_origin"]
