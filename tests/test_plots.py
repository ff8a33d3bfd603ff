"""Every exploration and diagnostics plot draws a non-empty PNG (Agg backend), checks its input."""

from types import SimpleNamespace

import numpy as np
import pytest
from conftest import make_chirp, make_tone_commands

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from skspeech.features import MFCC  # noqa: E402
from skspeech.plotting import (  # noqa: E402
    plot_class_counts,
    plot_confusion_matrix,
    plot_durations,
    plot_features,
    plot_history,
    plot_spectrogram,
    plot_waveform,
)

SR = 8000


def _png(ax, path):
    ax = np.ravel(ax)[0]
    ax.figure.savefig(path, dpi=60)
    plt.close(ax.figure)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = mpimg.imread(path)
    assert img.shape[0] > 50 and img.shape[1] > 50
    assert img[..., :3].std() > 0.05  # something was drawn, not a blank canvas
    return img


@pytest.fixture
def clip():
    return make_chirp(300, 2000, 1.0, SR)


def test_waveform(clip, tmp_path):
    ax = plot_waveform(clip, SR, title="chirp")
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), clip, rtol=1e-6)
    assert line.get_xdata()[-1] == pytest.approx((SR - 1) / SR)
    _png(ax, tmp_path / "waveform.png")


def test_spectrogram_follows_the_chirp(clip, tmp_path):
    ax = plot_spectrogram(clip, SR)
    db = np.asarray(ax.collections[0].get_array()).reshape(129, -1)  # 256-point FFT: 129 bins
    peak_hz = db.argmax(axis=0) * SR / 256
    assert peak_hz[2] == pytest.approx(300 + 1700 * 0.03, abs=100)  # the chirp rises ...
    assert peak_hz[-3] == pytest.approx(2000 - 1700 * 0.03, abs=100)  # ... to 2 kHz
    assert db.max() - db.min() == pytest.approx(80)  # 80 dB of range shown
    assert ax.get_ylabel() == "frequency (Hz)" and ax.get_ylim()[1] >= SR / 2
    _png(ax, tmp_path / "spectrogram.png")


def test_mfcc_image(clip, tmp_path):
    frames = MFCC(sr=SR).fit_transform(clip[None])[0]
    ax = plot_features(frames, title="MFCC")
    np.testing.assert_allclose(ax.images[0].get_array(), frames.T)
    _png(ax, tmp_path / "mfcc.png")
    with pytest.raises(ValueError, match=r"one clip's frames, shape \(n_frames, n_coeffs\)"):
        plot_features(frames[None])


def test_durations_and_counts(tmp_path):
    X, y = make_tone_commands(n_per_class=8, sr=SR)
    ax = plot_durations(X, SR, bins=5)
    assert sum(p.get_height() for p in ax.patches) == len(X)
    _png(ax, tmp_path / "durations.png")
    ax = plot_class_counts(y)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["high", "low", "mid"]
    assert [p.get_height() for p in ax.patches] == [8, 8, 8]
    _png(ax, tmp_path / "counts.png")
    with pytest.raises(ValueError, match="at least one clip"):
        plot_durations([], SR)


def test_history(tmp_path):
    fitted = SimpleNamespace(history_={"loss": [1.0, 0.6, 0.5], "val_loss": [1.1, 0.8, 0.9],
                                       "accuracy": [0.5, 0.8, 0.9],
                                       "val_accuracy": [0.4, 0.7, 0.6]}, best_epoch_=1)
    _png(plot_history(fitted), tmp_path / "history.png")


def test_confusion_matrix(tmp_path):
    y = ["yes", "yes", "no", "no", "stop"]
    p = ["yes", "no", "no", "no", "stop"]
    ax = plot_confusion_matrix(y, p, labels=["yes", "no", "stop"])
    np.testing.assert_array_equal(ax.images[0].get_array(), [[1, 1, 0], [0, 2, 0], [0, 0, 1]])
    assert [t.get_text() for t in ax.texts][:3] == ["1", "1", "0"]
    _png(ax, tmp_path / "confusion.png")
    ax = plot_confusion_matrix(y, p, normalize=True)
    assert ax.texts[0].get_text() == "1.00"  # no/no: 2 of 2
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="of one shape"):
        plot_confusion_matrix(y, p[:-1])


@pytest.mark.parametrize("bad", [np.zeros((2, 10)), np.array([]), np.array([0.0, np.nan])])
def test_waveform_rejects_bad_clips(bad):
    with pytest.raises(ValueError, match="plot_waveform"):
        plot_waveform(bad, SR)
