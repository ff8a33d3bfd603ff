"""load_speech_commands on a small Speech-Commands-layout folder made by the test."""

import hashlib
import math
import shutil
import tracemalloc

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skspeech.datasets import background_noise, load_speech_commands, which_set
from skspeech.exceptions import InvalidAudioError
from skspeech.io import read_audio, write_audio

SR = 16000
TEN = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
OTHERS = ["cat", "bird", "happy"]


def _pick_speakers():
    """8 speaker ids like the dataset's (8 hex digits): by the SHA-1 rule, 2 validation,
    2 test, 4 train (so every subset has speakers when the lists are missing)."""
    want = {"validation": 2, "test": 2, "train": 4}
    got = {s: [] for s in want}
    for k in range(1, 10_000):
        spk = f"{(k * 2654435761) % 2**32:08x}"
        s = which_set(f"{spk}_nohash_0.wav")
        if len(got[s]) < want[s]:
            got[s].append(spk)
        if all(len(got[s]) == want[s] for s in want):
            return got["validation"] + got["test"] + got["train"]
    raise AssertionError("no speaker ids found")


SPEAKERS = _pick_speakers()
# The lists swap the rule's choice (rule validation -> listed test and vice versa), so
# a test can tell the lists were used.
LIST_SUBSET = {SPEAKERS[0]: "test", SPEAKERS[1]: "test",
               SPEAKERS[2]: "validation", SPEAKERS[3]: "validation"}  # the others: train
FREQ = {w: 200 + 60 * i for i, w in enumerate(TEN + OTHERS)}  # one tone per word


def _tone(word, n, rng):
    t = np.arange(n) / SR
    x = 0.4 * np.sin(2 * np.pi * FREQ[word] * t) + 0.01 * rng.standard_normal(n)
    return x.astype(np.float32)


def make_speech_commands_folder(root, *, short=True, lists=True, windows_lists=False,
                                seed=0):
    """Write a tiny Speech Commands copy: 13 words x 8 speakers x 2 takes, 16 kHz WAV.

    Takes are 1 s, except (with ``short``) take 1 of speaker 5, which is 0.6 s.
    ``validation_list.txt``/``testing_list.txt`` put speakers 0-1 in test and 2-3 in
    validation (the SHA-1 rule says the opposite, so a test can tell them apart).
    ``_background_noise_/`` holds two 12 s noise recordings and a README.
    Returns the expected subset of every relative path.
    """
    rng = np.random.default_rng(seed)
    expected = {}
    for word in TEN + OTHERS:
        (root / word).mkdir(parents=True)
        for s, spk in enumerate(SPEAKERS):
            for take in range(2):
                n = int(0.6 * SR) if (short and s == 5 and take == 1) else SR
                name = f"{spk}_nohash_{take}.wav"
                write_audio(root / word / name, _tone(word, n, rng), SR)
                expected[f"{word}/{name}"] = LIST_SUBSET.get(spk, "train")
    if lists:
        # Windows-style: backslashes, CRLF line ends and a BOM, as a Windows editor saves.
        sep, eol, enc = ("\\", "\r\n", "utf-8-sig") if windows_lists else ("/", "\n", "utf-8")
        for subset, fname in (("validation", "validation_list.txt"),
                              ("test", "testing_list.txt")):
            rel = [r.replace("/", sep) for r, s in expected.items() if s == subset]
            with open(root / fname, "w", encoding=enc, newline="") as f:
                f.write(eol.join(rel) + eol)
    noise = root / "_background_noise_"
    noise.mkdir()
    write_audio(noise / "white_noise.wav",
                (0.1 * rng.standard_normal(12 * SR)).astype(np.float32), SR)
    write_audio(noise / "hum.wav",
                (0.2 * np.sin(2 * np.pi * 50 * np.arange(12 * SR) / SR)).astype(np.float32), SR)
    (noise / "README.md").write_text("noise\n")
    return expected


@pytest.fixture(scope="module")
def sc_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("sc") / "speech_commands_v0.02"
    expected = make_speech_commands_folder(root)
    return root, expected


def _rel(filename):
    parts = filename.replace("\\", "/").split("/")
    return "/".join(parts[-2:])


def _dominant(x):
    spec = np.abs(np.fft.rfft(x))
    return np.fft.rfftfreq(len(x), 1 / SR)[np.argmax(spec)]


# -- subsets -------------------------------------------------------------------------------
@pytest.mark.parametrize("subset", ["train", "validation", "test"])
def test_subsets_follow_the_lists(sc_folder, subset):
    root, expected = sc_folder
    ds = load_speech_commands(root, words=TEN, subset=subset)
    got = sorted(_rel(f) for f in ds.filenames)
    want = sorted(r for r, s in expected.items() if s == subset and r.split("/")[0] in TEN)
    assert got == want
    assert set(ds.target) <= set(TEN) and ds.target_names == TEN
    # Each clip holds its word's tone: data, target and filenames line up.
    for x, y, f in zip(ds.data, ds.target, ds.filenames):
        assert abs(_dominant(x) - FREQ[y]) < 3
        assert _rel(f).split("/")[0] == y
    assert set(ds.speaker) == {s for s in SPEAKERS if LIST_SUBSET.get(s, "train") == subset}
    if subset != "train":  # the lists, not the SHA-1 rule
        assert all(which_set(f) != subset for f in ds.filenames)


def test_windows_style_lists_match(tmp_path, sc_folder):
    root, expected = sc_folder
    win_root = tmp_path / "win"
    make_speech_commands_folder(win_root, windows_lists=True)
    raw = (win_root / "testing_list.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\\" in raw and b"\r\n" in raw
    for subset in ("validation", "test", "train"):
        a = load_speech_commands(win_root, words=["yes", "cat"], subset=subset)
        b = load_speech_commands(root, words=["yes", "cat"], subset=subset)
        assert [_rel(f) for f in a.filenames] == [_rel(f) for f in b.filenames]
        assert len(a.target) > 0


def test_without_lists_the_sha1_rule_keeps_speakers_apart(tmp_path):
    root = tmp_path / "nolists"
    make_speech_commands_folder(root, lists=False)
    speakers, files = {}, set()
    for subset in ("train", "validation", "test"):
        ds = load_speech_commands(root, words=TEN + OTHERS, subset=subset)
        speakers[subset] = set(ds.speaker)
        files |= set(ds.filenames)
        for f in ds.filenames:
            assert which_set(_rel(f)) == subset
    assert not speakers["train"] & speakers["validation"]
    assert not speakers["train"] & speakers["test"]
    assert not speakers["validation"] & speakers["test"]
    all_ = load_speech_commands(root, words=TEN + OTHERS, subset="all")
    assert files == set(all_.filenames) and len(files) == len(TEN + OTHERS) * 8 * 2


def test_which_set_is_the_readme_rule():
    # The README: sha1 of the name before _nohash_, mod 2**27, scaled to a percentage.
    def readme(name):
        h = int(hashlib.sha1(name.split("_nohash_")[0].encode()).hexdigest(), 16)
        pct = (h % 2**27) * (100.0 / (2**27 - 1))
        return "validation" if pct < 10 else "test" if pct < 20 else "train"

    rng = np.random.default_rng(0)
    names = [f"{rng.integers(2**32):08x}_nohash_{rng.integers(5)}.wav" for _ in range(3000)]
    got = [which_set(f"yes/{n}") for n in names]
    assert got == [readme(n) for n in names]
    share = {s: got.count(s) / len(got) for s in ("train", "validation", "test")}
    assert abs(share["validation"] - 0.1) < 0.03 and abs(share["test"] - 0.1) < 0.03
    # Only the speaker matters, and path separators do not.
    assert which_set("a/x1_nohash_0.wav") == which_set("b\\x1_nohash_9.wav")
    assert which_set("x1_nohash_0.wav", 100, 0) == "validation"
    assert which_set("x1_nohash_0.wav", 0, 100) == "test"


def test_missing_one_list_is_an_error(tmp_path):
    root = tmp_path / "onelist"
    make_speech_commands_folder(root)
    (root / "testing_list.txt").unlink()
    with pytest.raises(FileNotFoundError, match="has validation_list.txt but not testing_list"):
        load_speech_commands(root, words=["yes"])


# -- tasks ---------------------------------------------------------------------------------
def test_task_12_has_unknown_and_silence(sc_folder):
    root, _ = sc_folder
    noise = {name: read_audio(root / "_background_noise_" / f"{name}.wav")[0]
             for name in ("white_noise", "hum")}
    for subset, (lo, hi) in {"train": (0.0, 0.8), "validation": (0.8, 0.9),
                             "test": (0.9, 1.0)}.items():
        ds = load_speech_commands(root, subset=subset, task="12")
        assert ds.target_names == TEN + ["_silence_", "_unknown_"]
        n_words = int(np.isin(ds.target, TEN).sum())
        n_unknown = int((ds.target == "_unknown_").sum())
        n_silence = int((ds.target == "_silence_").sum())
        assert n_silence == math.ceil(0.1 * n_words)
        assert n_unknown == math.ceil(0.1 * n_words)
        unk = ds.target == "_unknown_"
        assert set(ds.word[unk]) <= set(OTHERS)  # said a word outside the ten
        for i in np.flatnonzero(unk):
            assert abs(_dominant(ds.data[i]) - FREQ[ds.word[i]]) < 3
        # Silence: 1 s windows cut from the subset's own stretch of each noise file.
        for i in np.flatnonzero(ds.target == "_silence_"):
            src = noise[ds.speaker[i]]
            start = int(round(ds.start[i] * SR))
            assert len(ds.data[i]) == SR
            np.testing.assert_array_equal(ds.data[i], src[start:start + SR])
            assert lo * len(src) <= start and start + SR <= hi * len(src)
            assert ds.word[i] == "_background_noise_"
    # Fixed seed: the same clips every time.
    a = load_speech_commands(root, subset="train", task="12")
    b = load_speech_commands(root, subset="train", task="12")
    assert a.filenames.tolist() == b.filenames.tolist()
    np.testing.assert_array_equal(a.start, b.start)


def test_unknown_percentage(sc_folder):
    root, _ = sc_folder
    standard = load_speech_commands(root, subset="train", task="12")
    every = load_speech_commands(root, subset="train", task="12", unknown_percentage="all")
    none = load_speech_commands(root, subset="train", task="12", unknown_percentage=0)
    others = load_speech_commands(root, words=OTHERS, subset="train")  # every other-word clip
    unk = every.target == "_unknown_"
    assert sorted(every.filenames[unk]) == sorted(others.filenames)
    assert set(standard.filenames[standard.target == "_unknown_"]) < set(every.filenames[unk])
    assert "_unknown_" not in set(none.target)
    # the words and the silence are the same whatever the share of unknown clips
    for ds in (every, none):
        keep = ds.target != "_unknown_"
        assert ds.filenames[keep].tolist() == \
            standard.filenames[standard.target != "_unknown_"].tolist()
    assert "unknown_percentage='all'" in every.DESCR
    for bad in (-1, "most", float("nan"), True):
        with pytest.raises(ValueError, match="unknown_percentage must be a number >= 0 or 'all'"):
            load_speech_commands(root, task="12", unknown_percentage=bad)


@pytest.mark.parametrize("lazy", [False, True])
def test_balance_unknown_words_repeats_the_rare_words(sc_folder, lazy):
    from skspeech.datasets import balance_unknown_words

    root, _ = sc_folder
    data = load_speech_commands(root, subset="train", task="12", unknown_percentage="all",
                                lazy=lazy)
    unk = data.target == "_unknown_"
    counts = {w: int(np.sum(data.word[unk] == w)) for w in OTHERS}
    most = max(counts.values()) + 2  # every word gets repeats
    out = balance_unknown_words(data, min_clips=most, random_state=0)
    n = len(data.target)
    assert {w: int(np.sum(out.word[out.target == "_unknown_"] == w)) for w in OTHERS} == \
        {w: most for w in OTHERS}
    # the originals first and unchanged, then repeats of unknown clips only, fields aligned
    assert out.filenames[:n].tolist() == data.filenames.tolist()
    assert set(out.target[n:]) == {"_unknown_"}
    assert set(out.filenames[n:]) <= set(data.filenames[unk])
    for i in (n, len(out.target) - 1):
        j = int(np.flatnonzero(data.filenames == out.filenames[i])[0])
        np.testing.assert_array_equal(out.data[i], data.data[j])
        assert (out.word[i], out.speaker[i]) == (data.word[j], data.speaker[j])
    again = balance_unknown_words(data, min_clips=most, random_state=0)
    assert again.filenames.tolist() == out.filenames.tolist()  # seeded
    assert len(balance_unknown_words(data, min_clips=1).target) == n  # nothing to repeat
    with pytest.raises(ValueError, match="no _unknown_ clips"):
        balance_unknown_words(load_speech_commands(root, subset="train"))
    with pytest.raises(ValueError, match="min_clips must be an int >= 1 or 'auto'"):
        balance_unknown_words(data, min_clips=0)
    # auto: 40, or fewer when the commands have fewer clips (here 8 each, as the other words)
    assert len(balance_unknown_words(data).target) == n


@pytest.mark.parametrize("lazy", [False, True])
def test_balance_commands_repeats_the_rare_commands(sc_folder, lazy):
    from sklearn.utils import Bunch

    from skspeech.datasets import balance_commands

    root, _ = sc_folder
    full = load_speech_commands(root, subset="train", task="12", unknown_percentage="all",
                                lazy=lazy)
    # two commands get fewer clips than the others: 3 and 5 instead of 8
    drop = np.concatenate([np.flatnonzero(full.target == "go")[3:],
                           np.flatnonzero(full.target == "off")[5:]])
    keep = np.setdiff1d(np.arange(len(full.target)), drop)
    data = Bunch(data=full.data[keep] if lazy else [full.data[i] for i in keep],
                 target=full.target[keep], word=full.word[keep],
                 filenames=full.filenames[keep], speaker=full.speaker[keep])
    before = {w: int(np.sum(data.target == w)) for w in np.unique(data.target)}
    assert (before["go"], before["off"], before["yes"]) == (3, 5, 8)
    out = balance_commands(data, random_state=0)
    after = {w: int(np.sum(out.target == w)) for w in np.unique(out.target)}
    # every command has the median's 8; _unknown_ and _silence_ as they were
    assert after == {w: 8 if not w.startswith("_") else n for w, n in before.items()}
    n = len(data.target)
    assert out.filenames[:n].tolist() == data.filenames.tolist()  # originals first, unchanged
    assert sorted(out.target[n:].tolist()) == ["go"] * 5 + ["off"] * 3
    assert set(out.filenames[n:]) <= set(data.filenames[np.isin(data.target, ["go", "off"])])
    i = len(out.target) - 1
    j = int(np.flatnonzero(data.filenames == out.filenames[i])[0])
    np.testing.assert_array_equal(out.data[i], data.data[j])
    assert (out.word[i], out.speaker[i]) == (data.word[j], data.speaker[j])
    again = balance_commands(data, random_state=0)
    assert again.filenames.tolist() == out.filenames.tolist()  # seeded
    assert len(balance_commands(data, min_clips=2).target) == n  # nothing to repeat
    assert sum(balance_commands(data, min_clips=10).target == "yes") == 10
    with pytest.raises(ValueError, match="min_clips must be an int >= 1 or 'auto'"):
        balance_commands(data, min_clips=1.5)
    with pytest.raises(ValueError, match="no command clips"):
        balance_commands(Bunch(data=np.zeros((2, 3)), target=np.array(["_unknown_"] * 2)))
    with pytest.raises(ValueError, match="one entry per clip"):
        balance_commands(Bunch(data=np.zeros((2, 3)), target=np.array(["go"])))


def test_task_35_takes_every_word(sc_folder):
    root, _ = sc_folder
    ds = load_speech_commands(root, subset="all", task="35")
    assert ds.target_names == sorted(TEN + OTHERS)
    assert set(ds.target) == set(TEN + OTHERS) and len(ds.target) == 13 * 8 * 2
    with pytest.raises(ValueError, match="task='35' keeps every word"):
        load_speech_commands(root, words=["yes"], task="35")


def test_separate_test_set_layout(tmp_path):
    root = tmp_path / "speech_commands_test_set_v0.02"
    rng = np.random.default_rng(1)
    for word in ("yes", "no"):
        (root / word).mkdir(parents=True)
        for k in range(3):
            write_audio(root / word / f"{SPEAKERS[k]}_nohash_0.wav", _tone(word, SR, rng), SR)
    (root / "_unknown_").mkdir()
    write_audio(root / "_unknown_" / f"cat_{SPEAKERS[4]}_nohash_0.wav", _tone("cat", SR, rng), SR)
    (root / "_silence_").mkdir()
    write_audio(root / "_silence_" / "silence_0.wav", np.full(SR, 0.01, np.float32), SR)
    ds = load_speech_commands(root, words=["yes", "no"], subset="test", task="12")
    assert sorted(ds.target.tolist()) == ["_silence_", "_unknown_"] + ["no"] * 3 + ["yes"] * 3
    assert ds.speaker[ds.target == "_unknown_"].tolist() == [SPEAKERS[4]]
    assert len(load_speech_commands(root, words=["yes", "no"], subset="test").target) == 6
    with pytest.raises(ValueError, match="separate test-set archive"):
        load_speech_commands(root, words=["yes", "no"], subset="train")


# -- data, memory, options ----------------------------------------------------------------
def test_equal_lengths_give_a_2d_float32_array(tmp_path):
    root = tmp_path / "equal"
    make_speech_commands_folder(root, short=False)
    X, y = load_speech_commands(root, words=["yes", "no"], subset="all", return_X_y=True)
    assert isinstance(X, np.ndarray) and X.shape == (32, SR) and X.dtype == np.float32
    assert y.tolist() == ["yes"] * 16 + ["no"] * 16
    X64, _ = load_speech_commands(root, words=["yes"], subset="all", dtype="float64",
                                  return_X_y=True)
    assert X64.dtype == np.float64
    np.testing.assert_allclose(X64, X[:16], atol=1e-7)


def test_short_clips_kept_by_default_dropped_with_min_duration(sc_folder):
    root, _ = sc_folder
    ds = load_speech_commands(root, words=["yes", "no"], subset="train")
    assert isinstance(ds.data, list) and all(x.dtype == np.float32 for x in ds.data)
    lengths = sorted({len(x) for x in ds.data})
    assert lengths == [int(0.6 * SR), SR]
    assert "2 clips shorter than 1 s (kept)" in " ".join(ds.DESCR.split())
    dropped = load_speech_commands(root, words=["yes", "no"], subset="train", min_duration=1.0)
    assert isinstance(dropped.data, np.ndarray) and dropped.data.shape[1] == SR
    assert len(dropped.target) == len(ds.target) - 2


def test_resample_on_load(sc_folder):
    root, _ = sc_folder
    ds = load_speech_commands(root, words=["up"], subset="validation", sr=8000)
    assert ds.sr == 8000 and ds.data.shape == (4, 8000) and ds.data.dtype == np.float32
    assert abs(np.fft.rfftfreq(8000, 1 / 8000)[np.argmax(np.abs(np.fft.rfft(ds.data[0])))]
               - FREQ["up"]) < 3
    twelve = load_speech_commands(root, subset="validation", task="12", sr=8000)
    assert all(len(x) == 8000 for x in twelve.data)


def test_memory_is_the_clips_and_no_more(sc_folder):
    root, _ = sc_folder
    load_speech_commands(root, subset="all", task="35", min_duration=1.0)  # warm imports
    tracemalloc.start()
    try:
        ds = load_speech_commands(root, subset="all", task="35", min_duration=1.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    nbytes = ds.data.nbytes  # 195 clips x 16000 float32 = 12.5 MB
    assert ds.data.shape == (13 * 8 * 2 - 13, SR)
    # The clips, plus one clip read as float64 and small bookkeeping; a list of
    # clips stacked into a copy would need twice the clips.
    assert peak < nbytes + 2_000_000, (peak, nbytes)


# -- errors --------------------------------------------------------------------------------
def test_corrupt_clip_error_names_it(tmp_path):
    root = tmp_path / "corrupt"
    make_speech_commands_folder(root)
    bad = root / "no" / f"{SPEAKERS[6]}_nohash_0.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" + bytes(100))
    with pytest.raises(InvalidAudioError, match=f"{SPEAKERS[6]}_nohash_0.wav"):
        load_speech_commands(root, words=["yes", "no"])
    assert len(load_speech_commands(root, words=["yes"]).target) > 0  # other words still load


def test_bad_arguments(sc_folder, tmp_path):
    root, _ = sc_folder
    with pytest.raises(ValueError, match=r"No folder for the word\(s\) \['sheila'\].*cat"):
        load_speech_commands(root, words=["yes", "sheila"])
    with pytest.raises(ValueError, match="distinct strings"):
        load_speech_commands(root, words=["yes", "yes"])
    with pytest.raises(InvalidParameterError, match="subset"):
        load_speech_commands(root, subset="dev")
    with pytest.raises(InvalidParameterError, match="task"):
        load_speech_commands(root, task="10")
    with pytest.raises(FileNotFoundError, match="No Speech Commands folder.*fetch_speech"):
        load_speech_commands(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no word folders"):
        load_speech_commands(tmp_path / "empty")


def test_task_12_needs_background_noise(tmp_path):
    root = tmp_path / "nonoise"
    make_speech_commands_folder(root)
    shutil.rmtree(root / "_background_noise_")
    with pytest.raises(ValueError, match="_background_noise_/, which is missing"):
        load_speech_commands(root, task="12")
    assert len(load_speech_commands(root).target) > 0  # task="words" does not need it


def test_background_noise_stretches_partition_each_recording(sc_folder):
    root, _ = sc_folder
    full = {name: read_audio(root / "_background_noise_" / f"{name}.wav")[0]
            for name in ("hum", "white_noise")}  # sorted by file name, as returned
    parts = {s: background_noise(root, subset=s) for s in ("train", "validation", "test")}
    for k, name in enumerate(sorted(full)):
        src = full[name]
        joined = np.concatenate([parts[s][k] for s in ("train", "validation", "test")])
        np.testing.assert_array_equal(joined, src)  # no overlap, nothing lost
        assert len(parts["train"][k]) == int(0.8 * len(src))
        assert parts["train"][k].dtype == np.float32
    np.testing.assert_array_equal(background_noise(root, subset="all")[1], full["white_noise"])
    half = background_noise(root, subset="validation", sr=8000)
    assert len(half[0]) == pytest.approx(len(parts["validation"][0]) / 2, abs=1)


def test_background_noise_of_a_folder_without_it_is_empty(tmp_path):
    make_speech_commands_folder(tmp_path / "sc", lists=False)
    shutil.rmtree(tmp_path / "sc" / "_background_noise_")
    assert background_noise(tmp_path / "sc") == []
    with pytest.raises(ValueError, match="subset"):
        background_noise(tmp_path / "sc", subset="dev")


def test_exclude_words_leaves_them_out_of_every_class(sc_folder):
    root, _ = sc_folder
    full = load_speech_commands(root, subset="all", task="12", unknown_percentage="all")
    others = sorted(set(full.word[full.target == "_unknown_"]))
    held = others[:1]
    data = load_speech_commands(root, subset="all", task="12", unknown_percentage="all",
                                exclude_words=held)
    assert held[0] not in set(data.word)
    assert np.sum(data.target == "_unknown_") == np.sum(
        (full.target == "_unknown_") & (full.word != held[0]))
    assert np.array_equal(data.target[data.target != "_unknown_"],
                          full.target[full.target != "_unknown_"])  # the rest unchanged
    with pytest.raises(ValueError, match=r"exclude_words names no folder.*\['sheila'\]"):
        load_speech_commands(root, exclude_words=["sheila"])
    with pytest.raises(ValueError, match=r"\['yes'\] are both in words and in exclude_words"):
        load_speech_commands(root, exclude_words=["yes"])
    with pytest.raises(InvalidParameterError, match="exclude_words"):
        load_speech_commands(root, exclude_words="cat")
