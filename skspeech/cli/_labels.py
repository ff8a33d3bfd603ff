"""How the command line lists labels in messages (what a label means: :mod:`skspeech.labels`)."""


def listing(labels):
    """Labels joined for a message: ``a, b, c`` (never numpy reprs)."""
    return ", ".join(str(w) for w in labels)
