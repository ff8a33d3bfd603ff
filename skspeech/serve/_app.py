"""The web app: one page, its three files, and the endpoints it talks to (Starlette).

- ``GET /``: the page; ``GET /static/NAME``: its script, style and audio worklet;
- ``GET /api/model``: the model's words, rate and training date;
- ``POST /api/predict?sr=RATE``: a recording (raw float32 mono at the browser's rate);
- ``POST /api/upload``: the bytes of an audio file as the body (``curl --data-binary @x.wav``),
  or a multipart form with one file (``curl -F file=@x.wav``);
- ``WS /api/live``: ``{"sr": RATE}``, then float32 blocks in, detections out.

The browser sends its samples at its own rate and the server resamples them
with the filter that reads files for training (:func:`skspeech.io.read_audio`).
Bodies are read into memory up to the limit; nothing is written to disk.
"""

from __future__ import annotations

import json
import warnings
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import numpy as np

from ..exceptions import InvalidAudioError
from ._audio import (
    AudioTooLongError,
    StreamResampler,
    check_browser_sr,
    decode_audio_file,
    file_from_form,
    pcm_from_bytes,
)
from ._model import detection_json, listen_clip, make_listener, predict_clip

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from ._model import ServedModel

_STATIC = {"app.js": "text/javascript", "style.css": "text/css",
           "capture-worklet.js": "text/javascript", "favicon.svg": "image/svg+xml"}
_LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1"]
#: Header every POST from the page carries: a page of another site cannot add it
#: without a CORS preflight, which this server never grants.
CSRF_HEADER = "x-skspeech"


#: What POST /api/upload takes, said when an upload cannot be read.
_UPLOAD_TAKES = ("This endpoint takes one audio file (WAV, FLAC, OGG, ...): as the request body "
                 "(curl --data-binary @x.wav) or as a multipart form's file field "
                 "(curl -F file=@x.wav).")


class _RequestError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _page_files():
    root = resources.files("skspeech.serve") / "static"
    files = {name: (root / name).read_bytes() for name in _STATIC}
    return (root / "index.html").read_text(encoding="utf-8"), files


def _security_headers(host):
    csp = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           f"connect-src 'self' ws://{host} wss://{host}; base-uri 'none'; "
           "form-action 'none'; frame-ancestors 'none'")
    return {"Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
            "Permissions-Policy": "microphone=(self)"}


def _check_origin(headers):
    """Refuse a request sent by a page of another site (its Origin is not this host)."""
    origin = headers.get("origin")
    if origin and urlsplit(origin).netloc.lower() != headers.get("host", "").lower():
        raise _RequestError(403, f"Requests from {origin} are refused: only this server's "
                                 f"own page may use it.")


async def _read_body(request, limit):
    size = request.headers.get("content-length")
    if size is not None and size.isdigit() and int(size) > limit:
        raise _RequestError(413, f"The upload is {int(size) / 1e6:.1f} MB; this server takes "
                                 f"at most {limit / 1e6:g} MB (skspeech serve --max-upload-mb).")
    chunks, n = [], 0
    async for chunk in request.stream():
        n += len(chunk)
        if n > limit:
            raise _RequestError(413, f"The upload is over {limit / 1e6:g} MB, the most this "
                                     f"server takes (skspeech serve --max-upload-mb).")
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(served: ServedModel, *, host: str = "127.0.0.1", max_upload_mb: float = 10.0,
               max_seconds: float = 30.0, threshold: float | str = "auto") -> Starlette:
    """The ASGI application that serves ``served`` (a :class:`ServedModel`).

    Parameters
    ----------
    served : ServedModel
        From :func:`load_served_model`.
    host : str, default="127.0.0.1"
        The address the server binds; on a loopback address only requests
        for ``127.0.0.1``, ``localhost`` or ``::1`` are answered (no DNS rebinding).
    max_upload_mb : float, default=10.0
        Largest recording or file accepted, in megabytes.
    max_seconds : float, default=30.0
        Longest recording or file accepted, in seconds.
    threshold : float or "auto", default="auto"
        The live listener's threshold (as ``skspeech listen --threshold``);
        "auto": :func:`skspeech.streaming.auto_threshold`.

    Returns
    -------
    app : starlette.applications.Starlette
    """
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.responses import HTMLResponse, JSONResponse, Response
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocketDisconnect

    page, files = _page_files()
    limit = int(max_upload_mb * 1e6)
    info = dict(served.info(), limits={"max_upload_mb": max_upload_mb,
                                       "max_seconds": max_seconds})

    def error(status, message, request):
        return JSONResponse({"error": message}, status_code=status,
                            headers=_security_headers(request.headers.get("host", "")))

    def ok(payload, request):
        return JSONResponse(payload, headers=_security_headers(request.headers.get("host", "")))

    async def index(request):
        return HTMLResponse(page, headers=_security_headers(request.headers.get("host", "")))

    async def static(request):
        name = request.path_params["name"]
        if name not in files:
            return Response("Not found", status_code=404, media_type="text/plain")
        return Response(files[name], media_type=_STATIC[name],
                        headers=_security_headers(request.headers.get("host", "")))

    async def model_info(request):
        return ok(info, request)

    def answer(y, sr, name):
        if len(y) > max_seconds * sr:
            raise AudioTooLongError(f"{name} is {len(y) / sr:.1f} s long; this server takes at "
                                    f"most {max_seconds:g} s (skspeech serve --max-seconds).")
        from ..preprocessing import resample

        x = resample(y, sr, served.sr) if sr != served.sr else y
        result = predict_clip(served, x)
        result["received_sr"] = sr
        if len(x) > 1.5 * served.window * served.sr:  # a longer file: as skspeech listen
            result["detections"] = listen_clip(served, x)
        return result

    async def handle(request, decode):
        try:
            if request.headers.get(CSRF_HEADER) != "1":
                raise _RequestError(403, f"Missing the {CSRF_HEADER} header that this "
                                         f"server's own page sends.")
            _check_origin(request.headers)
            data = await _read_body(request, limit)
            result = await run_in_threadpool(lambda: answer(*decode(request, data)))
        except _RequestError as exc:
            return error(exc.status, str(exc), request)
        except AudioTooLongError as exc:
            return error(413, str(exc), request)
        except (InvalidAudioError, ValueError) as exc:
            return error(400, str(exc), request)
        return ok(result, request)

    def decode_recording(request, data):
        sr = check_browser_sr(request.query_params.get("sr"))
        return pcm_from_bytes(data, "The recording"), sr, "The recording"

    def decode_upload(request, data):
        name = unquote(request.headers.get("x-filename") or "")
        content_type = request.headers.get("content-type", "")
        if content_type.lower().startswith("multipart/form-data"):
            data, form_name = file_from_form(data, content_type)
            name = name or form_name or ""
        name = repr(name) if name else "the file"
        try:
            y, sr = decode_audio_file(data, name=name, max_seconds=max_seconds)
        except AudioTooLongError as exc:
            raise AudioTooLongError(
                f"{name} is {exc.seconds:.1f} s long; this server takes at most "
                f"{max_seconds:g} s (skspeech serve --max-seconds). Cut out the part with the "
                f"word, or use skspeech listen --file for a long recording.") from None
        except InvalidAudioError as exc:
            raise InvalidAudioError(f"{exc} {_UPLOAD_TAKES}") from None
        return y, sr, name

    async def predict(request):
        return await handle(request, decode_recording)

    async def upload(request):
        return await handle(request, decode_upload)

    async def live(ws):
        try:
            _check_origin(ws.headers)
        except _RequestError:
            await ws.close(code=1008)
            return
        await ws.accept()
        try:
            await _live_session(ws)
        except WebSocketDisconnect:
            pass

    async def _live_session(ws):
        try:
            first = json.loads(await ws.receive_text())
            sr_in = check_browser_sr(first.get("sr") if isinstance(first, dict) else None)
        except (ValueError, KeyError) as exc:
            await ws.send_json({"type": "error", "message": f"Live mode starts with "
                                f'{{"sr": RATE}}: {exc}'})
            await ws.close(code=1003)
            return
        resampler = StreamResampler(sr_in, served.sr)
        listener = make_listener(served, threshold=threshold)
        max_block = 4 * sr_in  # one second of float32 samples per message at most
        await ws.send_json({"type": "ready", "sr_in": sr_in, "sr": served.sr,
                            "window": served.window})
        received = 0

        def step(pcm, final=False):
            y = resampler.flush() if final else resampler.process(pcm)
            with served.lock, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found = listener.process(y) if len(y) else []
                if final:
                    found += listener.flush()
            return found

        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            data, text = message.get("bytes"), message.get("text")
            if data is not None:
                try:
                    if len(data) > max_block:
                        raise InvalidAudioError(f"A live block is {len(data)} bytes; at most "
                                                f"one second ({max_block} bytes) per message.")
                    pcm = pcm_from_bytes(data, "A live block")
                except InvalidAudioError as exc:
                    await ws.send_json({"type": "error", "message": str(exc)})
                    await ws.close(code=1003)
                    return
                found = await run_in_threadpool(step, pcm)
                received += len(pcm)
                level = float(10 * np.log10(np.mean(np.square(pcm, dtype=np.float64)) + 1e-12))
                await ws.send_json({"type": "level", "db": round(level, 1),
                                    "seconds": round(received / sr_in, 2)})
                for d in found:
                    await ws.send_json(dict(detection_json(d), type="detection"))
            elif text is not None and "stop" in text:
                for d in await run_in_threadpool(step, None, True):
                    await ws.send_json(dict(detection_json(d), type="detection"))
                await ws.send_json({"type": "stopped", "seconds": round(received / sr_in, 2)})
                await ws.close()
                return

    allowed = _LOOPBACK_NAMES if is_loopback(host) else ["*"]
    return Starlette(routes=[Route("/", index), Route("/static/{name}", static),
                             Route("/favicon.ico", lambda r: Response(status_code=204)),
                             Route("/api/model", model_info),
                             Route("/api/predict", predict, methods=["POST"]),
                             Route("/api/upload", upload, methods=["POST"]),
                             WebSocketRoute("/api/live", live)],
                     middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=allowed)])


def is_loopback(host):
    """Whether ``host`` is reachable from this machine only."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
