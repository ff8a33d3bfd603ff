"""``skspeech serve``: a local web page to try a model with the microphone or a file."""

HELP = "Try a model in the browser: record a command, listen live, or upload a file."


def add_parser(sub):
    p = sub.add_parser("serve", help=HELP, description=HELP + (
        " Starts a local web server (needs pip install 'skspeech[serve]') with one page: "
        "Record (press, say a word, release: the word and every word's probability), Live "
        "(the microphone streams to the server, where the listener of skspeech listen "
        "reports each command with its time) and Upload (a WAV, FLAC or OGG file). The "
        "browser records at its own rate; the server resamples. Nothing sent is written to "
        "disk. Ctrl+C stops."))
    p.add_argument("model", nargs="?", default=None,
                   help="a model file from skspeech train (a pickle: trusted files only), a "
                        "folder from skspeech export, or a pretrained model's name; default: "
                        "the pretrained speech-commands-12")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only; "
                        "another address warns, as anyone who reaches it can use the model)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default: 8000)")
    p.add_argument("--max-upload-mb", type=float, default=10.0,
                   help="largest recording or file accepted, in MB (default: 10)")
    p.add_argument("--max-seconds", type=float, default=30.0,
                   help="longest recording or file accepted, in seconds (default: 30)")
    p.add_argument("--threshold", type=float, default=None,
                   help="live: minimum smoothed probability to report a command (default: by "
                        "the kind of model, 0.999 for a network, 0.6 for the others)")
    p.add_argument("--certfile", default=None,
                   help="TLS certificate (with --keyfile): serve over HTTPS, which browsers "
                        "need to give the microphone to a page that is not on localhost")
    p.add_argument("--keyfile", default=None, help="TLS private key for --certfile")
    return p


def _check(args):
    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port must be in [0, 65535]; got {args.port}.")
    for name, value in (("--max-upload-mb", args.max_upload_mb),
                        ("--max-seconds", args.max_seconds)):
        if not 0 < value < float("inf"):
            raise ValueError(f"{name} must be a positive (finite) number; got {value}.")
    if args.threshold is not None and not 0 <= args.threshold <= 1:
        raise ValueError(f"--threshold must be a probability in [0, 1]; got {args.threshold}.")
    if (args.certfile is None) != (args.keyfile is None):
        raise ValueError("--certfile and --keyfile go together; give both, or neither.")


def run(args):
    _check(args)
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"skspeech serve needs: pip install 'skspeech[serve]' "
                          f"({exc.name} is missing).") from exc
    from ..serve import serve
    from ._predict import model_or_pretrained

    threshold = "auto" if args.threshold is None else args.threshold
    serve(model_or_pretrained(args.model, "serve"), host=args.host, port=args.port,
          max_upload_mb=args.max_upload_mb, max_seconds=args.max_seconds,
          threshold=threshold, certfile=args.certfile, keyfile=args.keyfile)
    return 0
