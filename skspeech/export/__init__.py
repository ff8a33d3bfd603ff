"""Export a fitted Conv1D or KWS pipeline to TensorFlow Lite for phones and microcontrollers."""

from ._tflite import TFLiteModel, export_tflite

__all__ = ["TFLiteModel", "export_tflite"]
