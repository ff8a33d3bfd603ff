"""Export a fitted Conv1D or KWS pipeline to TensorFlow Lite, and run the export without TensorFlow.

:func:`export_tflite` (needs TensorFlow) writes the network as float and int8
``.tflite`` files and its front end as ``frontend.json``. :class:`TFLiteModel`,
:func:`load_exported` and :func:`load_model_or_export` run them with LiteRT
(``pip install 'skspeech[edge]'``) and skspeech's NumPy front end; importing
this package imports neither TensorFlow nor LiteRT.
"""

from ._load import is_export, load_exported, load_model_or_export
from ._runtime import TFLiteModel
from ._tflite import export_tflite, exportable_parts

__all__ = ["TFLiteModel", "export_tflite", "exportable_parts", "is_export", "load_exported",
           "load_model_or_export"]
