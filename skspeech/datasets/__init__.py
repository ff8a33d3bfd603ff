"""Datasets: Speech Commands, the Free Spoken Digit Dataset, synthetic spoken commands.

Importing this module is cheap: espeak-ng is loaded only when
:func:`make_spoken_commands` runs, and nothing touches the network until a
``fetch_*`` function needs to download. ``TEN_WORDS`` are the ten commands of
the Speech Commands tutorial (the words of ``task="12"``).
"""

from ._archive import UnsafeArchiveError
from ._base import get_data_home
from ._fetch import download_dataset, fetch_fsdd, fetch_speech_commands
from ._fsdd import load_fsdd
from ._http import ChecksumError, DownloadError
from ._speech_commands import TEN_WORDS, background_noise, load_speech_commands, which_set
from ._synth import make_spoken_commands
from ._unknown import balance_unknown_words

__all__ = [
    "TEN_WORDS",
    "background_noise",
    "balance_unknown_words",
    "ChecksumError",
    "DownloadError",
    "UnsafeArchiveError",
    "download_dataset",
    "fetch_fsdd",
    "fetch_speech_commands",
    "get_data_home",
    "load_fsdd",
    "load_speech_commands",
    "make_spoken_commands",
    "which_set",
]
