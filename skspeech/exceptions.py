"""Exceptions and warnings raised by skspeech."""

__all__ = ["GarbageAudioWarning", "InvalidAudioError", "SilentAudioWarning",
           "SkippedFilesWarning", "TruncatedAudioWarning", "UnreadableClipError"]


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


class GarbageAudioWarning(UserWarning):
    """A clip given for prediction is far from a spoken clip: its prediction means nothing.

    Issued once per ``predict``, ``predict_proba`` or ``transform`` call
    (however many pipeline steps check the clips), pointing at the line that
    made the call. The message names each clip by its index, says what is
    wrong and what was expected. The kinds:

    - silent: all samples zero (:class:`SilentAudioWarning`, a subclass, when
      every clip reported is silent);
    - constant: every sample the same non-zero value (a DC level);
    - short: fewer samples than one analysis frame (25 ms);
    - long: far longer than the clips the model takes (more than 3 times
      :class:`~skspeech.preprocessing.PadTrim`'s length or the longest
      training clip), so the model would hear only part of it;
    - loud: samples far outside [-1, 1] (beyond ±1.5): integer PCM copied
      into float or int64 arrays without scaling, or the wrong units.
      (``int8``, ``int16``, ``int32`` and ``uint8`` clips are PCM and are
      scaled by their dtype's full scale, as :func:`skspeech.io.read_audio`
      does; they do not warn.)

    A model with :class:`~skspeech.preprocessing.GarbageGuard` in front gives
    these clips its non-command class (``_silence_`` or ``_unknown_``).

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skspeech.features import MFCC
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = MFCC(sr=8000).transform([np.sin(np.arange(8000.0)), np.full(8000, 0.5)])
    >>> print(caught[0].category.__name__, caught[0].message)
    GarbageAudioWarning X: 1 clip(s) are far from a spoken clip. Index 1: constant, every sample
    the same non-zero value (index 1: 0.5); a spoken clip varies around zero. Predictions for
    them are not meaningful.
    """


class SilentAudioWarning(GarbageAudioWarning):
    """A clip given for prediction is digital silence (all samples zero).

    A :class:`GarbageAudioWarning`: filtering that one filters this one too.
    """


class TruncatedAudioWarning(UserWarning):
    """An audio file is shorter than its header says: it was cut while being written or copied.

    :func:`skspeech.io.read_audio` returns the samples that are there and
    warns, naming the file and how much of it is missing.
    """


class SkippedFilesWarning(UserWarning):
    """Some audio files could not be read and were left out (``on_error="skip"``).

    The message lists each file with the reason.
    """


class UnreadableClipError(InvalidAudioError):
    """A clip could not be read while a network trained on clips read in batches.

    Raised by ``fit`` in place of the framework's error (TensorFlow's "Graph
    execution error"): the message names the file and the epoch, and says
    what to do (restore the file, or leave it out). ``skspeech train`` adds
    ``--skip-unreadable``.
    """
