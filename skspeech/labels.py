"""The labels that are not commands, and how a label is shown: one definition for the library.

Speech Commands' extra classes (``_unknown_``: other words, ``_silence_``: no
speech) mean "none of my words"; a model trained on them has them among its
``classes_``. A label is a command unless it starts with ``"_"``
(:func:`is_command`). The command line, the server, the listener, the stream
scoring and the metrics all take their meaning from here. This module imports
nothing from skspeech.

Examples
--------
>>> from skspeech.labels import is_command, commands_of, shown
>>> is_command("yes"), is_command("_unknown_")
(True, False)
>>> commands_of(["_silence_", "no", "yes"])
['no', 'yes']
>>> shown("_silence_")
'no command'
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["BACKGROUND_NOISE", "NOISE_LABELS", "NON_COMMANDS", "NO_COMMAND", "SILENCE",
           "UNKNOWN", "commands_of", "is_command", "non_commands_of", "shown"]

#: The class of clips holding other words than the commands.
UNKNOWN = "_unknown_"
#: The class of clips holding no speech.
SILENCE = "_silence_"
#: The folder of Speech Commands' long noise recordings, also a label a model may have.
BACKGROUND_NOISE = "_background_noise_"
#: The classes that mean "none of my words": Speech Commands' unknown words and silence.
NON_COMMANDS = (UNKNOWN, SILENCE)
#: Noise classes a model may have besides :data:`NON_COMMANDS`; a listener ignores them too.
NOISE_LABELS = ("_noise_", BACKGROUND_NOISE)
#: What the command line and the server show for a clip heard as one of :data:`NON_COMMANDS`.
NO_COMMAND = "no command"


def is_command(label: object) -> bool:
    """Whether ``label`` is a command: a label that does not start with ``"_"``.

    This is the one definition of "not a command" in skspeech: Speech
    Commands' extra classes (:data:`NON_COMMANDS`) and noise labels
    (:data:`NOISE_LABELS`) all start with an underscore, words never do.
    """
    return not str(label).startswith("_")


def shown(label: object) -> str:
    """``label`` as the command line and the server show it: a command, or "no command"."""
    return str(label) if is_command(label) else NO_COMMAND


def commands_of(classes: Iterable[object]) -> list[str]:
    """The commands among a model's classes, as str (no ``_unknown_``, ``_silence_``, ...)."""
    return [str(c) for c in classes if is_command(c)]


def non_commands_of(classes: Iterable[object]) -> list[str]:
    """The "no command" classes a model has, in the order of :data:`NON_COMMANDS`."""
    have = {str(c) for c in classes}
    return [c for c in NON_COMMANDS if c in have]
