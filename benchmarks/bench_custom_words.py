"""New words from ten recordings: a head on the pretrained embedding against training from scratch.

The pretrained model never heard the words of ``build_pretrained.HELD_OUT`` (they are in none of
its classes, not even ``_unknown_``). Taught with 10 clips a word, each from another speaker of
the ``train`` subset, plus "no command" material of the same size (clips of other words, among
them the ten commands, from other train speakers, and 1-s windows of the background recordings),
each recipe is scored on the clips of the ``validation`` and ``test`` subsets: speakers that
neither the head nor the network behind the embedding ever heard. Classes: the new words and
``_unknown_`` ("no command": every other word of those speakers, as many clips as the new words
have, and noise windows).

Recipes, fitted on the same clips:

- ``custom_words_pipeline(model=EXPORT)``: :class:`skspeech.pipelines.NetworkEmbedding` of the
  twin of the shipped model (same recipe, trained on the ``train`` subset only, so that no test
  speaker was heard), then a scaler and a small classifier;
- ``kws_pipeline`` (the keyword network, trained from scratch on the few clips, 40 epochs);
- ``svm_pipeline`` (MFCC statistics and an SVM, from scratch).

Each is fitted on ``--draws`` draws of the ten clips (different speakers each time); printed:
accuracy over all test clips (the words and "no command"), the share of each new word's clips
recognised, the share of "no command" clips reported as a word (false accepts), and the time
to fit.

Run: ``python benchmarks/bench_custom_words.py [path] --model build/pretrained/twin_export
[--draws 3] [--out docs/benchmarks/custom_words.txt]`` (default path
``../shared/data/speech_commands_dev``; without ``--model``: the shipped model, whose training
heard every speaker of the copy, though never these words).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_pretrained import HELD_OUT  # noqa: E402

from skspeech.datasets import background_noise, load_speech_commands  # noqa: E402
from skspeech.labels import UNKNOWN  # noqa: E402

SR = 16000
N_SHOTS = 10


def load_all(path):
    """Every clip of the copy with its word, speaker and subset."""
    out = {"clips": [], "word": [], "speaker": [], "subset": []}
    for subset in ("train", "validation", "test"):
        data = load_speech_commands(path, subset=subset, task="35")
        out["clips"] += list(data.data)
        out["word"] += list(data.word)
        out["speaker"] += list(data.speaker)
        out["subset"] += [subset] * len(data.word)
    return out["clips"], {k: np.asarray(v) for k, v in out.items() if k != "clips"}


def noise_windows(path, subset, n, rng):
    """``n`` 1-s windows of the subset's stretches of the background recordings."""
    recordings = background_noise(path, subset=subset)
    out = []
    for _ in range(n):
        x = recordings[rng.randint(len(recordings))]
        start = rng.randint(len(x) - SR)
        out.append((x[start:start + SR] * rng.uniform(0.1, 1.0)).astype(np.float32))
    return out


def few_shot_set(clips, meta, rng, path):
    """The training clips: 10 a new word (10 speakers), as many "no command" clips."""
    train = meta["subset"] == "train"
    X, y = [], []
    for word in HELD_OUT:
        idx = np.flatnonzero(train & (meta["word"] == word))
        first = {}  # one clip per speaker
        for i in rng.permutation(idx):
            first.setdefault(meta["speaker"][i], i)
        pick = list(first.values())[:N_SHOTS]
        X += [clips[i] for i in pick]
        y += [word] * len(pick)
    n_other = len(y) - N_SHOTS
    others = np.flatnonzero(train & ~np.isin(meta["word"], HELD_OUT))
    X += [clips[i] for i in rng.choice(others, n_other, replace=False)]
    X += noise_windows(path, "train", N_SHOTS, rng)
    y += [UNKNOWN] * (n_other + N_SHOTS)
    return X, np.asarray(y)


def test_set(clips, meta, rng, path):
    """Clips of the validation and test speakers: the new words, as many other words, noise."""
    held = np.isin(meta["subset"], ("validation", "test"))
    words = np.flatnonzero(held & np.isin(meta["word"], HELD_OUT))
    others = rng.choice(np.flatnonzero(held & ~np.isin(meta["word"], HELD_OUT)),
                        len(words) - 50, replace=False)
    X = [clips[i] for i in words] + [clips[i] for i in others]
    X += noise_windows(path, "test", 50, rng)
    y = np.concatenate([meta["word"][words], np.full(len(others) + 50, UNKNOWN)])
    speakers = set(meta["speaker"][words])
    return X, y, speakers


def recipes(model, variant):
    from skspeech.pipelines import custom_words_pipeline, kws_pipeline, svm_pipeline

    return {
        "custom_words_pipeline": lambda seed: custom_words_pipeline(model=model, variant=variant),
        "  with layers='head'": lambda seed: custom_words_pipeline(
            model=model, variant=variant).set_params(embedding__layers="head"),
        # babble=0.0: custom_words.txt was measured before babble became the default
        "kws_pipeline (scratch)": lambda seed: kws_pipeline(epochs=40, random_state=seed,
                                                            babble=0.0),
        "svm_pipeline (scratch)": lambda seed: svm_pipeline(),
    }


def main(argv=None):
    here = Path(__file__).resolve().parent
    default = here.parents[1] / "shared" / "data" / "speech_commands_dev"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=default, help="Speech Commands folder")
    parser.add_argument("--model", default=None,
                        help="the embedding's export folder (default: the shipped model)")
    parser.add_argument("--variant", choices=("int8", "float"), default="int8",
                        help="the embedding file (default: int8, as shipped)")
    parser.add_argument("--draws", type=int, default=3, help="draws of the ten clips")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="also write the printout to this file")
    args = parser.parse_args(argv)
    if not Path(args.path).is_dir():
        print(f"No Speech Commands folder at {args.path}: nothing to measure.")
        return
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    from skspeech import pretrained

    model = args.model or pretrained.DEFAULT
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    say(f"New words from {N_SHOTS} clips each (benchmarks/bench_custom_words.py), seed "
        f"{args.seed}, {args.draws} draws; {os.cpu_count()} cores, load {load:.1f} at start")
    say(f"Embedding: {model} ({args.variant} file; layers 'blocks': mean and std over time of "
        f"the last two residual blocks, unless said). New words (never heard by it): "
        f"{', '.join(HELD_OUT)}.")
    clips, meta = load_all(args.path)
    rng = np.random.RandomState(args.seed)
    X_test, y_test, speakers = test_set(clips, meta, rng, args.path)
    is_word = y_test != UNKNOWN
    say(f"Test: {len(y_test)} clips of the validation and test speakers: {int(is_word.sum())} of "
        f"the new words from {len(speakers)} speakers "
        + ", ".join(f"{w} {int(np.sum(y_test == w))}" for w in HELD_OUT)
        + f"; {int((~is_word).sum())} 'no command' (other words and noise windows).")
    say("")
    header = (f"{'recipe':<24} {'accuracy':>9} {'no cmd FA':>9} "
              + " ".join(f"{w:>6}" for w in HELD_OUT) + f" {'fit':>8}")
    say(header)
    for name, make in recipes(model, args.variant).items():
        accs, fas, per_word, fits = [], [], [], []
        for draw in range(args.draws):
            X, y = few_shot_set(clips, meta, np.random.RandomState(args.seed + 1 + draw),
                                args.path)
            est = make(args.seed + draw)
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est.fit(X, y)
                fits.append(time.perf_counter() - t0)
                pred = np.asarray(est.predict(X_test)).astype(str)
            accs.append(np.mean(pred == y_test))
            fas.append(np.mean(pred[~is_word] != UNKNOWN))
            per_word.append([np.mean(pred[y_test == w] == w) for w in HELD_OUT])
        pw = np.mean(per_word, axis=0)
        say(f"{name:<24} {np.mean(accs):8.1%} {np.mean(fas):9.1%} "
            + " ".join(f"{v:6.0%}" for v in pw) + f" {np.median(fits):7.1f}s"
            + f"   (accuracy per draw: {', '.join(f'{a:.1%}' for a in accs)})")
    say("")
    say(f"Training set per draw: {N_SHOTS} clips of each new word from {N_SHOTS} train speakers, "
        f"{N_SHOTS * (len(HELD_OUT) - 1)} clips of other words and {N_SHOTS} noise windows as "
        f"'no command'. Fit: wall time on {os.cpu_count()} cores, embedding included.")
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
