"""``skspeech export``: a fitted Conv1D or KWS model file -> TensorFlow Lite (float, int8), JSON."""

from pathlib import Path

HELP = "Export a conv1d or kws model to TensorFlow Lite (float and int8) for devices."


def add_parser(sub):
    p = sub.add_parser("export", help=HELP, description=HELP + (
        " Writes model_float.tflite (same predictions as the Keras network), "
        "model_int8.tflite (full integer post-training quantisation, calibrated on "
        "--representative clips) and frontend.json (sample rate, clip length, feature "
        "settings, input shape, words and int8 scales) that a device needs to compute "
        "the network's input."))
    p.add_argument("model", type=Path,
                   help="a conv1d or kws model file from skspeech train")
    p.add_argument("-o", "--output", type=Path, default=Path("tflite"),
                   help="folder to write (default: ./tflite)")
    p.add_argument("--representative", default=None, metavar="DATA",
                   help="data to calibrate int8 on (as for train: a folder, 'fsdd' or "
                        "'synthetic'); its training subset is used")
    p.add_argument("--n-representative", type=int, default=300,
                   help="clips used to calibrate (default: 300)")
    p.add_argument("--no-int8", action="store_true", help="write the float model only")
    p.add_argument("--check", default=None, metavar="DATA",
                   help="also score Keras, float and int8 on this data's test subset")
    p.add_argument("--embedding", action="store_true",
                   help="also write the network's embedding (its last residual blocks' frames "
                        "and the input of its softmax layer, one vector per clip): "
                        "embedding_float.tflite and embedding_int8.tflite, "
                        "for skspeech.pipelines.NetworkEmbedding and train --model custom "
                        "--pretrained FOLDER")
    p.add_argument("--force", action="store_true", help="replace existing files")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    return p


def run(args):
    import numpy as np

    from .. import load_model
    from ..export import TFLiteModel, export_tflite
    from ._train import data_choice, load_data

    model, meta = load_model(args.model, return_metadata=True)
    from ..export import exportable_parts
    from ._train import inner_pipeline

    # a model trained with --augment: augmentation only acted in fit, the fitted
    # Pipeline inside it is the whole predictor
    model = inner_pipeline(model)

    exportable_parts(model)  # first: an SVM or HMM model cannot be exported at all
    if not args.no_int8 and args.representative is None:
        raise ValueError("int8 export needs --representative DATA (e.g. the training data) to "
                         "calibrate; or pass --no-int8.")
    rep = None
    if args.representative is not None:
        rep = load_data(args.representative, subset="train", sr=meta.get("sr"),
                        **data_choice(args.representative, meta["classes"]),
                        verbose=not args.quiet).X
        rng = np.random.default_rng(0)
        idx = rng.permutation(len(rep))[:args.n_representative]
        rep = [rep[i] for i in idx]
    files = export_tflite(model, args.output, representative=rep, int8=not args.no_int8,
                          n_representative=args.n_representative, embedding=args.embedding,
                          force=args.force)
    for key in ("float", "int8"):
        if files.get(key) is not None:
            print(f"{key:>5}: {files[key]} ({files['sizes'][key] / 1024:.1f} KB)")
    for key, path in (files.get("embedding") or {}).items():
        if path is not None:
            print(f"embedding {key}: {path} "
                  f"({files['sizes']['embedding_' + key] / 1024:.1f} KB)")
    print(f"front end: {files['settings']}")
    if args.check is not None:
        data = load_data(args.check, subset="test", sr=meta.get("sr"),
                         **data_choice(args.check, meta["classes"]), verbose=not args.quiet)
        X, y, what = data.X, data.y, data.what
        print(f"Accuracy on {len(y)} clips of {what}: Keras {np.mean(model.predict(X) == y):.1%}",
              end="")
        for key in ("float", "int8"):
            if files.get(key) is not None:
                acc = np.mean(TFLiteModel(files[key]).predict(X) == y)
                print(f", {key} {acc:.1%}", end="")
        print()
    return 0
