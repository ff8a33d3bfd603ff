"""A minimal ctypes binding to libespeak-ng, as bundled by ``espeakng-loader``.

espeak-ng is GPL-3.0 and optional (``pip install 'skspeech[synth]'``): this
module imports ``espeakng_loader`` only inside :func:`get_engine`.

Why a fresh copy of the library for every utterance
---------------------------------------------------
libespeak-ng keeps synthesis state in static variables that no API call
resets: the pitch-flutter position (``Flutter_ix``), the glottal cycle counter
used for roughness, the automatic gain, ... and its breath noise calls the C
library's ``rand()``. Measured with espeak-ng 1.52: synthesising "yes" five
times in a row gives five different waveforms (they differ from sample 64 on,
and for most voices the lengths differ too), even with
``espeak_ng_SetRandSeed`` and ``srand`` fixed. ``espeak_Terminate`` followed by
``espeak_Initialize`` does not help either.

So each utterance is synthesised by a *fresh image* of the library: the shared
object is copied to a private temporary file, loaded with ``dlopen`` (a new
file is a new image with freshly initialised static data), used once and
unloaded. With the random seeds fixed, the samples then depend only on the
text, voice and parameters: bit-for-bit identical across calls and processes.
Most of what that costs is ``espeak_SetVoiceByName``.

Everything runs under a process-wide lock: ``rand()`` is shared by the whole
process and the callback collects samples into one buffer.
"""

import atexit
import ctypes
import itertools
import os
import shutil
import sys
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np

_INSTALL_HINT = "pip install 'skspeech[synth]'"

# speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_espeakCHARS_UTF8 = 1
_espeakINITIALIZE_DONT_EXIT = 0x8000
_espeakRATE, _espeakVOLUME, _espeakPITCH, _espeakRANGE = 1, 2, 3, 4

_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)

_LOCK = threading.RLock()
_ENGINE = None


def _import_loader():
    try:
        import espeakng_loader
    except ImportError as exc:
        raise ImportError(
            "make_spoken_commands synthesises speech with espeak-ng (GPL-3.0), an optional "
            f"extra. Install it with: {_INSTALL_HINT}  (this installs espeakng-loader, which "
            "bundles libespeak-ng and its voice data)."
        ) from exc
    return espeakng_loader


def get_engine():
    """The process-wide :class:`EspeakEngine` (created on first use)."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            loader = _import_loader()
            _ENGINE = EspeakEngine(loader.get_library_path(), loader.get_data_path())
        return _ENGINE


def _close_library(handle):
    import _ctypes

    if sys.platform == "win32":
        _ctypes.FreeLibrary(handle)
    else:
        _ctypes.dlclose(handle)


class EspeakEngine:
    """Synthesise single utterances with libespeak-ng, one fresh library image each.

    Parameters
    ----------
    library_path : str
        Path of ``libespeak-ng.so`` (or ``.dylib`` / ``.dll``).
    data_path : str
        The ``espeak-ng-data`` folder. espeak_Initialize is given its parent
        (the folder that *contains* ``espeak-ng-data``), which every espeak-ng
        version accepts; 1.52 also accepts the data folder itself.
    """

    def __init__(self, library_path, data_path):
        self.library_path = str(library_path)
        self.data_path = Path(data_path)
        if not Path(self.library_path).is_file():
            raise ImportError(
                f"espeakng-loader points to {self.library_path!r}, which does not exist; "
                f"reinstall it: {_INSTALL_HINT}"
            )
        self._tmpdir = None
        self._counter = itertools.count()
        self._private_images = True  # False once copying/loading a private image failed
        self._chunks = []
        self._callback = _SynthCallback(self._collect)
        self.version = self._with_library(self._version)
        self.variants = self._list_variants()

    # -- library images -----------------------------------------------------------------
    def _private_copy(self):
        if self._tmpdir is None:
            self._tmpdir = tempfile.mkdtemp(prefix="skspeech-espeak-")
            atexit.register(shutil.rmtree, self._tmpdir, ignore_errors=True)
        suffix = Path(self.library_path).suffix
        path = os.path.join(self._tmpdir, f"libespeak-ng-{next(self._counter)}{suffix}")
        shutil.copyfile(self.library_path, path)
        return path

    def _open(self):
        """Load a library image and initialise it; return ``(lib, path_to_remove)``."""
        path, lib = None, None
        if self._private_images:
            try:
                path = self._private_copy()
                lib = ctypes.CDLL(path, mode=getattr(os, "RTLD_LOCAL", 0))
            except OSError as exc:  # e.g. a temp folder mounted noexec
                self._private_images = False
                warnings.warn(
                    f"Could not load a private copy of libespeak-ng ({exc}); using the shared "
                    "library instead. Clips then depend on what was synthesised before them "
                    "in this process, so results are not reproducible bit for bit.",
                    RuntimeWarning, stacklevel=4,
                )
                if path is not None and os.path.exists(path):
                    os.unlink(path)
                path = None
        if lib is None:
            lib = ctypes.CDLL(self.library_path)
        self._declare(lib)
        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, os.fsencode(self.data_path.parent),
            _espeakINITIALIZE_DONT_EXIT,
        )
        if rate <= 0:
            self._close(lib, path)
            raise RuntimeError(
                f"espeak-ng could not load its data from {str(self.data_path)!r} "
                f"(espeak_Initialize returned {rate}). Reinstall it: {_INSTALL_HINT}"
            )
        lib.espeak_SetSynthCallback(self._callback)
        return lib, path, int(rate)

    def _close(self, lib, path):
        lib.espeak_Terminate()
        if path is not None:  # a private image: unload it, so the next one starts afresh
            _close_library(lib._handle)
            try:
                os.unlink(path)
            except OSError:  # Windows keeps files of loaded DLLs; removed at exit
                pass

    def _with_library(self, func, *args):
        with _LOCK:
            lib, path, rate = self._open()
            try:
                return func(lib, rate, *args)
            finally:
                self._close(lib, path)

    @staticmethod
    def _declare(lib):
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
                                          ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint,
                                     ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
                                     ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synchronize.restype = ctypes.c_int
        lib.espeak_Terminate.restype = ctypes.c_int
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        lib.espeak_Info.restype = ctypes.c_char_p
        if hasattr(lib, "espeak_ng_SetRandSeed"):  # espeak-ng >= 1.52
            lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]

    @staticmethod
    def _version(lib, rate):
        return lib.espeak_Info(None).decode("ascii", "replace")

    def _list_variants(self):
        folder = self.data_path / "voices" / "!v"
        return frozenset(p.name for p in folder.iterdir()) if folder.is_dir() else frozenset()

    # -- synthesis ----------------------------------------------------------------------
    def _collect(self, wav, n_samples, events):
        if n_samples > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n_samples,)).copy())
        return 0

    def _synth(self, lib, rate, text, voice, wpm, pitch, pitch_range, seed):
        status = lib.espeak_SetVoiceByName(voice.encode("utf-8"))
        if status != 0:
            raise ValueError(f"espeak-ng has no voice {voice!r} (status {status}).")
        for param, value in ((_espeakRATE, wpm), (_espeakPITCH, pitch),
                             (_espeakRANGE, pitch_range), (_espeakVOLUME, 100)):
            lib.espeak_SetParameter(param, int(value), 0)
        if hasattr(lib, "espeak_ng_SetRandSeed"):
            lib.espeak_ng_SetRandSeed(int(seed))
        _libc_srand(int(seed))
        self._chunks = []
        data = text.encode("utf-8") + b"\0"
        status = lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _espeakCHARS_UTF8,
                                  None, None)
        if status != 0:
            raise RuntimeError(f"espeak_Synth failed for {text!r} with status {status}.")
        lib.espeak_Synchronize()
        chunks, self._chunks = self._chunks, []
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
        return samples, rate

    def synth(self, text, voice, *, rate=175, pitch=50, pitch_range=50, seed=1):
        """Speak ``text`` with ``voice`` (e.g. ``"en-us+f3"``).

        Parameters
        ----------
        text : str
            Plain text (no SSML).
        voice : str
            espeak-ng voice name, ``language[+variant]``.
        rate : int, default=175
            Words per minute (80 to 450).
        pitch, pitch_range : int, default=50
            espeak's base pitch and pitch range, 0 to 99 (50 is the voice's own).
        seed : int, default=1
            Seed for espeak's noise generators.

        Returns
        -------
        samples : ndarray of int16
            The waveform, including espeak's trailing pause.
        sr : int
            Its sample rate (22050 Hz).
        """
        return self._with_library(self._synth, text, voice, rate, pitch, pitch_range, seed)


def _libc_srand(seed):
    global _SRAND
    if _SRAND is None:
        try:
            libc = ctypes.CDLL(None) if sys.platform != "win32" else ctypes.cdll.msvcrt
            _SRAND = libc.srand
            _SRAND.argtypes = [ctypes.c_uint]
        except (OSError, AttributeError):
            _SRAND = False
    if _SRAND:
        _SRAND(seed & 0xFFFFFFFF)


_SRAND = None
