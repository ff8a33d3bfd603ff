"""Datasets: synthetic spoken commands (espeak-ng) and the Free Spoken Digit Dataset.

Importing this module is cheap: espeak-ng is loaded only when
:func:`make_spoken_commands` runs.
"""

from ._base import get_data_home
from ._fsdd import load_fsdd
from ._synth import make_spoken_commands

__all__ = ["get_data_home", "load_fsdd", "make_spoken_commands"]
