"""How the command line shows labels: the classes meaning "none of my words" are "no command"."""

from ..metrics import NON_COMMANDS

#: What the table outputs print for a clip heard as one of :data:`NON_COMMANDS`.
NO_COMMAND = "no command"


def is_command(label):
    """Whether ``label`` is a command (not ``_unknown_`` or ``_silence_``)."""
    return str(label) not in NON_COMMANDS


def shown(label):
    """``label`` as the table outputs print it: a command, or "no command"."""
    return str(label) if is_command(label) else NO_COMMAND


def commands_of(classes):
    """The commands among a model's classes, as str (no ``_unknown_``, ``_silence_``, ...)."""
    return [str(c) for c in classes if not str(c).startswith("_")]


def non_commands_of(classes):
    """The "no command" classes a model has, in the order of :data:`NON_COMMANDS`."""
    have = {str(c) for c in classes}
    return [c for c in NON_COMMANDS if c in have]


def listing(labels):
    """Labels joined for a message: ``a, b, c`` (never numpy reprs)."""
    return ", ".join(str(w) for w in labels)
