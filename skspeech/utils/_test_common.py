"""Instances and known check failures for the scikit-learn estimator checks.

Each estimator module's author adds its small test parameters to
``INIT_PARAMS`` and its expected failures, with a reason, to
``EXPECTED_FAILED_CHECKS`` (as imblearn's ``instance_generator.py``).
"""

_ANY_LENGTH = ("accepts clips of any length by design, so a different number of samples "
               "in transform is not an error")
_RAGGED_LIST = ("a list of clips is ragged audio and comes back as a list (STYLE.md §3), "
                "not as the array sklearn expects")

_SILENT_ROWS = ("casting to int makes some rows all zero: a silent clip carries no word and is "
                "rejected at fit (InvalidAudioError)")

_ANY_FRAMES = ("a 2-D array is (n_clips, n_frames) with one coefficient per frame; clips may have "
               "any number of frames by design, so a different count in transform is not an error")
_RAGGED_FRAMES = ("a list of frame sequences is ragged and comes back as a list of sequences, "
                  "not as the array sklearn expects")

# Small, fast parameters for the checks, by class name.
INIT_PARAMS = {
    # A one-block net that accepts any length (the checks' 1 to 10 "samples"); one epoch
    # and no validation split (saves tracing Keras's test step: ~25 % of the time).
    "Conv1DClassifier": dict(filters=(4,), kernel_sizes=3, pool_size=2, padding="same",
                             dense_units=(8,), global_pooling="max", epochs=1, batch_size=16,
                             validation_fraction=None, random_state=0),
    # Windows of 4 samples so that the checks' short rows (a few "samples") give several
    # frames; n_fft=16 with 3 mel filters leaves none empty at 16 kHz.
    "MFCC": dict(win_length=4, hop_length=2, n_fft=16, n_mels=3, n_mfcc=2),
    "LogMelSpectrogram": dict(win_length=4, hop_length=2, n_fft=16, n_mels=3),
    # 2 states fit the checks' 2-D rows (sequences of a few 1-coefficient frames); 5 EM steps.
    "HMMClassifier": dict(n_states=2, n_iter=5, random_state=0),
    # A fast linear model, no augmenter (the checks' rows are a few values, not clips).
    "AugmentedClassifier": dict(
        estimator=__import__("sklearn.linear_model", fromlist=["LogisticRegression"])
        .LogisticRegression(),
        augmenter=None),
    "WaveAugmenter": dict(sr=8000, shift=None, speed=None, snr=None, random_state=0),
    # A tiny residual net (1 block of 4 channels), one epoch, no validation split.
    "KWSClassifier": dict(stem_filters=4, filters=(4,), kernel_sizes=3, strides=1, epochs=1,
                          batch_size=16, validation_fraction=None, random_state=0),
    "KWS2DClassifier": dict(stem_filters=4, filters=(4,), strides=1, epochs=1, batch_size=16,
                            validation_fraction=None, random_state=0),
    # Two fast, different members (what the checks feed them are plain feature rows).
    "GeometricVotingClassifier": dict(estimators=[
        ("lr", __import__("sklearn.linear_model", fromlist=["LogisticRegression"])
         .LogisticRegression()),
        ("nb", __import__("sklearn.naive_bayes", fromlist=["GaussianNB"]).GaussianNB())]),
}

_ANY_SEQUENCE = ("a 2-D array is (n_clips, n_frames) of 1-coefficient frames; sequences of any "
                 "number of frames are scored by design, so a different count in predict is "
                 "not an error")

# {class name: {check name: reason}}
EXPECTED_FAILED_CHECKS = {
    "Resampler": {
        "check_n_features_in_after_fitting": _ANY_LENGTH,
        "check_transformer_data_not_an_array": _RAGGED_LIST,
        "check_estimators_dtypes": _SILENT_ROWS,
    },
    "MFCC": {
        "check_n_features_in_after_fitting": _ANY_LENGTH,
        "check_transformer_data_not_an_array": _RAGGED_LIST,
        "check_estimators_dtypes": _SILENT_ROWS,
    },
    "LogMelSpectrogram": {
        "check_n_features_in_after_fitting": _ANY_LENGTH,
        "check_transformer_data_not_an_array": _RAGGED_LIST,
        "check_estimators_dtypes": _SILENT_ROWS,
    },
    "Deltas": {
        "check_n_features_in_after_fitting": _ANY_FRAMES,
        "check_transformer_data_not_an_array": _RAGGED_FRAMES,
    },
    "CMVN": {
        "check_n_features_in_after_fitting": _ANY_FRAMES,
        "check_transformer_data_not_an_array": _RAGGED_FRAMES,
    },
    "FrameStats": {
        "check_n_features_in_after_fitting": _ANY_FRAMES,
        "check_transformer_general": _ANY_FRAMES,
        "check_transformer_general(readonly_memmap=True)": _ANY_FRAMES,
    },
    "HMMClassifier": {
        "check_n_features_in_after_fitting": _ANY_SEQUENCE,
        # Also its readonly/float32 variants. Only the "X.T in predict must raise" step fails;
        # its accuracy, list-input and decision_function steps pass without it.
        "check_classifiers_train": _ANY_SEQUENCE,
        "check_fit2d_1feature": (
            "1 feature is a sequence of 1 frame, too short for n_states=2 left-right models; "
            "HMMClassifier raises a ValueError naming the class, the frame counts and the fix, "
            "not sklearn's '1 feature(s)' wording"),
    },
    "Conv1DClassifier": {
        "check_estimator_tags_renamed": (
            "scikeras 0.13's BaseWrapper (a parent class) still defines the pre-1.6 _more_tags; "
            "Conv1DClassifier.__sklearn_tags__ sets the tags sklearn 1.9 reads"),
        "check_mixin_order": (
            "scikeras 0.13's KerasClassifier lists ClassifierMixin after BaseEstimator and a "
            "subclass cannot reorder its bases; __sklearn_tags__ restores the classifier tags"),
        "check_estimators_dtypes": _SILENT_ROWS,
        "check_sample_weight_equivalence_on_dense_data": (
            "stochastic training (shuffled mini-batches, random initial weights): weighting a "
            "clip by 2 is not the same fit as repeating it, and the 9-clip data set is too "
            "small for the default stratified validation split"),
    },
    "PadTrim": {
        "check_n_features_in_after_fitting": _ANY_LENGTH,
        "check_transformer_general": _ANY_LENGTH,
        "check_estimators_dtypes": _SILENT_ROWS,
    },
    "WaveAugmenter": {
        "check_estimators_dtypes": _SILENT_ROWS,
    },
    "GarbageGuard": {
        "check_n_features_in_after_fitting": _ANY_LENGTH,
        "check_transformer_general": _ANY_LENGTH,
        "check_transformer_general(readonly_memmap=True)": _ANY_LENGTH,
        "check_transformer_data_not_an_array": _RAGGED_LIST,
        "check_estimators_dtypes": _SILENT_ROWS,
    },
}

# KWSClassifier (and KWS2DClassifier, its subclass) subclasses Conv1DClassifier: the same
# scikeras parents, the same stochastic training, the same silent rows.
EXPECTED_FAILED_CHECKS["KWSClassifier"] = dict(EXPECTED_FAILED_CHECKS["Conv1DClassifier"])
EXPECTED_FAILED_CHECKS["KWS2DClassifier"] = dict(EXPECTED_FAILED_CHECKS["Conv1DClassifier"])


def tested_instances():
    """Yield one instance of every public estimator, with ``INIT_PARAMS`` applied."""
    from .discovery import all_estimators

    for name, cls in all_estimators():
        yield cls(**INIT_PARAMS.get(name, {}))


def expected_failed_checks(estimator):
    """Map check names to the reason they are expected to fail for ``estimator``."""
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})
