"""Try a model in the browser: record a command, stream the microphone, or upload a file.

``skspeech serve MODEL`` starts a small local web app (Starlette on uvicorn,
the ``serve`` extra) with one page that holds everything it needs. The
browser records at its own rate; the server resamples with the filter that
reads files for training and answers with the model's ``predict_proba``, or
runs the same :class:`~skspeech.streaming.CommandListener` as
``skspeech listen`` on the live stream.
"""

from ._app import create_app
from ._audio import StreamResampler
from ._model import ServedModel, load_served_model, predict_clip, word_window
from ._run import serve

__all__ = ["ServedModel", "StreamResampler", "create_app", "load_served_model", "predict_clip",
           "serve", "word_window"]
