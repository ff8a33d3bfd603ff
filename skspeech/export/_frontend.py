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
#: What ``frontend.json`` says it is, and the newest layout this skspeech reads. A file
#: without them is read as version 1 (the layout they were added to).
FORMAT, FORMAT_VERSION = "skspeech-export", 1
#: The .tflite files an export may name, by variant.
VARIANTS = ("float", "int8")


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
    from .._version import __version__
    from ..preprocessing import GarbageGuard

    steps = ({name: s for name, s in front.steps if not isinstance(s, GarbageGuard)}
             if front is not None else {})
    settings = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "steps": {name: step_settings(s) for name, s in steps.items()}}
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


def _is_int(value, low=1):
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def check_settings(settings, where):
    """``settings`` (a parsed ``frontend.json``, named ``where`` in messages), checked.

    The schema and version of the file: each key :func:`describe` writes has
    the type it writes, ``files`` names plain ``.tflite`` file names of the
    folder, and the optional ``listener`` (settings for
    :class:`~skspeech.streaming.CommandListener`) is an object. ValueError
    otherwise, naming the file, the key and what was expected.
    """
    again = "Export the model again with skspeech export."
    if not isinstance(settings, dict):
        raise ValueError(f"{where} holds a JSON {type(settings).__name__}, not the object "
                         f"skspeech export writes. {again}")
    fmt = settings.get("format", FORMAT)
    if fmt != FORMAT:
        raise ValueError(f"{where} says it is a {fmt!r} file, not a {FORMAT!r} frontend.json "
                         f"of skspeech export. {again}")
    version = settings.get("format_version", 1)
    if not _is_int(version):
        raise ValueError(f"{where} is damaged: its format_version is {version!r}, expected a "
                         f"whole number such as {FORMAT_VERSION}. {again}")
    if version > FORMAT_VERSION:
        raise ValueError(f"{where} has export format version {version}, newer than this "
                         f"skspeech reads (version {FORMAT_VERSION}); upgrade skspeech (pip "
                         f"install -U skspeech) to run it.")
    missing = [k for k in ("steps", "classes", "input_shape") if k not in settings]
    if missing:
        raise ValueError(f"{where} lacks {', '.join(map(repr, missing))}; it was not written "
                         f"by skspeech export. {again}")

    def bad(key, expected):
        return ValueError(f"{where} is damaged: {key} is {settings.get(key)!r}, expected "
                          f"{expected}. {again}")

    steps = settings["steps"]
    if not isinstance(steps, dict) or not all(isinstance(v, (dict, type(None)))
                                              for v in steps.values()):
        raise bad("steps", "an object of front-end steps (each an object or null)")
    classes = settings["classes"]
    if (not isinstance(classes, list) or not classes
            or not all(isinstance(c, str) and c for c in classes)):
        raise bad("classes", "the list of words (non-empty strings) in output order")
    if len(set(classes)) != len(classes):
        twice = sorted({c for c in classes if classes.count(c) > 1})
        raise bad("classes", f"each word once (twice: {', '.join(twice)})")
    shape = settings["input_shape"]
    if (not isinstance(shape, list) or not 2 <= len(shape) <= 4
            or not all(_is_int(n) for n in shape) or shape[0] != 1):
        raise bad("input_shape", "the network's input shape, e.g. [1, 99, 40] (whole "
                                 "numbers, the first 1)")
    for key in ("sr", "model_sr"):
        if settings.get(key) is not None and not _is_int(settings[key]):
            raise bad(key, "a sample rate in Hz (a positive whole number) or null")
    if settings.get("n_samples") is not None and not _is_int(settings["n_samples"]):
        raise bad("n_samples", "the clip length in samples (a positive whole number) or null")
    files = settings.get("files")
    if files is not None:
        if not isinstance(files, dict) or not set(files) <= set(VARIANTS):
            raise bad("files", f"an object naming the file of each variant "
                               f"({', '.join(VARIANTS)})")
        for variant, name in files.items():
            if (not isinstance(name, str) or not name.endswith(".tflite")
                    or name != name.strip() or "/" in name or "\\" in name
                    or name.startswith(".")):
                raise bad("files", f"plain .tflite file names in the export folder (the "
                                   f"{variant} file is {name!r})")
    if "embedding" in settings:
        _check_embedding(settings["embedding"], where, again)
    int8 = settings.get("int8")
    if isinstance(int8, dict) and int8.get("outputs", "logits") not in ("logits",
                                                                         "probabilities"):
        raise bad("int8", "\"outputs\": \"logits\" or \"probabilities\"")
    if "listener" in settings and not isinstance(settings["listener"], dict):
        raise bad("listener", "an object of listener settings (e.g. {\"threshold\": 0.97})")
    return settings


def _check_embedding(embedding, where, again):
    """The ``"embedding"`` object of ``frontend.json`` (export_tflite(embedding=True)), checked."""
    expected = ('an object with "files" (the .tflite file of each variant) and "size" (the '
                'values per clip of its output)')
    ok = (isinstance(embedding, dict) and isinstance(embedding.get("files"), dict)
          and embedding["files"] and set(embedding["files"]) <= set(VARIANTS)
          and _is_int(embedding.get("size")))
    if ok:
        ok = all(isinstance(name, str) and name.endswith(".tflite") and name == name.strip()
                 and "/" not in name and "\\" not in name and not name.startswith(".")
                 for name in embedding["files"].values())
    if ok and "parts" in embedding:  # the layers of the flat output (exports of 0.2.0)
        parts = embedding["parts"]
        ok = (isinstance(parts, list) and parts
              and all(isinstance(p, dict) and isinstance(p.get("layer"), str)
                      and isinstance(p.get("shape"), list) and p["shape"]
                      and all(_is_int(d) and d > 0 for d in p["shape"]) for p in parts)
              and sum(int(np.prod(p["shape"])) for p in parts) == embedding["size"])
        expected += (', and "parts": a list of {"layer": name, "shape": [...]} whose sizes '
                     'add up to "size"')
    if not ok:
        raise ValueError(f"{where} is damaged: embedding is {embedding!r}, expected {expected}. "
                         f"{again}")


def check_rates(settings, steps, where):
    """Raise when ``frontend.json``'s ``sr`` or ``model_sr`` disagrees with its own steps.

    A file that says 16000 Hz over steps made for 8000 Hz would have every
    clip resampled to the wrong rate (words at the wrong speed and pitch)
    without a word.
    """
    from .._inspection import _rate_changes

    again = "the file was edited or damaged; export the model again with skspeech export."
    rate, first, source = None, None, None
    for name, step in steps:
        change = _rate_changes(step)
        if change is None:
            continue
        if rate is not None and change[0] != rate:
            raise ValueError(f"{where}: step {name!r} expects {change[0]} Hz but step "
                             f"{source!r} gives it clips at {rate} Hz; {again}")
        if first is None:
            first = change[0]
        rate, source = change[1], name
    sr, model_sr = settings.get("sr"), settings.get("model_sr")
    if first is not None and sr != first:
        raise ValueError(f"{where} says sr={sr!r} Hz, but its steps take clips at {first} Hz: "
                         f"clips would be resampled to the wrong rate; {again}")
    if rate is not None and model_sr is not None and model_sr != rate:
        raise ValueError(f"{where} says model_sr={model_sr} Hz, but its steps compute the "
                         f"features at {rate} Hz; {again}")


def transform(steps, X):
    """Run clips through the steps, as the Pipeline's ``transform`` does."""
    for _, step in steps:
        X = step.transform(X)
    return X
