"""Audio files in and out: formats, channels, rates and every bad-file error."""

import numpy as np
import pytest
import soundfile as sf
from conftest import make_tone

from skspeech.exceptions import InvalidAudioError
from skspeech.io import read_audio, write_audio


@pytest.mark.parametrize(
    "ext, subtype, tol",
    [
        ("wav", "PCM_U8", 1e-2),
        ("wav", "PCM_16", 1e-4),
        ("wav", "PCM_24", 1e-6),
        ("wav", "PCM_32", 1e-7),
        ("wav", "FLOAT", 1e-7),
        ("wav", "DOUBLE", 1e-7),
        ("flac", "PCM_16", 1e-4),
        ("flac", "PCM_24", 1e-6),
        ("ogg", "VORBIS", 0.05),
    ],
)
def test_read_formats(tmp_path, ext, subtype, tol):
    sr = 16000
    tone = make_tone(440, 0.5, sr, amplitude=0.5)
    path = tmp_path / f"tone.{ext}"
    write_audio(path, tone, sr, subtype=subtype)
    y, got_sr = read_audio(path)
    assert got_sr == sr
    assert y.dtype == np.float32 and y.ndim == 1
    assert len(y) == len(tone)
    if ext == "ogg":  # lossy: compare energy, not samples
        assert abs(np.sqrt(np.mean(y**2)) - np.sqrt(np.mean(tone**2))) < tol
    else:
        np.testing.assert_allclose(y, tone, atol=tol)


def test_stereo_is_averaged_to_mono(tmp_path):
    sr = 8000
    left = make_tone(300, 0.25, sr, amplitude=0.4)
    right = make_tone(500, 0.25, sr, amplitude=0.2)
    path = tmp_path / "stereo.wav"
    write_audio(path, np.stack([left, right], axis=1), sr, subtype="FLOAT")
    y, _ = read_audio(path)
    np.testing.assert_allclose(y, (left + right) / 2, atol=1e-6)
    both, _ = read_audio(path, mono=False)
    assert both.shape == (len(left), 2)


@pytest.mark.parametrize("file_sr", [8000, 11025, 22050, 44100, 48000])
def test_any_rate_and_resample_on_load(tmp_path, file_sr):
    tone = make_tone(200, 1.0, file_sr)
    path = tmp_path / "t.wav"
    write_audio(path, tone, file_sr, subtype="FLOAT")
    y, sr = read_audio(path)
    assert sr == file_sr and len(y) == file_sr
    y16, sr16 = read_audio(path, sr=16000)
    assert sr16 == 16000 and len(y16) == 16000
    # the 200 Hz tone survives resampling: its peak frequency is unchanged
    spectrum = np.abs(np.fft.rfft(y16))
    assert abs(np.argmax(spectrum) * 16000 / len(y16) - 200) <= 1


def test_float64_output(tmp_path):
    path = tmp_path / "t.wav"
    write_audio(path, make_tone(100, 0.1, 8000), 8000)
    assert read_audio(path, dtype="float64")[0].dtype == np.float64
    with pytest.raises(ValueError, match="dtype must be"):
        read_audio(path, dtype="int16")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.wav"):
        read_audio(tmp_path / "nope.wav")


def test_folder_is_not_audio(tmp_path):
    with pytest.raises(InvalidAudioError, match="is a folder"):
        read_audio(tmp_path)


def test_not_audio(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("these are not samples")
    with pytest.raises(InvalidAudioError, match=r"Cannot read .*notes.wav.* as audio"):
        read_audio(path)


def test_truncated_header(tmp_path):
    path = tmp_path / "cut.wav"
    write_audio(path, make_tone(100, 0.1, 8000), 8000)
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(InvalidAudioError, match="cut.wav"):
        read_audio(path)


def test_zero_samples(tmp_path):
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), 8000)
    with pytest.raises(InvalidAudioError, match=r"empty.wav.* no samples"):
        read_audio(path)


def test_nan_samples(tmp_path):
    path = tmp_path / "nan.wav"
    y = make_tone(100, 0.1, 8000)
    y[10] = np.nan
    sf.write(path, y, 8000, subtype="FLOAT")  # write_audio refuses NaN; soundfile does not
    with pytest.raises(InvalidAudioError, match=r"nan.wav.* NaN or infinite"):
        read_audio(path)


def test_write_never_overwrites_without_asking(tmp_path):
    path = tmp_path / "keep.wav"
    write_audio(path, make_tone(100, 0.1, 8000), 8000)
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_audio(path, make_tone(900, 0.2, 8000), 8000)
    assert path.read_bytes() == before
    write_audio(path, make_tone(900, 0.2, 8000), 8000, overwrite=True)
    assert len(read_audio(path)[0]) == 1600
    assert [p.name for p in tmp_path.iterdir()] == ["keep.wav"]  # no temp file left


@pytest.mark.parametrize(
    "y, sr, match",
    [
        (np.zeros(0), 8000, "n_samples > 0"),
        (np.array([0.1, np.inf]), 8000, "NaN or infinite"),
        (np.zeros((2, 2, 2)), 8000, r"shape \(n_samples,\)"),
        (np.zeros(10), 0, "sample rate"),
        (np.zeros(10), None, "sample rate"),
    ],
)
def test_write_bad_input(tmp_path, y, sr, match):
    with pytest.raises(ValueError, match=match):
        write_audio(tmp_path / "x.wav", y, sr)


def test_write_needs_extension(tmp_path):
    with pytest.raises(ValueError, match="no extension"):
        write_audio(tmp_path / "x", np.ones(10) * 0.1, 8000)
