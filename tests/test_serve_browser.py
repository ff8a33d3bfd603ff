"""skspeech serve in a real browser: headless Chromium hears a real recording as its microphone.

Debian's Chromium (/usr/bin/chromium, or $SKSPEECH_CHROMIUM) driven by Playwright from PyPI
through ``executable_path`` (no browser download), with a fake microphone that plays a WAV in
a loop. Small models are trained here on FSDD and Speech Commands dev clips; the test clips
are ones the model gets right in Python, through the server's own path (the browser's rate
and back, the part of the recording heard, the live listener).
"""

import io
import os
import re
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="needs playwright "
                                     "(pip install 'skspeech[test]')")
pytest.importorskip("uvicorn", reason="needs the serve extra (pip install 'skspeech[serve]')")

from conftest import FSDD_PATH

from skspeech import save_model
from skspeech.io import read_audio, write_audio
from skspeech.pipelines import svm_pipeline
from skspeech.preprocessing._resample import resample
from skspeech.serve import StreamResampler, create_app, load_served_model
from skspeech.serve._model import make_listener, predict_clip

CHROMIUM = os.environ.get("SKSPEECH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SC_PATH = Path(os.environ.get("SKSPEECH_SPEECH_COMMANDS", Path(__file__).resolve().parents[1]
                              .parent / "shared" / "data" / "speech_commands_dev"))
BROWSER_SR = 48000  # Chromium's fake microphone runs at the browser's rate (44.1 or 48 kHz)
NOISE = 0.0005  # the fake microphone's room: noise at -66 dBFS around each word
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
         "--autoplay-policy=no-user-gesture-required"]

pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                                reason=f"Chromium not found at {CHROMIUM} (apt-get install "
                                       f"chromium, or set SKSPEECH_CHROMIUM)")


# -- models and clips --------------------------------------------------------------------
def _mic_signal(x, sr, rng):
    """What the fake microphone loops: quiet noise, the word, quiet noise (1.2 s between
    words, so that one word is the loudest part of any 1 s)."""
    pad = int(0.6 * sr)
    y = np.concatenate([np.zeros(pad), x, np.zeros(pad)])
    return (y + NOISE * rng.standard_normal(len(y))).astype(np.float32)


def _heard_right(served, y, word):
    """Whether the server answers ``word`` for the looped signal ``y`` (at the model's rate)
    in record mode and live mode, after a trip through the browser's rate."""
    looped = np.tile(y, 3)
    there = resample(looped, served.sr, BROWSER_SR).astype(np.float32)
    back = resample(there, BROWSER_SR, served.sr)
    answer = predict_clip(served, back[len(y) // 2:len(y) // 2 + 2 * len(y)])
    if answer["word"] != word or answer["probability"] < 0.7:
        return False
    listener, stream = make_listener(served), StreamResampler(BROWSER_SR, served.sr)
    found = [d for i in range(0, len(there), BROWSER_SR // 10)
             for d in listener.process(stream.process(there[i:i + BROWSER_SR // 10]))]
    return bool(found) and found[0].word == word


def _pick_clip(served, files, label_of, rng):
    for f in files:
        x, _ = read_audio(f, sr=served.sr)
        y = _mic_signal(x, served.sr, rng)
        if _heard_right(served, y, label_of(f)):
            return y, label_of(f)
    pytest.fail("no test clip that the model gets right in Python")


@pytest.fixture(scope="module")
def fsdd_case(tmp_path_factory):
    if not (FSDD_PATH / "recordings").is_dir():
        pytest.skip(f"FSDD not found at {FSDD_PATH} (set SKSPEECH_FSDD to its folder)")
    files = sorted((FSDD_PATH / "recordings").glob("*.wav"))

    def take(f):
        return int(f.stem.split("_")[-1])

    train = [f for f in files if 5 <= take(f) < 10]  # 300 clips, 6 speakers
    model = svm_pipeline(sr=8000).fit([read_audio(f)[0] for f in train],
                                      [f.name[0] for f in train])
    path = save_model(tmp_path_factory.mktemp("fsdd") / "digits.joblib", model)
    served = load_served_model(path)
    test = [f for f in files if take(f) < 5 and f.name[0] in "37"]
    y, word = _pick_clip(served, test, lambda f: f.name[0], np.random.default_rng(0))
    return served, y, word


@pytest.fixture(scope="module")
def sc_case(tmp_path_factory):
    from skspeech.datasets import which_set

    if not (SC_PATH / "yes").is_dir():
        pytest.skip(f"Speech Commands dev copy not found at {SC_PATH} "
                    f"(set SKSPEECH_SPEECH_COMMANDS)")

    def clips(word, subset, n):
        return [f for f in sorted((SC_PATH / word).glob("*.wav"))
                if which_set(f.name) == subset][:n]

    X, y = [], []
    for word in ("yes", "no", "stop"):
        X += [read_audio(f)[0] for f in clips(word, "train", 80)]
        y += [word] * 80
    for word in ("bed", "cat", "happy"):  # "no command"
        X += [read_audio(f)[0] for f in clips(word, "train", 27)]
        y += ["_unknown_"] * 27
    model = svm_pipeline(sr=16000).fit(X, y)
    path = save_model(tmp_path_factory.mktemp("sc") / "commands.joblib", model)
    served = load_served_model(path)
    test = clips("stop", "validation", 30) + clips("yes", "validation", 30)
    y, word = _pick_clip(served, test, lambda f: f.parent.name, np.random.default_rng(1))
    return served, y, word


# -- server and browser ------------------------------------------------------------------
class _Server:
    """skspeech serve's app on uvicorn in a thread, on a free port of 127.0.0.1."""

    def __init__(self, served):
        import uvicorn

        config = uvicorn.Config(create_app(served), host="127.0.0.1", port=0,
                                log_level="warning", ws_max_size=8 * 192000)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


def _browser(p, wav, profile):
    """Chromium with a fresh profile (Playwright's --user-data-dir) and ``wav`` as microphone."""
    return p.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, viewport={"width": 1100, "height": 900},
        args=FLAGS + [f"--use-file-for-fake-audio-capture={wav}"])


def _try_page(served, signal, word, tmp_path, *, screenshot=None):
    """Record, live and upload on the page; returns what each showed."""
    wav = tmp_path / "microphone.wav"
    write_audio(wav, signal, served.sr)
    with _Server(served) as url, playwright_api.sync_playwright() as p:
        browser = _browser(p, wav, tmp_path / "profile")
        try:
            page = browser.pages[0] if browser.pages else browser.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            expect = playwright_api.expect
            expect(page.locator("#model-sr")).to_contain_text(f"{served.sr} Hz")

            # Record: hold the button over a loop and a half of the microphone's file
            button = page.locator("#record-button")
            button.hover()
            page.mouse.down()
            page.wait_for_timeout(int(1500 * len(signal) / served.sr))
            page.mouse.up()
            expect(page.locator("#result-detail")).to_contain_text("Recording", timeout=15000)
            recorded = page.locator("#result-word").inner_text()
            n_bars = page.locator("#bars .bar-row").count()

            # Live: the microphone streams until the first detection
            page.click("#live-button")
            first = page.locator("#detections li").first
            expect(first).to_be_visible(timeout=20000)
            live = first.inner_text()
            page.click("#live-button")
            expect(page.locator("#live-status")).to_contain_text("Stopped", timeout=10000)

            # Upload: not audio, then the microphone's file itself
            page.set_input_files("#upload-input", files=[{
                "name": "notes.txt", "mimeType": "text/plain",
                "buffer": b"These are my notes, not a recording."}])
            expect(page.locator("#error")).to_be_visible(timeout=10000)
            upload_error = page.locator("#error").inner_text()
            page.set_input_files("#upload-input", files=[str(wav)])
            expect(page.locator("#result-detail")).to_contain_text("microphone.wav",
                                                                   timeout=10000)
            uploaded = page.locator("#result-word").inner_text()
            shot = page.screenshot(full_page=True)
            if screenshot is not None:
                Path(screenshot).write_bytes(shot)
            info = page.locator("#model-info").inner_text()
            warning = page.locator("#pickle-warning").inner_text()
        finally:
            browser.close()
    return {"recorded": recorded, "bars": n_bars, "live": live, "upload_error": upload_error,
            "uploaded": uploaded, "shot": shot, "info": info, "warning": warning,
            "page_errors": errors}


def _pixels(png):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)


def _check(seen, served, word):
    assert seen["page_errors"] == []
    assert seen["recorded"] == word
    assert seen["bars"] == len(served.classes)
    assert re.match(rf"^\s*[\d.]+ s\s+{re.escape(word)}\s+p=0\.\d\d$|^\s*[\d.]+ s\s+"
                    rf"{re.escape(word)}\s+p=1\.00$", seen["live"]), seen["live"]
    assert "Cannot read 'notes.txt' as audio: Format not recognised" in seen["upload_error"]
    assert "Expected an audio file: WAV, FLAC, OGG" in seen["upload_error"]
    assert "curl -F file=@x.wav" in seen["upload_error"]  # what /api/upload takes
    assert seen["uploaded"] == word
    assert "pickle" in seen["warning"]
    pixels = _pixels(seen["shot"])
    assert pixels.shape[1] >= 1000 and pixels.std() > 20  # not a blank page
    assert len(np.unique(pixels.astype(int))) > 50  # text and bars, not a flat colour


def test_fsdd_digit_in_the_browser(fsdd_case, tmp_path):
    served, signal, word = fsdd_case
    seen = _try_page(served, signal, word, tmp_path)
    _check(seen, served, word)
    assert "8000 Hz" in seen["info"] and "0, 1, 2" in seen["info"]


def test_speech_commands_word_in_the_browser(sc_case, tmp_path):
    served, signal, word = sc_case
    # SKSPEECH_SERVE_SCREENSHOT=docs/images/serve.png keeps the documentation's picture
    seen = _try_page(served, signal, word, tmp_path,
                     screenshot=os.environ.get("SKSPEECH_SERVE_SCREENSHOT"))
    _check(seen, served, word)
    assert 'no, stop, yes + "no command" (_unknown_)' in seen["info"]
    assert "16000 Hz" in seen["info"]
