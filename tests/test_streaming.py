"""skspeech.streaming: the listener's gate, smoothing, thresholds and timing on made-up streams."""

import numpy as np
import pytest
from conftest import make_tone

from skspeech.io import write_audio
from skspeech.pipelines import svm_pipeline
from skspeech.streaming import CommandListener, Detection, FileStream, MicrophoneStream, listen

SR = 8000


def _burst(freq, rng, sr=SR):
    """1 s clip: 0.3 s tone burst in the middle of quiet noise."""
    x = (0.002 * rng.standard_normal(sr)).astype(np.float32)
    x[3800:6200] += make_tone(freq, 0.3, sr, amplitude=0.3)
    return x


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(0)
    X = [_burst(f, rng) for f in (300, 320, 340, 1200, 1240, 1280, 2400, 2450, 2500)]
    y = ["low"] * 3 + ["high"] * 3 + ["top"] * 3
    return svm_pipeline(sr=SR).set_params(svc__cv=3).fit(X, y)


def _stream(events, rng, total=12.0):
    """Quiet noise with 0.3 s tones starting at the given times; truth = tone centres."""
    x = (0.002 * rng.standard_normal(int(total * SR))).astype(np.float32)
    truth = []
    for t, f, word in events:
        s = int(t * SR)
        x[s:s + int(0.3 * SR)] += make_tone(f, 0.3, SR, amplitude=0.3)
        truth.append((t + 0.15, word))
    return x, truth


def _run(listener, x, block):
    return [d for i in range(0, len(x), block) for d in listener.process(x[i:i + block])] \
        + listener.flush()


@pytest.mark.parametrize("block", [80, 800, 3333, 8000 * 3])
def test_finds_each_command_once_at_its_time_whatever_the_block_size(model, block):
    rng = np.random.default_rng(1)
    x, truth = _stream([(1.5, 310, "low"), (4.0, 1250, "high"), (7.2, 2420, "top"),
                        (10.0, 330, "low")], rng)
    found = _run(CommandListener(model, SR), x, block)
    assert [d.word for d in found] == [w for _, w in truth]
    for d, (t, _) in zip(found, truth):
        assert abs(d.time - t) < 0.1
        assert 0.6 <= d.probability <= 1
    assert all(isinstance(d, Detection) for d in found)


def test_silence_and_noise_give_nothing(model):
    rng = np.random.default_rng(2)
    x = (0.002 * rng.standard_normal(10 * SR)).astype(np.float32)
    x[4 * SR:6 * SR] *= 2.5  # 8 dB louder noise: under the 12 dB gate
    listener = CommandListener(model, SR)
    assert _run(listener, x, 800) == []
    assert listener.noise_floor_db is not None and -60 < listener.noise_floor_db < -40
    x[4 * SR:6 * SR] *= 1.6  # 12 dB louder: the gate opens, a higher gate_db keeps it shut
    assert _run(CommandListener(model, SR, gate_db=18), x, 800) == []
    assert _run(CommandListener(model, SR), np.zeros(5 * SR, np.float32), 800) == []


class _PeakModel:
    """Says the band of the strongest frequency with probability 0.7 (0.15 for the others)."""

    classes_ = np.array(["high", "low", "top"])

    def predict_proba(self, X):
        out = np.full((len(X), 3), 0.15)
        for i, x in enumerate(X):
            peak = np.argmax(np.abs(np.fft.rfft(x))) * SR / len(x)
            out[i, 1 if peak < 800 else 0 if peak < 2000 else 2] = 0.7
        return out


def test_thresholds_ignore_and_refractory(model):
    rng = np.random.default_rng(3)
    x, _ = _stream([(2.0, 310, "low"), (5.0, 1250, "high")], rng, total=8)
    assert [d.word for d in _run(CommandListener(_PeakModel(), SR), x, 800)] == ["low", "high"]
    found = _run(CommandListener(_PeakModel(), SR, threshold={"low": 0.75}), x, 800)
    assert [(d.word, d.probability) for d in found] == [("high", pytest.approx(0.7))]
    assert _run(CommandListener(_PeakModel(), SR, threshold=0.71), x, 800) == []
    found = _run(CommandListener(model, SR, ignore=("high",)), x, 800)
    assert [d.word for d in found] == ["low"]
    # two commands 0.5 s apart: the second falls inside a 1 s refractory period
    x, _ = _stream([(2.0, 310, "low"), (2.8, 2420, "top")], rng, total=5)
    assert len(_run(CommandListener(model, SR, refractory=1.5), x, 800)) == 1


def test_listen_on_a_file_stream(model, tmp_path):
    rng = np.random.default_rng(4)
    x, truth = _stream([(1.0, 2450, "top"), (3.0, 1230, "high")], rng, total=5)
    write_audio(tmp_path / "s.wav", x, SR)
    stream = FileStream(tmp_path / "s.wav", block_duration=0.05)
    assert stream.sr == SR and stream.duration == pytest.approx(5.0)
    found = list(listen(model, stream))
    assert [d.word for d in found] == ["top", "high"]
    assert [d.time for d in found] == pytest.approx([t for t, _ in truth], abs=0.1)
    # resampled on read to the model's rate
    write_audio(tmp_path / "s16.wav", np.repeat(x, 2), 16000)
    assert FileStream(tmp_path / "s16.wav", sr=SR).sr == SR


def test_errors(model):
    with pytest.raises(ValueError, match="1-D mono audio"):
        CommandListener(model, SR).process(np.zeros((2, 100)))
    with pytest.raises(ValueError, match="NaN"):
        CommandListener(model, SR).process(np.full(100, np.nan))
    with pytest.raises(ValueError, match="does not know: \\['maybe'\\]"):
        CommandListener(model, SR, threshold={"maybe": 0.5}).process(np.zeros(10))
    with pytest.raises(ValueError, match="hop must be"):
        CommandListener(model, SR, hop=2.0).process(np.zeros(10))
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="smoothing must be an int >= 1"):
            CommandListener(model, SR, smoothing=bad).process(np.zeros(10))
    # numpy numbers, as GridSearchCV or np.arange give them, are numbers
    assert CommandListener(model, SR, smoothing=np.int64(2), hop=np.float64(0.1),
                           window=np.int64(1)).process(np.zeros(10)) == []
    svm = svm_pipeline(sr=SR, probability=False).fit(*_xy())
    with pytest.raises(ValueError, match="predict_proba"):
        CommandListener(svm, SR).process(np.zeros(10))
    with pytest.raises(ValueError, match="sr="):
        next(listen(model, [np.zeros(10)]))
    with pytest.raises(FileNotFoundError, match="No such audio file"):
        FileStream("missing.wav")


def _xy():
    rng = np.random.default_rng(0)
    return [_burst(f, rng) for f in (300, 310, 1200, 1210)], ["low", "low", "high", "high"]


def test_microphone_without_sounddevice_says_how_to_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_sd(name, *a, **k):
        if name == "sounddevice":
            raise ImportError("No module named 'sounddevice'")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_sd)
    with pytest.raises(ImportError, match=r"pip install 'skspeech\[mic\]'"):
        next(iter(MicrophoneStream(sr=SR)))
    # PortAudio missing: sounddevice raises OSError on import
    def no_portaudio(name, *a, **k):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_portaudio)
    with pytest.raises(ImportError, match="PortAudio library is not"):
        next(iter(MicrophoneStream(sr=SR)))


def test_noise_floor_is_the_10th_percentile_of_the_last_30_seconds():
    from collections import deque

    from skspeech.streaming._listener import _RecentLevels

    rng = np.random.default_rng(5)
    recent, window = _RecentLevels(300), deque(maxlen=300)
    for _ in range(60):  # blocks of any size, wrapping round the ring many times
        values = rng.normal(-50, 10, int(rng.integers(1, 700)))
        recent.extend(values)
        window.extend(values)
        assert len(recent) == len(window)
        assert recent.percentile(10) == pytest.approx(np.percentile(list(window), 10), abs=1e-9)


def test_a_long_sound_is_reported_once():
    # a 3 s tone: every window is full of sound, centred, and heard as "low" with p=0.7;
    # the word fires again only after its probability has fallen below the threshold
    rng = np.random.default_rng(6)
    x = (0.002 * rng.standard_normal(9 * SR)).astype(np.float32)
    x[2 * SR:5 * SR] += make_tone(310, 3.0, SR, amplitude=0.3)
    x[7 * SR:int(7.3 * SR)] += make_tone(320, 0.3, SR, amplitude=0.3)
    found = _run(CommandListener(_PeakModel(), SR), x, 800)
    assert [d.word for d in found] == ["low", "low"]
    assert 2.0 < found[0].time < 5.0 and found[1].time == pytest.approx(7.15, abs=0.1)
    assert all(d.time <= d.reported_at for d in found)


def test_int16_blocks_are_scaled_and_a_wrong_rate_is_refused(model):
    rng = np.random.default_rng(1)
    x, _ = _stream([(1.5, 310, "low"), (4.0, 1250, "high")], rng, total=6.0)
    pcm = np.round(x * 32767).astype(np.int16)  # what scipy.io.wavfile.read returns
    as_float = [(d.word, d.time) for d in _run(CommandListener(model, SR), x, 800)]
    as_int16 = [(d.word, d.time) for d in _run(CommandListener(model, SR), pcm, 800)]
    assert as_int16 == as_float and [w for w, _ in as_float] == ["low", "high"]
    with pytest.raises(ValueError, match=r"CommandListener\(sr=...\) is 16000 Hz but the model "
                                         r"takes clips at 8000 Hz"):
        CommandListener(model, 16000).process(x[:800])


@pytest.mark.slow
def test_auto_threshold_is_sharp_for_networks_and_0_6_for_the_others(model):
    """threshold='auto': each model gets the operating point measured for its kind."""
    pytest.importorskip("scikeras")
    from skspeech.models import GeometricVotingClassifier
    from skspeech.pipelines import kws_pipeline
    from skspeech.streaming import auto_threshold
    from skspeech.streaming._listener import NETWORK_THRESHOLD, OTHER_THRESHOLD

    rng = np.random.default_rng(1)
    X = np.stack([_burst(f, rng) for f in (300, 320, 340, 1200, 1240, 1280)])
    y = ["low"] * 3 + ["high"] * 3
    net = kws_pipeline(sr=SR, augment=False, epochs=1, random_state=0, filters=(4,), strides=2,
                       stem_filters=4).fit(X, y)
    assert NETWORK_THRESHOLD > 0.99 and OTHER_THRESHOLD == 0.6
    assert auto_threshold(net) == NETWORK_THRESHOLD
    assert auto_threshold(model) == OTHER_THRESHOLD
    svm = svm_pipeline(sr=SR).set_params(svc__cv=3).fit(X, y)
    mixed = GeometricVotingClassifier([("net", net), ("svm", svm)]).fit(X, y)
    assert auto_threshold(mixed) == OTHER_THRESHOLD
    # the listener uses it, and a dict's missing words fall back on it
    listener = CommandListener(net, SR, threshold={"low": 0.5})
    listener.process(np.zeros(10, np.float32))
    assert listener._thr.tolist() == [NETWORK_THRESHOLD, 0.5]  # classes: high, low
    listener = CommandListener(model, SR)
    listener.process(np.zeros(10, np.float32))
    assert set(listener._thr) == {OTHER_THRESHOLD}
    with pytest.raises(ValueError, match="'auto'"):
        CommandListener(model, SR, threshold="high").process(np.zeros(10))
