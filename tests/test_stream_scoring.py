"""skspeech.streaming: building test streams with known words, and scoring detections on them."""

from pathlib import Path

import numpy as np
import pytest

from skspeech.streaming import (
    CommandListener,
    Detection,
    StreamEvent,
    make_command_stream,
    score_detections,
)

SR = 8000
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech_commands_dev"


def _word(loud=(2000, 6000), n=SR, amplitude=0.3):
    """A 1 s clip, silent except a tone over samples ``loud``."""
    x = np.zeros(n, dtype=np.float32)
    a, b = loud
    x[a:b] = amplitude * np.sin(2 * np.pi * 440 * np.arange(b - a) / SR)
    return x


EVENTS = [StreamEvent(2.0, 2.5, "yes", True), StreamEvent(5.0, 5.6, "bed", False),
          StreamEvent(8.0, 8.4, "no", True), StreamEvent(11.0, 11.5, "yes", True)]


# -- scoring ----------------------------------------------------------------------------------
def test_hits_false_alarms_and_their_kinds():
    detections = [
        Detection(2.3, "yes", 0.9, 2.9),     # hit, delay 0.4
        Detection(2.7, "yes", 0.8, 3.2),     # the same word again: duplicate
        Detection(5.3, "yes", 0.7, 5.8),     # on a word that is not a command
        Detection(8.1, "stop", 0.9, 8.6),    # another command on "no": wrong word
        Detection(8.3, "no", 0.9, 8.7),      # still a hit: delay 0.3
        Detection(14.0, "yes", 0.9, 14.5),   # in the noise
        Detection(10.6, "yes", 0.9, 12.1),   # 0.4 s before the onset: hit, delay 0.6
    ]
    sc = score_detections(detections, EVENTS, duration=1800)
    assert sc.outcomes == ["hit", "duplicate", "non_command", "wrong_word", "hit", "noise",
                           "hit"]
    assert (sc.n_commands, sc.n_hits, sc.n_misses, sc.n_false_alarms) == (3, 3, 0, 4)
    assert (sc.n_duplicate, sc.n_wrong_word, sc.n_non_command, sc.n_noise) == (1, 1, 1, 1)
    assert sc.hit_rate == 1.0
    assert sc.false_alarms_per_hour == pytest.approx(8.0)  # 4 in half an hour
    assert sc.delays == pytest.approx([0.4, 0.3, 0.6])  # in time order of the detections
    assert sc.mean_delay == pytest.approx(13 / 30)
    assert sc.median_delay == pytest.approx(0.4)
    assert sc.missed == []


def test_tolerance_misses_and_plain_tuples():
    # plain (time, word) tuples: the delay is measured from their time
    detections = [(2.4, "yes"), (9.2, "no"), (11.2, "no")]
    sc = score_detections(detections, EVENTS, duration=3600, tolerance=0.5)
    assert sc.outcomes == ["hit", "noise", "wrong_word"]  # 9.2 is 0.8 s after "no" ends
    assert sc.missed == [2, 3] and sc.n_misses == 2
    assert sc.hit_rate == pytest.approx(1 / 3)
    assert sc.mean_delay == pytest.approx(-0.1)  # reported before the word's end
    sc = score_detections(detections, EVENTS, duration=3600, tolerance=1.0)
    assert sc.outcomes == ["hit", "hit", "wrong_word"]
    assert sc.delays == pytest.approx([-0.1, 0.8])
    # a fourth item is the time reported
    sc = score_detections([(2.4, "yes", 0.9, 3.0)], EVENTS, duration=3600)
    assert sc.delays == pytest.approx([0.5])


def test_each_event_is_hit_once_and_the_nearest_free_one_is_taken():
    events = [StreamEvent(1.0, 1.4, "up", True), StreamEvent(2.0, 2.4, "up", True)]
    # 1.7 is within 0.5 s of both; the first is hit already, so it takes the second
    sc = score_detections([(1.2, "up"), (1.7, "up"), (2.2, "up")], events, duration=60)
    assert sc.outcomes == ["hit", "hit", "duplicate"]
    # detections in any order are matched in time order
    sc = score_detections([(2.2, "up"), (1.2, "up")], events, duration=60)
    assert sc.outcomes == ["hit", "hit"] and sc.delays == pytest.approx([-0.2, -0.2])


def test_nothing_detected_and_no_commands():
    sc = score_detections([], EVENTS, duration=100)
    assert (sc.hit_rate, sc.false_alarms_per_hour, sc.n_misses) == (0.0, 0.0, 3)
    assert np.isnan(sc.mean_delay) and np.isnan(sc.median_delay)
    sc = score_detections([(1.0, "yes")], [], duration=360)
    assert np.isnan(sc.hit_rate) and sc.false_alarms_per_hour == pytest.approx(10.0)
    assert sc.outcomes == ["noise"]


def test_scoring_errors():
    with pytest.raises(ValueError, match="duration must be the stream's length"):
        score_detections([], EVENTS, duration=0)
    with pytest.raises(ValueError, match="tolerance must be"):
        score_detections([], EVENTS, duration=10, tolerance=-1)
    with pytest.raises(ValueError, match=r"events\[0\] must be \(onset, offset, label"):
        score_detections([], [(1.0, "yes")], duration=10)
    with pytest.raises(ValueError, match=r"events\[0\] must have finite onset <= offset"):
        score_detections([], [(2.0, 1.0, "yes", True)], duration=10)
    with pytest.raises(ValueError, match=r"detections\[1\] must be \(time, word"):
        score_detections([(1.0, "yes"), 3.0], EVENTS, duration=10)


# -- stream building --------------------------------------------------------------------------
def test_events_are_where_the_words_are():
    clips = [_word((2000, 6000)), _word((800, 2400), n=4000), _word((0, 8000))]
    stream, events = make_command_stream(clips, ["yes", "_unknown_", "no"], sr=SR, gap=0.5,
                                         lead=1.0, shuffle=False)
    assert stream.dtype == np.float32 and len(stream) == (1 + 1 + 0.5 + 0.5 + 0.5 + 1 + 1) * SR
    assert [(e.onset, e.offset, e.label, e.is_command, e.clip) for e in events] == [
        (1.25, 1.75, "yes", True, 0), (2.6, 2.8, "_unknown_", False, 1),
        (3.5, 4.5, "no", True, 2)]
    for e in events:  # loud inside each event, silent (no noise) outside every event
        assert np.abs(stream[round(e.onset * SR) + 40:round(e.offset * SR) - 40]).max() > 0.2
    inside = np.zeros(len(stream), bool)
    for e in events:
        inside[round(e.onset * SR):round(e.offset * SR)] = True
    assert not stream[~inside].any()
    # commands= decides which labels are commands; gains scale the words
    _, events = make_command_stream(clips, ["yes", "_unknown_", "no"], sr=SR, commands=["no"],
                                    shuffle=False)
    assert [e.is_command for e in events] == [False, False, True]
    loud, _ = make_command_stream(clips[:1], ["yes"], sr=SR, gain_db=6.0, lead=1.0)
    assert np.abs(loud).max() == pytest.approx(0.3 * 10 ** (6 / 20), rel=1e-3)


def test_noise_bed_level_gaps_and_seed():
    rng = np.random.default_rng(0)
    noise = [rng.standard_normal(SR * 3).astype(np.float32), rng.uniform(-1, 1, SR)]
    clips = [_word() for _ in range(6)]
    labels = ["yes", "no", "bed", "cat", "up", "_unknown_"]
    kwargs = {"sr": SR, "noise": noise, "noise_db": -40.0, "gap": (1.0, 2.0), "lead": 2.0,
                  "random_state": 3}
    stream, events = make_command_stream(clips, labels, **kwargs)
    again, events_again = make_command_stream(clips, labels, **kwargs)
    assert np.array_equal(stream, again) and events == events_again
    _other, other_events = make_command_stream(clips, labels, **{**kwargs, "random_state": 4})
    assert [e.clip for e in other_events] != [e.clip for e in events]
    assert sorted(e.clip for e in events) == list(range(6))
    # the gaps between clips (1 s each, the word in the middle half) are 1-2 s
    starts = np.array([e.onset - 0.25 for e in events])
    assert np.all((np.diff(starts) >= 2.0 - 1e-6) & (np.diff(starts) <= 3.0 + 1e-6))
    assert 2 + 6 + 5 + 2 <= len(stream) / SR <= 2 + 6 + 10 + 2
    # noise alone before the first word, at -40 dBFS RMS
    lead = stream[:int(1.9 * SR)].astype(np.float64)
    assert 10 * np.log10(np.mean(lead ** 2)) == pytest.approx(-40.0, abs=1.0)


def test_a_listener_scored_on_a_generated_stream():
    """End to end: a listener that hears every tone burst over noise scores every hit."""

    class Model:
        classes_ = np.array(["_unknown_", "yes"])

        def predict_proba(self, X):
            return np.tile([0.1, 0.9], (len(X), 1))

    clips = [_word(amplitude=0.3) for _ in range(4)]
    noise = [np.random.default_rng(1).standard_normal(SR * 2).astype(np.float32)]
    stream, events = make_command_stream(clips, ["yes"] * 4, sr=SR, noise=noise, noise_db=-50,
                                         gap=1.5, random_state=0)
    listener = CommandListener(Model(), SR)
    found = [d for i in range(0, len(stream), 800) for d in listener.process(stream[i:i + 800])]
    sc = score_detections(found + listener.flush(), events, duration=len(stream) / SR)
    assert (sc.n_hits, sc.n_false_alarms) == (4, 0)
    assert all(0 <= d <= 1.0 for d in sc.delays)
    assert all(d.reported_at >= d.time for d in found)


def test_stream_errors():
    clip = _word()
    with pytest.raises(ValueError, match="one word per clip: got 2 clips and 1 labels"):
        make_command_stream([clip, clip], ["yes"], sr=SR)
    with pytest.raises(ValueError, match="clips is empty"):
        make_command_stream([], [], sr=SR)
    with pytest.raises(ValueError, match=r"clips\[1\] must be a non-empty 1-D array"):
        make_command_stream([clip, np.zeros((2, 5))], ["a", "b"], sr=SR)
    with pytest.raises(ValueError, match=r"clips\[0\] holds NaN"):
        make_command_stream([np.full(10, np.nan)], ["a"], sr=SR)
    with pytest.raises(ValueError, match="labels must be strings"):
        make_command_stream([clip], [3], sr=SR)
    with pytest.raises(ValueError, match="gap must be seconds in"):
        make_command_stream([clip], ["a"], sr=SR, gap=(2.0, 1.0))
    with pytest.raises(ValueError, match="noise_db must be a number of dB"):
        make_command_stream([clip], ["a"], sr=SR, noise_db="loud")
    with pytest.raises(ValueError, match=r"noise\[0\] must be a finite 1-D recording"):
        make_command_stream([clip], ["a"], sr=SR, noise=[np.zeros(10)])
    with pytest.raises(ValueError, match="commands must be a list of words"):
        make_command_stream([clip], ["a"], sr=SR, commands="a")
    with pytest.raises(ValueError, match="sr must be the sample rate"):
        make_command_stream([clip], ["a"], sr=0)


@pytest.mark.skipif(not DATA.is_dir(), reason="no Speech Commands copy at ../shared/data")
def test_real_clips_make_a_stream_of_held_out_words():
    from skspeech.datasets import background_noise, load_speech_commands

    data = load_speech_commands(DATA, subset="test", task="35")
    noise = background_noise(DATA, subset="test")
    _stream, events = make_command_stream(list(data.data), data.word, sr=data.sr,
                                         commands=["yes", "no", "up", "down", "left", "right",
                                                   "stop"], noise=noise, random_state=0)
    assert len(events) == len(data.word)
    assert sum(e.is_command for e in events) == int(np.isin(
        data.word, ["yes", "no", "up", "down", "left", "right", "stop"]).sum())
    durations = np.array([e.offset - e.onset for e in events])
    assert np.all((durations > 0.05) & (durations <= 1.0 + 1e-9))
    assert np.all(np.diff([e.onset for e in events]) > 1.0)
