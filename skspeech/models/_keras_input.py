"""Input checks of skspeech's Keras classifiers: clips or frame sequences, and their labels.

Run by ``_KerasClassifierBase._validate_data`` before anything reaches
TensorFlow, with the project's messages (what came in, what was expected,
how to fix it).
"""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from .._validation import _is_ragged_input, check_audio, check_frames
from ..exceptions import InvalidAudioError


def _target_type(y, classes):
    """scikit-learn's type of ``y``; a binary ``y`` is multiclass if ``classes`` has more.

    What scikeras's ``KerasClassifier`` records as ``target_type_``, with
    ``classes`` those known before the fit (``partial_fit``'s ``classes``).
    """
    target_type = type_of_target(y)
    if target_type == "binary" and classes is not None:
        target_type = type_of_target(classes)
    return target_type


def check_keras_labels(est, y, reset):
    """``y`` as one label per clip, all known to ``est``; with ``reset``, record its type."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] != 1:
        raise ValueError(
            f"y must hold one label per clip, shape (n_clips,); got shape {y.shape}. "
            f"{type(est).__name__} does not do multi-label or multi-output classification."
        )
    y = column_or_1d(y, warn=True)
    # The labels a trained network knows (a warm start), or partial_fit's classes.
    known = est.classes_ if reset else est.target_encoder_.classes_
    if known is not None:
        unseen = np.setdiff1d(np.unique(y), known)
        if unseen.size:
            raise ValueError(
                f"y has labels the classifier does not know: {unseen.tolist()}; its "
                f"classes are {np.asarray(known).tolist()}. Fit from scratch "
                "(warm_start=False), or give every label through classes= at the first "
                "partial_fit.")
    if reset:
        check_classification_targets(y)
        est.target_type_ = _target_type(y, est.classes_)
        est.y_dtype_ = y.dtype
        est.y_ndim_ = y.ndim
    return y


def check_input(est, X, reset):
    """``X`` as one array of equal-length clips or frame sequences; ``reset`` records its shape."""
    name = type(est).__name__
    silent = "raise" if reset else "warn"
    if _is_ragged_input(X):
        ndims = {np.ndim(x) for x in X}
        if ndims == {1}:
            X = check_audio(X, estimator=est, reset=reset, silent=silent)
        elif ndims == {2}:
            X = check_frames(X, estimator=est, reset=reset)
        else:
            raise InvalidAudioError(
                f"X is a list of arrays with {sorted(ndims)} dimensions; {name} takes "
                "clips (1-D arrays) or frame sequences (2-D arrays), not a mix.")
        shapes = {x.shape for x in X}
        if len(shapes) > 1:
            lengths = sorted(x.shape[0] for x in X)
            what = "clips" if X[0].ndim == 1 else "frame sequences"
            raise InvalidAudioError(
                f"X holds {what} of different lengths ({lengths[0]} to {lengths[-1]}); "
                f"{name} needs one length. Pad or trim them first, e.g. "
                f"make_pipeline(PadTrim(duration=1.0, sr=sr), {name}()).")
        X = np.stack(X)
    else:
        ndim = getattr(X, "ndim", None)
        if ndim is None:
            X = np.asarray(X)
            ndim = X.ndim
        if ndim == 3:
            X = check_frames(X, estimator=est, reset=reset)
        elif ndim == 2:
            X = check_audio(X, estimator=est, reset=reset, silent=silent)
        else:
            raise InvalidAudioError(
                f"X must be waveforms of shape (n_clips, n_samples) or feature frames of "
                f"shape (n_clips, n_frames, n_coeffs); got an array of shape "
                f"{getattr(X, 'shape', None)}. Reshape your data: for a single clip x "
                "pass x[np.newaxis].")
    if reset:
        if X.ndim == 2:
            est.n_features_in_ = X.shape[1]
        elif hasattr(est, "n_features_in_"):
            del est.n_features_in_
        est.X_shape_ = X.shape
        est.X_dtype_ = X.dtype
        return X
    fitted = est.X_shape_
    if X.ndim != len(fitted):
        kinds = {2: "waveforms (n_clips, n_samples)",
                 3: "feature frames (n_clips, n_frames, n_coeffs)"}
        raise ValueError(f"X holds {kinds[X.ndim]}, but {name} was fitted on "
                         f"{kinds[len(fitted)]}; give it the same kind of input.")
    if X.shape[1:] != tuple(fitted[1:]):
        if X.ndim == 2:
            raise ValueError(
                f"X has {X.shape[1]} features, but {name} is expecting {fitted[1]} "
                f"features as input (samples per clip). Pad or trim clips to the training "
                f"length, e.g. with PadTrim(target_length={fitted[1]}).")
        raise ValueError(
            f"X has frames of shape {X.shape[1:]} (n_frames, n_coeffs), but {name} was "
            f"fitted on {tuple(fitted[1:])}. Compute the features with the same settings "
            "and clip duration as for training.")
    return X
