"""command_error_rates: false accepts, false rejects and wrong words, counted as defined."""

import math

import numpy as np
import pytest

from skspeech.metrics import NON_COMMANDS, command_error_rates


def test_rates_on_known_predictions():
    y_true = ["yes", "yes", "no", "no", "_unknown_", "_unknown_", "_silence_", "_silence_"]
    y_pred = ["yes", "no", "_silence_", "no", "_unknown_", "yes", "_unknown_", "_silence_"]
    r = command_error_rates(y_true, y_pred)
    assert r["accuracy"] == pytest.approx(4 / 8)
    assert r["false_accept"] == pytest.approx(1 / 4)  # the unknown heard as 'yes'
    assert r["false_reject"] == pytest.approx(1 / 4)  # the 'no' heard as silence
    assert r["wrong_command"] == pytest.approx(1 / 4)  # 'yes' heard as 'no'
    assert (r["n_commands"], r["n_non_commands"]) == (4, 4)
    # _silence_ heard as _unknown_ is an error but not a false accept
    assert NON_COMMANDS == ("_unknown_", "_silence_")


def test_without_non_command_clips_false_accepts_are_nan():
    r = command_error_rates(np.array(["a", "b"]), np.array(["a", "a"]), non_commands=("x",))
    assert math.isnan(r["false_accept"]) and r["false_reject"] == 0.0
    assert r["wrong_command"] == 0.5


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="y_true must hold word labels .* entry 1 is None"):
        command_error_rates(["yes", None], ["yes", "no"])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        command_error_rates(["yes"], ["yes", "no"])
    with pytest.raises(ValueError, match="at least one clip"):
        command_error_rates([], [])
