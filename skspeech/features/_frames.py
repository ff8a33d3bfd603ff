"""Helpers shared by the frame transformers (Deltas, CMVN, FrameStats).

Frame sequences arrive as a 3-D array ``(n_clips, n_frames, n_coeffs)`` or a
list of ``(n_frames_i, n_coeffs)`` arrays. Both are handled by stacking all
frames into one ``(n_total_frames, n_coeffs)`` array plus the per-clip frame
counts, computing once on that, and splitting back.
"""

import numpy as np


def stack_frames(X):
    """Stack checked frame sequences into ``(flat, lengths)``.

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_frames, n_coeffs) or list of 2-D ndarray
        Output of :func:`skspeech._validation.check_frames`.

    Returns
    -------
    flat : ndarray of shape (n_total_frames, n_coeffs)
        All frames, clip after clip.
    lengths : ndarray of shape (n_clips,)
        Frames per clip.
    """
    if isinstance(X, list):
        lengths = np.fromiter((len(f) for f in X), dtype=np.int64, count=len(X))
        return np.concatenate(X, axis=0), lengths
    n_clips, n_frames, n_coeffs = X.shape
    return X.reshape(n_clips * n_frames, n_coeffs), np.full(n_clips, n_frames, dtype=np.int64)


def unstack_frames(flat, lengths, like):
    """Undo :func:`stack_frames`: a list if ``like`` is a list, else a 3-D array."""
    if isinstance(like, list):
        return np.split(flat, np.cumsum(lengths)[:-1], axis=0)
    return flat.reshape(len(lengths), int(lengths[0]), flat.shape[1])


def clip_bounds(lengths):
    """First frame index of each clip in the stacked array, and of the next clip."""
    ends = np.cumsum(lengths)
    return ends - lengths, ends
