"""AudioFiles: clips read on demand, indexed, pickled and split like a list of clips."""

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.model_selection import GroupKFold
from sklearn.utils import _safe_indexing

from skspeech.io import AudioFiles, LazyClips, write_audio
from skspeech.io._clips import is_lazy

SC_DEV = Path(os.environ.get("SKSPEECH_SC_DEV", Path(__file__).resolve().parents[2]
                             / "shared" / "data" / "speech_commands_dev"))


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    paths = []
    for k in range(6):
        path = tmp_path / f"clip{k}.wav"
        write_audio(path, 0.3 * rng.uniform(-1, 1, 4000 + 400 * k), 8000, subtype="FLOAT")
        paths.append(path)
    return paths


def test_reads_on_demand_like_read_audio(files):
    from skspeech.io import read_audio

    X = AudioFiles(files, sr=8000)
    assert is_lazy(X) and isinstance(X, LazyClips)
    assert len(X) == 6 and X.shape == (6,)
    np.testing.assert_array_equal(X[2], read_audio(files[2])[0])
    np.testing.assert_array_equal(X[-1], read_audio(files[5])[0])
    clips = X.read([3, 0])
    assert isinstance(clips, list) and [len(c) for c in clips] == [5200, 4000]
    assert [len(c) for c in X] == [4000 + 400 * k for k in range(6)]
    # resampled on read, as read_audio(sr=) does
    np.testing.assert_allclose(AudioFiles(files, sr=16000)[1], read_audio(files[1], sr=16000)[0])


def test_windows_and_equal_lengths_give_an_array(files):
    X = AudioFiles(files, sr=8000, offset=0.1, duration=0.25)
    out = X.read()
    assert isinstance(out, np.ndarray) and out.shape == (6, 2000) and out.dtype == np.float32
    whole = AudioFiles(files, sr=8000)[0]
    np.testing.assert_allclose(out[0], whole[800:2800], atol=1e-7)
    per_file = AudioFiles(files[:2], offset=[0.0, 0.05], duration=[None, 0.1])
    assert [len(c) for c in per_file] == [4000, 800]
    assert np.asarray(X).shape == (6, 2000)


def test_indexing_gives_lazy_subsets_and_sklearn_splits_them(files):
    X = AudioFiles(files, sr=8000)
    sub = X[1:5:2]
    assert isinstance(sub, AudioFiles) and list(sub.paths) == [str(files[1]), str(files[3])]
    assert isinstance(X[np.array([True, False] * 3)], AudioFiles)
    taken = _safe_indexing(X, np.array([5, 0]))
    assert isinstance(taken, AudioFiles) and len(taken[0]) == 6000
    groups = np.array([0, 0, 1, 1, 2, 2])
    for train, _test in GroupKFold(n_splits=3).split(np.zeros(6), groups=groups):
        part = _safe_indexing(X, train)
        assert isinstance(part, AudioFiles) and len(part) == 4
    with pytest.raises(IndexError, match="6 clips; index 6"):
        X[6]
    with pytest.raises(IndexError, match="boolean mask must have one value per clip"):
        X[np.array([True, False])]


def test_pickles_small(files):
    X = AudioFiles(files, sr=8000, offset=0.0)
    blob = pickle.dumps(X)
    assert len(blob) < 4000  # names, not samples
    back = pickle.loads(blob)
    np.testing.assert_array_equal(back[3], X[3])


@pytest.mark.parametrize("kwargs, message", [
    (dict(paths="a.wav"), "a single path 'a.wav'"),
    (dict(paths=[]), "paths is empty"),
    (dict(paths=[1, 2]), "audio file names"),
    (dict(paths=["a.wav"], offset=-1), "offset must be finite numbers of seconds >= 0"),
    (dict(paths=["a.wav"], duration=0), "duration must be finite numbers of seconds > 0"),
    (dict(paths=["a.wav", "b.wav"], duration=[1.0]), "one value per file \\(2\\)"),
    (dict(paths=["a.wav"], sr=0), "sr"),
    (dict(paths=["a.wav"], dtype="int16"), "dtype must be 'float32' or 'float64'"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        AudioFiles(**kwargs)


def test_a_missing_file_is_named_when_read(tmp_path):
    X = AudioFiles([tmp_path / "gone.wav"], sr=8000)
    with pytest.raises(FileNotFoundError, match="gone.wav"):
        X[0]
    with pytest.raises(FileNotFoundError, match="gone.wav"):
        AudioFiles([tmp_path / "gone.wav"], offset=0.5)[0]


@pytest.mark.skipif(not SC_DEV.is_dir(), reason="Speech Commands dev clips not available")
def test_load_speech_commands_lazy_gives_the_same_clips():
    from skspeech.datasets import load_speech_commands

    kwargs = dict(words=["yes", "no"], subset="validation", task="12", sr=8000)
    eager = load_speech_commands(SC_DEV, **kwargs)
    lazy = load_speech_commands(SC_DEV, lazy=True, **kwargs)
    assert isinstance(lazy.data, AudioFiles) and lazy.data.sr == 8000
    np.testing.assert_array_equal(lazy.target, eager.target)
    np.testing.assert_array_equal(lazy.speaker, eager.speaker)
    silence = np.flatnonzero(lazy.target == "_silence_")
    assert silence.size  # the windows cut from the noise recordings
    pick = np.r_[np.arange(5), silence[:5]]
    for i, clip in zip(pick, lazy.data.read(pick)):
        np.testing.assert_array_equal(clip, eager.data[i])
        assert clip.dtype == eager.data[i].dtype
    X, y = load_speech_commands(SC_DEV, lazy=True, return_X_y=True, **kwargs)
    assert isinstance(X, AudioFiles) and len(X) == len(y) == len(eager.target)
