"""``frontend.json``: the front end of an exported network, written from the fitted steps and
rebuilt from the file with the same transformers (NumPy only, no TensorFlow).

:func:`describe` records each signal step of the fitted pipeline (its class and
parameters, with the framing the step itself resolved); :func:`build` makes
the same steps again from the file, so the features a :class:`TFLiteModel`
computes are the library's own and cannot disagree with the pipeline's.
"""

import datetime

import numpy as np

#: Steps a device (and TFLiteModel) computes, by class name. GarbageGuard is a safety
#: net of the Python pipeline and is left out of the file.
_STEP_TYPES = ("Resampler", "PadTrim", "MFCC", "LogMelSpectrogram", "CMVN", "Deltas",
               "FunctionTransformer")
#: Feature functions a FunctionTransformer step may name (nothing else is ever imported).
_FUNCTIONS = ("relative_log_level", "cepstra")


def _plain(value):
    """JSON-able values only (numbers, strings, lists, dicts of them); None otherwise."""
    if isinstance(value, (int, float, str, bool, type(None))):
        return value
    if isinstance(value, (tuple, list)):
        items = [_plain(v) for v in value]
        return None if any(v is None and x is not None for v, x in zip(items, value)) else items
    if isinstance(value, dict):
        items = {str(k): _plain(v) for k, v in value.items()}
        return None if any(items[str(k)] is None and v is not None
                           for k, v in value.items()) else items
    return None


def step_settings(step):
    """A front-end step as a JSON-able dict (``type`` and parameters); None when unused."""
    if step in (None, "passthrough"):
        return None
    if type(step).__name__ == "FunctionTransformer":
        # kws_pipeline's level and cepstra steps: the device applies the same function
        func = getattr(step, "func", None)
        name = (f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', '')}"
                if func is not None else None)
        return {"type": "FunctionTransformer", "func": name,
                "kw_args": _plain(dict(step.kw_args or {}))}
    out = {"type": type(step).__name__}
    for key, value in step.get_params(deep=False).items():
        if isinstance(value, (type, np.dtype)):
            value = np.dtype(value).name  # MFCC(dtype=np.float32)
        if isinstance(value, (int, float, str, bool, type(None), tuple, list)):
            out[key] = value
    if hasattr(step, "_resolved_params"):  # MFCC / LogMelSpectrogram: the framing it uses
        out["win_length"], out["hop_length"] = step._resolved_params(warn=False)
    return out


def describe(front, clf):
    """The ``frontend.json`` settings of a fitted front end (a Pipeline or None) and network."""
    from .. import __version__
    from ..preprocessing import GarbageGuard

    steps = ({name: s for name, s in front.steps if not isinstance(s, GarbageGuard)}
             if front is not None else {})
    settings = {"steps": {name: step_settings(s) for name, s in steps.items()}}
    sr = None
    for name in ("resample", "padtrim", "features"):
        s = steps.get(name)
        if s not in (None, "passthrough"):
            p = s.get_params(deep=False)
            sr = sr or p.get("orig_sr") or p.get("sr")
    settings["sr"] = sr
    rs = steps.get("resample")
    settings["model_sr"] = rs.target_sr if rs not in (None, "passthrough") else sr
    pad = steps.get("padtrim")
    if pad not in (None, "passthrough"):
        settings["n_samples"] = int(pad.target_length_)  # the fitted length
    shape = list(clf.X_shape_[1:]) + ([1] if len(clf.X_shape_) == 2 else [])
    settings["input_shape"] = [1, *shape]
    settings["layout"] = ("time-major frames (1, n_frames, n_coeffs)" if len(shape) == 2
                          and shape[-1] != 1 else "waveform (1, n_samples, 1)")
    settings["classes"] = [str(c) for c in clf.classes_]
    settings["created"] = datetime.datetime.now(datetime.UTC).isoformat(
        timespec="seconds")
    settings["versions"] = {"skspeech": __version__}
    return settings


def _function(name, where):
    short = str(name).rsplit(".", 1)[-1]
    if short not in _FUNCTIONS:
        raise ValueError(f"{where} names the function {name!r}; a TFLiteModel computes only "
                         f"{', '.join(_FUNCTIONS)}. Compute the features yourself and call "
                         f"predict_features_proba.")
    from .. import features

    return getattr(features, short)


def _build_step(name, spec, settings):
    from sklearn.preprocessing import FunctionTransformer

    from ..features import CMVN, MFCC, Deltas, LogMelSpectrogram
    from ..preprocessing import PadTrim, Resampler

    where = f"frontend.json step {name!r}"
    if not isinstance(spec, dict) or spec.get("type") not in _STEP_TYPES:
        kind = spec.get("type") if isinstance(spec, dict) else spec
        raise ValueError(f"{where} is a {kind!r}; a TFLiteModel computes "
                         f"{', '.join(_STEP_TYPES)}. Compute the features yourself and call "
                         f"predict_features_proba.")
    params = {k: v for k, v in spec.items() if k != "type"}
    if spec["type"] == "FunctionTransformer":
        return FunctionTransformer(_function(params.get("func"), where),
                                   kw_args=params.get("kw_args") or None)
    classes = {"Resampler": Resampler, "PadTrim": PadTrim, "MFCC": MFCC, "CMVN": CMVN,
               "LogMelSpectrogram": LogMelSpectrogram, "Deltas": Deltas}
    try:
        step = classes[spec["type"]](**params)
    except TypeError as exc:
        raise ValueError(f"{where} has parameters this skspeech does not know ({exc}); export "
                         f"the model again with this version.") from None
    if isinstance(step, PadTrim):
        # the exported length (what the pipeline learned or was given), fixed
        n = settings.get("n_samples")
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"frontend.json has a padtrim step but n_samples is {n!r}; "
                             f"expected the clip length in samples. Export the model again.")
        step.set_params(target_length=n, duration=None)
        step.fit([np.linspace(-0.5, 0.5, n, dtype=np.float32)])
    return step


def build(settings):
    """The front-end steps ``[(name, transformer), ...]`` that ``settings`` describe."""
    steps = settings.get("steps")
    if not isinstance(steps, dict):
        msg = "frontend.json has no 'steps'; export the model again with skspeech export."
        raise ValueError(msg)  # noqa: TRY004 (a damaged file, not an argument of a wrong type)
    return [(name, _build_step(name, spec, settings)) for name, spec in steps.items()
            if spec is not None]


def transform(steps, X):
    """Run clips through the steps, as the Pipeline's ``transform`` does."""
    for _, step in steps:
        X = step.transform(X)
    return X
