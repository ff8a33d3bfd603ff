"""Export a fitted Conv1D pipeline to TensorFlow Lite for phones and microcontrollers."""

from ._tflite import TFLiteModel, export_tflite

__all__ = ["TFLiteModel", "export_tflite"]
