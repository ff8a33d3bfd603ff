"""Synthetic spoken commands made offline with espeak-ng."""

from __future__ import annotations

import json
import math
import os
import re
import warnings
import zlib
from collections.abc import Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..preprocessing._resample import resample
from ._base import cache_key, get_data_home, load_npz_cache, save_npz_atomic, wrap_paragraphs

# Bump whenever a change in this module changes the generated samples: it is
# part of the cache key.
GENERATOR_VERSION = 1

DEFAULT_WORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")

# espeak-ng's English accents (espeak-ng-data/lang/gmw/en*), without en-Shaw
# (the Shavian alphabet, not an accent).
ACCENTS = {
    "en": "British English",
    "en-us": "American English",
    "en-gb-scotland": "Scottish English",
    "en-gb-x-rp": "Received Pronunciation",
    "en-029": "Caribbean English",
    "en-gb-x-gbclan": "Lancaster English",
    "en-gb-x-gbcwmd": "West Midlands English",
    "en-us-nyc": "New York City English",
}

# Voice variants (espeak-ng-data/voices/!v) that sound like a person. Left
# out: whispers (whisper, whisperf, caleb), robots and heavy echo (robosoft*,
# UniRobot, anikaRobot, announcer, RicishayMax*, Demonic) and "fast", a test.
MALE_VARIANTS = (
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "Alex", "Andy", "AnxiousAndy",
    "Denis", "Diogo", "Gene", "Gene2", "Henrique", "Hugo", "Jacky", "Lee", "Mario",
    "Michael", "Mike", "Mr serious", "Nguyen", "Reed", "Storm", "adam", "antonio",
    "benjamin", "boris", "croak", "david", "ed", "edward", "edward2", "grandpa", "gustave",
    "ian", "iven", "iven2", "iven3", "iven4", "john", "kaukovalta", "klatt", "klatt2",
    "klatt3", "klatt4", "marcelo", "max", "michel", "miguel", "mike2", "norbert", "pablo",
    "paul", "pedro", "quincy", "rob", "robert", "sandro", "travis", "victor",
)
FEMALE_VARIANTS = (
    "f1", "f2", "f3", "f4", "f5", "Alicia", "Andrea", "Annie", "anika", "aunty", "belinda",
    "grandma", "linda", "shelby", "steph", "steph2", "steph3",
)

# Per voice, drawn uniformly (espeak units): base pitch and pitch range
# (0-99, 50 = the variant's own), speaking rate (words per minute; 175 is
# espeak's default, slower rates give word lengths closer to recorded
# commands, 0.3-0.6 s) and level (peak dBFS).
_VOICE_PITCH = (30, 70)
_VOICE_RANGE = (25, 80)
_VOICE_RATE = (110, 190)
_VOICE_LEVEL_DB = (-12.0, -3.0)
# Per utterance jitter around the voice's values.
_JITTER_RATE = 0.08  # relative
_JITTER_PITCH = 4
_JITTER_RANGE = 8
_JITTER_LEVEL_DB = 2.0
_MARGIN_S = 0.01  # silence kept around the trimmed word

_WORD_RE = re.compile(r"[^\W_]+(?:[ '\-][^\W_]+)*")


def _check_words(words):
    if words is None:
        return DEFAULT_WORDS
    words = list(np.asarray(words, dtype=object).ravel()) if not isinstance(
        words, (list, tuple)) else list(words)
    if len(words) == 0:
        raise ValueError("words is empty; give at least one word, e.g. ['yes', 'no'], "
                         "or None for the ten default commands.")
    checked = []
    for i, word in enumerate(words):
        if not isinstance(word, str):
            raise ValueError(f"words[{i}] is {word!r} of type {type(word).__name__}; "
                             "each word must be a string, e.g. 'yes'.")
        if not _WORD_RE.fullmatch(word.strip()):
            raise ValueError(
                f"words[{i}] = {word!r} cannot be spoken as a command: use letters or digits, "
                "with single spaces, hyphens or apostrophes between them (e.g. 'turn-left', "
                "\"don't\"); no punctuation or markup."
            )
        checked.append(word.strip())
    dup = sorted({w for w in checked if checked.count(w) > 1})
    if dup:
        raise ValueError(f"words has duplicates {dup}; each word is a class label and must "
                         "appear once (use n_takes for several utterances per voice).")
    return tuple(checked)


def _check_noise(noise):
    """Return None (no noise), ("level", x) or ("snr", low, high)."""
    if noise is None or (isinstance(noise, Real) and not isinstance(noise, bool)
                         and noise == 0):
        return None
    if isinstance(noise, Real) and not isinstance(noise, bool):
        if not (math.isfinite(noise) and 0 < noise <= 10):
            raise ValueError(
                f"noise={noise!r}: a number is the noise level relative to the speech RMS, "
                "between 0 (no noise) and 10 (e.g. 0.1 is an SNR of 20 dB). For an SNR range "
                "in dB pass a pair, e.g. noise=(10, 30)."
            )
        return ("level", float(noise))
    if isinstance(noise, (tuple, list)) and len(noise) == 2 and all(
            isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(v)
            for v in noise):
        low, high = float(noise[0]), float(noise[1])
        if low > high or low < -20 or high > 100:
            raise ValueError(
                f"noise={tuple(noise)!r}: a pair is an SNR range (low, high) in dB with "
                "-20 <= low <= high <= 100, e.g. (10, 30); each clip draws its SNR from it."
            )
        return ("snr", low, high)
    raise ValueError(
        f"noise must be None or 0 (no noise), a level relative to the speech RMS such as "
        f"0.1, or an SNR range in dB such as (10, 30); got {noise!r}."
    )


def _seed(*parts):
    return np.random.default_rng([int(p) for p in parts])


def _word_id(word):
    return zlib.crc32(word.encode("utf-8"))


def _draw_voices(n_voices, master, available):
    """Voice k: male for even k, female for odd k; each gender walks through a
    seeded permutation of its (accent, variant) pairs, so voices do not repeat
    until every pair is used, and voice k is the same whatever n_voices."""
    pools = {}
    for g, (gender, variants) in enumerate((("male", MALE_VARIANTS),
                                            ("female", FEMALE_VARIANTS))):
        variants = [v for v in variants if v in available]
        if not variants:
            raise RuntimeError(
                f"espeak-ng's voice data has none of skspeech's {gender} voice variants "
                "(espeak-ng-data/voices/!v); reinstall: pip install 'skspeech[synth]'."
            )
        pairs = [(a, v) for a in ACCENTS for v in variants]
        order = _seed(master, 0, g).permutation(len(pairs))
        pools[gender] = [pairs[i] for i in order]
    width = max(2, len(str(n_voices - 1)))
    voices = []
    for k in range(n_voices):
        gender = "male" if k % 2 == 0 else "female"
        pool = pools[gender]
        accent, variant = pool[(k // 2) % len(pool)]
        rng = _seed(master, 1, k)
        voices.append({
            "voice": f"v{k:0{width}d}",
            "accent": accent,
            "variant": variant,
            "espeak_voice": f"{accent}+{variant}",
            "gender": gender,
            "pitch": int(rng.integers(_VOICE_PITCH[0], _VOICE_PITCH[1] + 1)),
            "range": int(rng.integers(_VOICE_RANGE[0], _VOICE_RANGE[1] + 1)),
            "rate": int(rng.integers(_VOICE_RATE[0], _VOICE_RATE[1] + 1)),
            "level_db": round(float(rng.uniform(*_VOICE_LEVEL_DB)), 1),
        })
    return voices


def _trim_silence(x, sr, rel_threshold=0.01):
    """Cut the silence espeak puts around a word, keeping a short margin."""
    active = np.flatnonzero(np.abs(x) > rel_threshold * np.max(np.abs(x)))
    if active.size == 0:
        return x
    margin = int(_MARGIN_S * sr)
    return x[max(active[0] - margin, 0):active[-1] + margin + 1]


def _pink(n, rng):
    """Unit-variance pink (1/f power) noise by spectral shaping of white noise."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spectrum.size, dtype=float)
    f[0] = np.inf  # no DC offset
    x = np.fft.irfft(spectrum / np.sqrt(f), n)
    return x / (np.sqrt(np.mean(x**2)) + 1e-12)


def _make_clip(engine, k, voice, word, take, master, sr):
    """Synthesise one utterance; return it (trimmed, at ``sr``) and the clip's rng."""
    rng = _seed(master, 2, k, _word_id(word), take)
    rate = int(np.clip(round(voice["rate"] * rng.uniform(1 - _JITTER_RATE, 1 + _JITTER_RATE)),
                       80, 450))
    pitch = int(np.clip(voice["pitch"] + rng.integers(-_JITTER_PITCH, _JITTER_PITCH + 1), 0, 99))
    prange = int(np.clip(voice["range"] + rng.integers(-_JITTER_RANGE, _JITTER_RANGE + 1),
                         0, 99))
    level_db = voice["level_db"] + rng.uniform(-_JITTER_LEVEL_DB, _JITTER_LEVEL_DB)
    espeak_seed = int(rng.integers(1, 2**31 - 1))
    samples, espeak_sr = engine.synth(word, voice["espeak_voice"], rate=rate, pitch=pitch,
                                      pitch_range=prange, seed=espeak_seed)
    if samples.size == 0 or not np.any(samples):
        raise RuntimeError(f"espeak-ng produced no sound for {word!r} with voice "
                           f"{voice['espeak_voice']!r}.")
    x = _trim_silence(samples.astype(np.float64) / 32768.0, espeak_sr)
    x = resample(x, espeak_sr, sr)
    x *= 10 ** (level_db / 20) / np.max(np.abs(x))
    return x, rng


_DESCR = """\
Synthetic spoken commands (espeak-ng)
=====================================

{n_clips} clips of {duration:g} s at {sr} Hz: {n_words} words x {n_voices} voices x {n_takes}
take(s) per voice. Words: {words}.

**How it was made.** Each word is spoken by the espeak-ng formant synthesiser
({espeak_version}, driven offline through libespeak-ng) and placed at a random
position in a silent clip, like the 1-second clips of Google's Speech Commands.
A *voice* (speaker) is one of {n_accents} English accents ({accents}) times one of
{n_variants} voice variants ({n_male} male, {n_female} female; voice ids alternate male and
female), with its own base pitch, pitch range, speaking rate and loudness, all
drawn from ``random_state`` (see ``voice_params``). Each utterance jitters the
rate (+-{jrate:.0%}), pitch and range and the level (+-{jlevel:g} dB). The synthesiser runs
at 22050 Hz; the trimmed word is resampled to {sr} Hz with a polyphase filter.
Noise: {noise_text}.

**Order.** Voice-major: all words of voice v00 (in the order of ``words``,
takes consecutive), then v01, and so on. Group by ``voice`` (e.g.
:class:`~sklearn.model_selection.GroupKFold`) to test on unseen speakers.

**Reproducibility.** The same parameters and integer ``random_state`` give the
same arrays bit for bit (generator version {version}); each clip depends only on
its own voice, word and take, so voice v03 is the same whatever ``n_voices``.

**Licence.** espeak-ng and its voice data are GPL-3.0-or-later. skspeech
(BSD-3-Clause) does not bundle them: they come with the optional extra
``pip install 'skspeech[synth]'`` (the espeakng-loader package).

Real recordings differ from espeak-ng speech: train on both, or validate on
real data (e.g. :func:`skspeech.datasets.load_fsdd`), before trusting a model.
"""


def _describe(words, n_voices, n_takes, sr, duration, noise, noise_color, engine, n_clips):
    if noise is None:
        noise_text = "none"
    elif noise[0] == "level":
        noise_text = (f"{noise_color} noise at {noise[1]:g} x the speech RMS "
                      f"(SNR {-20 * math.log10(noise[1]):.1f} dB)")
    else:
        noise_text = (f"{noise_color} noise over the whole clip, SNR drawn uniformly in "
                      f"[{noise[1]:g}, {noise[2]:g}] dB per clip (relative to the power of "
                      "the spoken word)")
    n_male = sum(v in engine.variants for v in MALE_VARIANTS)
    n_female = sum(v in engine.variants for v in FEMALE_VARIANTS)
    return wrap_paragraphs(_DESCR.format(
        n_clips=n_clips, duration=duration, sr=sr, n_words=len(words), n_voices=n_voices,
        n_takes=n_takes, words=", ".join(words), espeak_version=f"espeak-ng {engine.version}",
        n_accents=len(ACCENTS), accents=", ".join(ACCENTS), n_variants=n_male + n_female,
        n_male=n_male, n_female=n_female, jrate=_JITTER_RATE, jlevel=_JITTER_LEVEL_DB,
        noise_text=noise_text, version=GENERATOR_VERSION,
    ))


@validate_params(
    {
        "words": [None, "array-like"],
        "n_voices": [Interval(Integral, 1, None, closed="left")],
        "n_takes": [Interval(Integral, 1, None, closed="left")],
        "sr": [Interval(Integral, 4000, 48000, closed="both")],
        "duration": [None, Interval(Real, 0, None, closed="neither")],
        "noise": [None, Real, tuple, list],
        "noise_color": [StrOptions({"white", "pink"})],
        "random_state": ["random_state"],
        "data_home": [None, str, os.PathLike],
        "cache": ["boolean"],
        "return_X_y": ["boolean"],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def make_spoken_commands(words: Sequence[str] | None = None, n_voices: int = 20, *,
                         n_takes: int = 1, sr: int = 16000, duration: float | None = 1.0,
                         noise: tuple[float, float] | None = (10.0, 30.0),
                         noise_color: str = "pink", random_state: Any = None,
                         data_home: str | os.PathLike | None = None, cache: bool = True,
                         return_X_y: bool = False, verbose: bool = False) -> Bunch | tuple:
    """Generate spoken commands with the espeak-ng speech synthesiser.

    Real synthetic speech, made offline: every word is spoken by
    ``n_voices`` different voices (English accent x voice variant x pitch x
    rate), placed at a random time in a clip of ``duration`` seconds and mixed
    with noise. Needs the optional extra ``pip install 'skspeech[synth]'``
    (espeak-ng is GPL-3.0). Results are cached on disk.

    Parameters
    ----------
    words : list of str, default=None
        The commands (class labels); ``None`` gives the ten of the TensorFlow
        audio tutorial: yes, no, up, down, left, right, on, off, stop, go.
        Letters or digits, with single spaces, hyphens or apostrophes inside.
    n_voices : int, default=20
        Number of speakers. Even voice ids are male variants, odd ones female.
    n_takes : int, default=1
        Utterances of each word per voice (each with its own jitter and noise).
    sr : int, default=16000
        Sample rate of the clips in Hz, 4000 to 48000.
    duration : float or None, default=1.0
        Clip length in seconds. A word longer than that is cut at the end,
        with a warning. ``None`` picks the shortest multiple of 0.1 s that
        holds the longest word plus 0.1 s.
    noise : None, float or (float, float), default=(10.0, 30.0)
        Background noise over the whole clip. ``None`` or ``0``: clean. A
        float: noise RMS as a fraction of the speech RMS (0.1 is an SNR of
        20 dB). A pair ``(low, high)``: each clip's SNR in dB is drawn
        uniformly from it (the speech power is measured over the word).
    noise_color : {"pink", "white"}, default="pink"
        Pink (1/f, like room and fan noise) or white noise.
    random_state : int, RandomState instance or None, default=None
        Draws the voices, jitter, placement and noise. Pass an int for
        reproducible output (and for caching).
    data_home : str or path-like, default=None
        Cache folder; see :func:`get_data_home`. Files go to
        ``<data_home>/spoken_commands/``.
    cache : bool, default=True
        Reuse a cached result made with the same parameters, or store this
        one. Only with an int ``random_state``.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    verbose : bool or int, default=False
        Show a progress bar while synthesising.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With attributes:

        data : ndarray of shape (n_clips, n_samples), float32
            The clips, in [-1, 1]. ``n_clips = n_voices * len(words) *
            n_takes``, ordered voice-major: every word (and take) of voice
            v00, then v01, ...
        target : ndarray of shape (n_clips,), str
            The word spoken in each clip.
        voice : ndarray of shape (n_clips,), str
            The speaker of each clip, "v00", "v01", ...
        take : ndarray of shape (n_clips,), int
            The take index, 0 to ``n_takes - 1``.
        voice_params : list of dict
            One dict per voice: ``voice``, ``accent``, ``variant``,
            ``espeak_voice``, ``gender``, ``pitch`` and ``range`` (espeak's
            0-99 scale, 50 = the variant's own), ``rate`` (words per minute)
            and ``level_db`` (peak level in dBFS). ``pandas.DataFrame(...)``
            turns it into a table.
        target_names : list of str
            The words, in the order given.
        sr : int
            The sample rate.
        DESCR : str
            How the data was made, and the licence of espeak-ng.

    (data, target) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    ImportError
        If espeak-ng (the ``synth`` extra) is not installed.

    See Also
    --------
    load_fsdd : Real recordings of spoken digits.

    Examples
    --------
    >>> from skspeech.datasets import make_spoken_commands
    >>> ds = make_spoken_commands(["yes", "no"], n_voices=2, random_state=0, cache=False)
    >>> ds.data.shape, ds.data.dtype, ds.sr
    ((4, 16000), dtype('float32'), 16000)
    >>> ds.target.tolist(), ds.voice.tolist()
    (['yes', 'no', 'yes', 'no'], ['v00', 'v00', 'v01', 'v01'])
    >>> sorted(ds.voice_params[0])
    ['accent', 'espeak_voice', 'gender', 'level_db', 'pitch', 'range', 'rate', 'variant', 'voice']
    """
    words = _check_words(words)
    noise = _check_noise(noise)
    n_voices, n_takes, sr = int(n_voices), int(n_takes), int(sr)

    from ._espeak import get_engine

    engine = get_engine()  # ImportError with the install hint if the extra is missing
    use_cache = cache and isinstance(random_state, Integral) and not isinstance(
        random_state, bool)
    master = int(check_random_state(random_state).randint(0, 2**31 - 1))

    if use_cache:
        meta = json.dumps({
            "generator": "make_spoken_commands", "version": GENERATOR_VERSION,
            "espeak": engine.version, "words": list(words), "n_voices": n_voices,
            "n_takes": n_takes, "sr": sr,
            "duration": None if duration is None else float(duration),
            "noise": None if noise is None else list(noise), "noise_color": noise_color,
            "random_state": int(random_state),
        }, sort_keys=True)
        path = Path(get_data_home(data_home)) / "spoken_commands" / f"{cache_key(meta)}.npz"
        cached = load_npz_cache(path, meta, ("data", "target", "voice", "take",
                                             "voice_params", "sr"))
        if cached is not None:
            return _result(cached["data"], cached["target"], cached["voice"], cached["take"],
                           json.loads(str(cached["voice_params"])), words, int(cached["sr"]),
                           n_voices, n_takes, float(cached["data"].shape[1] / int(cached["sr"])),
                           noise, noise_color, engine, return_X_y)

    voices = _draw_voices(n_voices, master, engine.variants)
    jobs = [(k, v, w, t) for k, v in enumerate(voices) for w in words for t in range(n_takes)]
    if verbose:
        from tqdm.auto import tqdm

        jobs_iter = tqdm(jobs, desc="espeak-ng", unit="clip")
    else:
        jobs_iter = jobs
    speech, rngs = [], []
    for k, voice, word, take in jobs_iter:
        x, rng = _make_clip(engine, k, voice, word, take, master, sr)
        speech.append(x)
        rngs.append(rng)

    longest = max(len(x) for x in speech)
    if duration is None:
        duration = math.ceil(round((longest / sr + 0.1) * 10, 6)) / 10
    n_samples = max(int(round(duration * sr)), 1)
    too_long = [len(x) for x in speech if len(x) > n_samples]
    if too_long:
        warnings.warn(
            f"{len(too_long)} of {len(speech)} spoken words are longer than "
            f"duration={duration:g} s (the longest lasts {longest / sr:.2f} s) and were cut at "
            "the end. Pass a longer duration, or duration=None to fit them.",
            UserWarning, stacklevel=2,
        )

    data = np.zeros((len(jobs), n_samples), dtype=np.float32)
    for i, (x, rng) in enumerate(zip(speech, rngs, strict=True)):
        x = x[:n_samples]
        onset = int(rng.random() * (n_samples - len(x) + 1))
        clip = np.zeros(n_samples)
        clip[onset:onset + len(x)] = x
        snr_db = rng.uniform(noise[1], noise[2]) if noise and noise[0] == "snr" else None
        if noise is not None:
            speech_rms = np.sqrt(np.mean(x**2))
            scale = noise[1] if snr_db is None else 10 ** (-snr_db / 20)
            base = _pink(n_samples, rng) if noise_color == "pink" else rng.standard_normal(
                n_samples)
            clip += scale * speech_rms * base
        data[i] = np.clip(clip, -1.0, 1.0)

    target = np.array([w for _, _, w, _ in jobs])
    voice_ids = np.array([v["voice"] for _, v, _, _ in jobs])
    takes = np.array([t for _, _, _, t in jobs], dtype=np.int64)
    if use_cache:
        save_npz_atomic(path, data=data, target=target, voice=voice_ids, take=takes,
                        voice_params=np.array(json.dumps(voices)), sr=np.array(sr),
                        meta=np.array(meta))
    return _result(data, target, voice_ids, takes, voices, words, sr, n_voices, n_takes,
                   duration, noise, noise_color, engine, return_X_y)


def _result(data, target, voice, take, voice_params, words, sr, n_voices, n_takes, duration,
            noise, noise_color, engine, return_X_y):
    if return_X_y:
        return data, target
    return Bunch(
        data=data, target=target, voice=voice, take=take, voice_params=voice_params,
        target_names=list(words), sr=sr,
        DESCR=_describe(words, n_voices, n_takes, sr, duration, noise, noise_color, engine,
                        len(data)),
    )
