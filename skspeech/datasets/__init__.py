"""Datasets: Speech Commands, the Free Spoken Digit Dataset, synthetic spoken commands.

Importing this module is cheap: espeak-ng is loaded only when
:func:`make_spoken_commands` runs, and nothing touches the network until a
``fetch_*`` function needs to download. ``TEN_WORDS`` are the ten commands of
the Speech Commands tutorial (the words of ``task="12"``).
"""

from ..labels import BACKGROUND_NOISE, SILENCE, UNKNOWN
from ._archive import UnsafeArchiveError
from ._balance import balance_commands
from ._base import get_data_home
from ._fetch import fetch_fsdd, fetch_speech_commands
from ._fsdd import FSDD_FILE_RE, FSDD_TEST_TAKES, load_fsdd
from ._http import ChecksumError, DownloadError
from ._lock import data_lock
from ._registry import download_dataset
from ._speech_commands import TEN_WORDS, background_noise, load_speech_commands, which_set
from ._speech_commands_layout import scan_speech_commands, speaker_of, subset_of
from ._synth import make_spoken_commands
from ._unknown import TRAIN_UNKNOWN_PERCENTAGE, balance_unknown_words

__all__ = [
    "BACKGROUND_NOISE",
    "FSDD_FILE_RE",
    "FSDD_TEST_TAKES",
    "SILENCE",
    "TEN_WORDS",
    "TRAIN_UNKNOWN_PERCENTAGE",
    "UNKNOWN",
    "background_noise",
    "balance_commands",
    "balance_unknown_words",
    "ChecksumError",
    "DownloadError",
    "UnsafeArchiveError",
    "data_lock",
    "download_dataset",
    "fetch_fsdd",
    "fetch_speech_commands",
    "get_data_home",
    "load_fsdd",
    "load_speech_commands",
    "make_spoken_commands",
    "scan_speech_commands",
    "speaker_of",
    "subset_of",
    "which_set",
]
