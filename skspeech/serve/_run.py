"""Start the server: load the model once, warn about a public address, run uvicorn."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from ._app import create_app, is_loopback


def host_warning(host, port):
    """The warning for a server reachable from other machines, or None on loopback."""
    if is_loopback(host):
        return None
    return (f"listening on {host}:{port}, not on 127.0.0.1: anyone who can reach this machine "
            f"on port {port} can use the model and send it audio. Browsers give the "
            f"microphone only to a page on localhost or HTTPS: from another machine use "
            f"Upload, or --certfile/--keyfile.")


def serve(model: str | os.PathLike, *, host: str = "127.0.0.1", port: int = 8000,
          max_upload_mb: float = 10.0, max_seconds: float = 30.0,
          threshold: float | str = "auto", certfile: str | None = None,
          keyfile: str | None = None, log: TextIO | None = None) -> None:
    """Serve a model file's page until Ctrl+C (see ``skspeech serve --help``).

    Parameters
    ----------
    model : str or path-like
        The model file (a pickle: load only models you trust).
    host : str, default="127.0.0.1"
        Address to bind; anything but a loopback address prints a warning.
    port : int, default=8000
        TCP port.
    max_upload_mb, max_seconds : float
        Limits on a recording or a file (see :func:`create_app`).
    threshold : float or "auto", default="auto"
        The live listener's threshold ("auto": by the kind of model, see
        :func:`skspeech.streaming.auto_threshold`).
    certfile, keyfile : str, default=None
        A TLS certificate and key, to serve over HTTPS.
    log : file, default=None
        Where the address and warnings are printed; None means ``sys.stderr``.
    """
    import uvicorn

    log = sys.stderr if log is None else log
    from ._model import load_served_model

    served = load_served_model(model)
    app = create_app(served, host=host, max_upload_mb=max_upload_mb, max_seconds=max_seconds,
                     threshold=threshold)
    warning = host_warning(host, port)
    if warning:
        print(f"skspeech serve: warning: {warning}", file=log)
    scheme = "https" if certfile else "http"
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving {served.path.name} ({', '.join(served.info()['words'])}; "
          f"{served.sr} Hz) at {scheme}://{shown}:{port}/ (Ctrl+C stops)", file=log, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", ssl_certfile=certfile,
                ssl_keyfile=keyfile, ws_max_size=8 * 192000)
