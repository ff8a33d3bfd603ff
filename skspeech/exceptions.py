"""Exceptions and warnings raised by skspeech."""

__all__ = ["InvalidAudioError", "SilentAudioWarning"]


class InvalidAudioError(ValueError):
    """Audio that cannot be used: wrong shape, empty, silent, NaN or unreadable.

    A subclass of :class:`ValueError`, so code that catches ``ValueError``
    (as scikit-learn's estimator checks do) also catches it.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.preprocessing import PadTrim
    >>> try:
    ...     PadTrim(target_length=8).fit_transform([np.array([0.1, np.nan])])
    ... except InvalidAudioError as exc:
    ...     print(exc)
    X: clip at index 0 contains NaN or infinite samples; ...
    """


class SilentAudioWarning(UserWarning):
    """A clip given for prediction is digital silence (all samples zero)."""
