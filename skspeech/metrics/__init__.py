"""Metrics for command recognisers: what a keyword spotter is judged by beside accuracy."""

from ._commands import NON_COMMANDS, command_error_rates

__all__ = ["NON_COMMANDS", "command_error_rates"]
