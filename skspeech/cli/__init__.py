"""The ``skspeech`` command line, built on the public API.

Each command is a module here (``add_parser`` and ``run``). What they do is
done through skspeech's public functions and classes only: no module here
imports a private name or module of another subpackage
(``tests/test_architecture.py`` checks it).
"""

import argparse
import sys

from .. import __version__
from . import _data, _demo, _evaluate, _export, _listen, _predict, _serve, _train

_COMMANDS = {"demo": _demo, "data": _data, "train": _train, "evaluate": _evaluate,
             "predict": _predict, "listen": _listen, "export": _export,
             "serve": _serve}


def build_parser():
    """The argument parser for ``skspeech``."""
    parser = argparse.ArgumentParser(
        prog="skspeech",
        description="Recognise short spoken commands with scikit-learn.",
    )
    parser.add_argument("--version", action="version", version=f"skspeech {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _COMMANDS.values():
        module.add_parser(sub)
    return parser


def _names_of_any_encoding(stream):
    """Let ``stream`` print file names that are not valid in its encoding.

    Python gives such names (bytes that are not UTF-8) as str with surrogate
    escapes; printed with the stream's default "strict" errors they raise
    UnicodeEncodeError. On a UTF-8 stream they are written back as the
    bytes the name has (as ``ls`` writes them), on another as backslash
    escapes. Standard error already escapes them.
    """
    import codecs

    try:
        utf8 = codecs.lookup(stream.encoding).name == "utf-8"
        stream.reconfigure(errors="surrogateescape" if utf8 else "backslashreplace")
    except (AttributeError, LookupError, TypeError, ValueError, OSError):
        pass  # not a text stream we can reconfigure (a test's capture, a pipe object)


def main(argv=None):
    """Run ``skspeech`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    import os

    # TensorFlow's C++ log: its warnings repeat, with the framework's traceback, errors that
    # skspeech reports itself (a clip that cannot be read in training); its errors still show
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    _names_of_any_encoding(sys.stdout)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    import warnings

    shown = warnings.formatwarning
    warnings.formatwarning = _warning_line(args.command)  # our words, not our source lines
    try:
        return _COMMANDS[args.command].run(args) or 0
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except (ImportError, OSError, ValueError) as exc:
        print(f"skspeech {args.command}: error: {exc}", file=sys.stderr)
        return 1
    finally:
        warnings.formatwarning = shown


def _warning_line(command):
    """A warning shown as one line of the command (``skspeech train: warning: ...``) instead of
    Python's file, line and source line: the messages name what they are about."""
    def formatwarning(message, category, filename, lineno, line=None):
        return f"skspeech {command}: warning: {message} ({category.__name__})\n"

    return formatwarning
