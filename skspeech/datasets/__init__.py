"""Datasets: Speech Commands, the Free Spoken Digit Dataset, synthetic spoken commands.

Importing this module is cheap: espeak-ng is loaded only when
:func:`make_spoken_commands` runs, and nothing touches the network until a
``fetch_*`` function needs to download.
"""

from ._archive import UnsafeArchiveError
from ._base import get_data_home
from ._fetch import fetch_fsdd, fetch_speech_commands
from ._fsdd import load_fsdd
from ._http import ChecksumError, DownloadError
from ._speech_commands import background_noise, load_speech_commands, which_set
from ._synth import make_spoken_commands

__all__ = [
    "background_noise",
    "ChecksumError",
    "DownloadError",
    "UnsafeArchiveError",
    "fetch_fsdd",
    "fetch_speech_commands",
    "get_data_home",
    "load_fsdd",
    "load_speech_commands",
    "make_spoken_commands",
    "which_set",
]
