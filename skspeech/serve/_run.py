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


def check_address(host, port):
    """Raise an OSError that says what to do when ``host:port`` cannot be listened on.

    Binds a socket as uvicorn binds its own (``SO_REUSEADDR``) and closes it,
    so that a port in use is told before the server says it is serving, not
    by another program's error after it. Returns the port (for port 0, a
    free one the system chose).
    """
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host.strip("[]"), port))
            return sock.getsockname()[1]  # port 0: the free port the system chose
    except socket.gaierror as exc:
        raise OSError(f"Cannot listen on {where}: {host!r} is not an address or a name of "
                      f"this machine ({exc.strerror}). Give --host 127.0.0.1 (this machine "
                      f"only) or an address of one of its network interfaces.") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            hint = (f"port {port} is in use by another program (another skspeech serve?). "
                    f"Choose another port with --port (e.g. --port {port + 1 if port else 8001}"
                    f"), or stop the other program.")
        elif exc.errno in (errno.EACCES, errno.EPERM):
            hint = (f"no permission to listen on port {port} (ports below 1024 need "
                    f"administrator rights). Choose a port from 1024 up, e.g. --port 8000.")
        elif exc.errno == errno.EADDRNOTAVAIL:
            hint = (f"{host} is not an address of this machine. Give --host 127.0.0.1 (this "
                    f"machine only) or an address of one of its network interfaces.")
        else:
            hint = f"{exc.strerror or exc}."
        error = OSError(f"Cannot listen on {where}: {hint}")
        error.errno = exc.errno
        raise error from None


def check_tls(certfile, keyfile):
    """Raise a ValueError naming the file when the certificate and key cannot be used."""
    import ssl

    for what, path in (("--certfile", certfile), ("--keyfile", keyfile)):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{what} {path!r}: no such file.")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile)
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise ValueError(f"Cannot serve over HTTPS with --certfile {certfile!r} and --keyfile "
                         f"{keyfile!r}: {getattr(exc, 'reason', None) or exc}. Give a PEM "
                         f"certificate and the private key that belongs to it.") from None


def serve(model: str | os.PathLike, *, host: str = "127.0.0.1", port: int = 8000,
          max_upload_mb: float = 10.0, max_seconds: float = 30.0,
          threshold: float | str = "auto", certfile: str | None = None,
          keyfile: str | None = None, log: TextIO | None = None) -> None:
    """Serve a model file's page until Ctrl+C (see ``skspeech serve --help``).

    Parameters
    ----------
    model : str or path-like
        A model file (a pickle: load only models you trust), an export folder,
        or a pretrained model's name (e.g. ``"speech-commands-12"``).
    host : str, default="127.0.0.1"
        Address to bind; anything but a loopback address prints a warning.
    port : int, default=8000
        TCP port.
    max_upload_mb, max_seconds : float
        Limits on a recording or a file (see :func:`create_app`).
    threshold : float or "auto", default="auto"
        The live listener's threshold ("auto": the model's calibrated one, or
        the default for its kind; see :func:`skspeech.streaming.auto_threshold`).
    certfile, keyfile : str, default=None
        A TLS certificate and key, to serve over HTTPS.
    log : file, default=None
        Where the address and warnings are printed; None means ``sys.stderr``.

    Raises
    ------
    OSError
        If the port is in use, may not be used, or ``host`` is not an address
        of this machine; said before the server starts.
    ValueError
        If the model cannot be served, or the certificate and key cannot be used.
    """
    import uvicorn

    log = sys.stderr if log is None else log
    if host.startswith("[") and host.endswith("]"):  # [::1], as in a URL: the address itself
        host = host[1:-1]
    from ._model import load_served_model

    served = load_served_model(model)
    if certfile is not None:
        check_tls(certfile, keyfile)
    port = check_address(host, port)
    app = create_app(served, host=host, max_upload_mb=max_upload_mb, max_seconds=max_seconds,
                     threshold=threshold)
    warning = host_warning(host, port)
    if warning:
        print(f"skspeech serve: warning: {warning}", file=log)
    scheme = "https" if certfile else "http"
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving {served.path.name} ({', '.join(served.info()['words'])}; "
          f"{served.sr} Hz) at {scheme}://{shown}:{port}/ (Ctrl+C stops)", file=log, flush=True)
    from ..streaming import describe_threshold

    print(f"Live listening threshold {describe_threshold(served.model, threshold)}.", file=log,
          flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", ssl_certfile=certfile,
                ssl_keyfile=keyfile, ws_max_size=8 * 192000)
