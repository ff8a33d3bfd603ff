"""The parameter text the recipes share, written once (filled in by ``fill_doc``)."""

from __future__ import annotations

RECIPE_DOC = {
    "sr": """\
sr : int, default=16000
    Sample rate of the clips given to ``fit`` and ``predict``, in Hz
    (8000 for the Free Spoken Digit Dataset).""",
    "target_sr": """\
target_sr : int, default=None
    Resample to this rate first; None keeps ``sr``.""",
    "needs_keras": """\
Raises
------
ImportError
    If TensorFlow, Keras or scikeras is missing (the ``keras`` extra).""",
}


def network_doc(*, epochs: int, batch_size: int, patience: int | None = 10) -> dict[str, str]:
    """``RECIPE_DOC`` plus ``%(training)s``: the training parameters of a recipe's network."""
    if patience is None:  # the cosine-scheduled networks run their whole schedule
        epochs_doc = "Training epochs (the length of the learning-rate schedule)."
        patience_doc = ("Epochs without a lower validation loss before stopping; None runs "
                        "every\n    epoch and keeps the best one's weights.")
    else:
        epochs_doc = "Maximum training epochs (early stopping usually ends sooner)."
        patience_doc = "Epochs without a lower validation loss before stopping."
    return {**RECIPE_DOC, "training": f"""\
epochs : int, default={epochs}
    {epochs_doc}
batch_size : int, default={batch_size}
    Clips per gradient step.
patience : int or None, default={patience}
    {patience_doc}
random_state : int, RandomState instance or None, default=None
    Seed for repeatable training.
verbose : int, default=0
    1 shows a progress bar over epochs."""}
