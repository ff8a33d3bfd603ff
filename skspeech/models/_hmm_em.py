"""Training one class's HMM: hmmlearn models with a variance floor, and their start.

hmmlearn's EM is used as it is, with three changes made by subclassing (the
fitted models are handed back as plain ``GaussianHMM`` / ``GMMHMM``): the
covariances are floored after every M-step, a state or mixture component
that gets no posterior mass keeps its parameters instead of becoming NaN,
and the E-step moves from the fast scaled forward-backward to log space when
that underflows. The means start from a uniform segmentation of each
sequence (left-right, as HTK's HInit) or k-means (ergodic).
"""

import contextlib
import logging
import time

import numpy as np

_INSTALL_HINT = "HMMClassifier needs hmmlearn: pip install 'skspeech[hmm]'"

# Posterior mass below which a state (or mixture component) counts as unused
# in an EM iteration: its parameters are kept instead of becoming 0 / 0.
_EMPTY = 1e-8


def _import_hmmlearn():
    try:
        from hmmlearn import hmm
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return hmm


def _floor_covars(covars, covariance_type, floor):
    """Raise variances (eigenvalues for full/tied) to at least ``floor``."""
    if covariance_type in ("diag", "spherical"):
        return np.maximum(covars, floor)
    w, v = np.linalg.eigh(covars)
    if (w >= floor).all():
        return covars
    w = np.maximum(w, floor)
    out = (v * w[..., np.newaxis, :]) @ np.swapaxes(v, -1, -2)
    return (out + np.swapaxes(out, -1, -2)) / 2


class _LogSpaceFallback:
    """E-step in hmmlearn's fast "scaling" mode, falling back to "log" mode.

    Scaled forward-backward fails ("underflow") when a frame is improbable
    under every state, and can give NaN posteriors (0 * inf) for a frame that
    is merely very improbable. When either happens, the E-step is redone in
    log space and EM stays there.
    """

    def _do_estep(self, X, lengths):
        if self.implementation == "scaling":
            try:
                stats, log_prob = super()._do_estep(X, lengths)
            except ValueError as exc:
                if "underflow" not in str(exc):
                    raise
            else:
                if np.isfinite(log_prob) and all(
                        np.isfinite(v).all() for v in stats.values()
                        if isinstance(v, np.ndarray)):
                    return stats, log_prob
            self.implementation = "log"
        return super()._do_estep(X, lengths)


_FLOORED = {}


def _floored_hmm_classes():
    """hmmlearn models whose M-step keeps a variance floor and unused states.

    hmmlearn applies ``min_covar`` only when it initialises covariances, and a
    state or mixture component that gets no posterior mass in an EM iteration
    gets 0 / 0 = NaN parameters (and a zero transition row). These
    subclasses floor the covariances after every M-step and keep the previous
    parameters of unused states and components. Fitted models are handed to
    the user as plain ``GaussianHMM`` / ``GMMHMM`` (see ``_fit_one``), so
    pickles never refer to these classes.
    """
    if _FLOORED:
        return _FLOORED
    hmm = _import_hmmlearn()

    def _keep_transitions(model, old_transmat):
        dead = model.transmat_.sum(axis=1) == 0
        if dead.any():
            model.transmat_[dead] = old_transmat[dead]

    class FlooredGaussianHMM(_LogSpaceFallback, hmm.GaussianHMM):
        def _do_mstep(self, stats):
            old = (self.means_.copy(), self._covars_.copy(), self.transmat_.copy())
            super()._do_mstep(stats)
            empty = stats["post"] < _EMPTY
            if empty.any():
                self.means_[empty] = old[0][empty]
                if self.covariance_type != "tied":
                    self._covars_[empty] = old[1][empty]
            _keep_transitions(self, old[2])
            self._covars_ = _floor_covars(self._covars_, self.covariance_type, self.min_covar)

    class FlooredGMMHMM(_LogSpaceFallback, hmm.GMMHMM):
        def _init(self, X, lengths=None):
            # GMMHMM._init runs k-means (11 x n_init=10) even when the means
            # are given; they are (see _initial_means), so only set up the
            # priors it would set.
            if "m" in self.init_params or not hasattr(self, "means_"):
                return super()._init(X, lengths)
            super(hmm.GMMHMM, self)._init(X, lengths)
            self._init_covar_priors()
            self._fix_priors_shape()

        def _do_mstep(self, stats):
            old = (self.weights_.copy(), self.means_.copy(), self.covars_.copy(),
                   self.transmat_.copy())
            super()._do_mstep(stats)
            empty_state = stats["post_sum"] < _EMPTY
            self.weights_[empty_state] = old[0][empty_state]
            empty = (stats["post_mix_sum"] < _EMPTY) | empty_state[:, np.newaxis]
            if empty.any():
                self.means_[empty] = old[1][empty]
                if self.covariance_type != "tied":
                    self.covars_[empty] = old[2][empty]
            if self.covariance_type == "tied":
                self.covars_[empty_state] = old[2][empty_state]
            _keep_transitions(self, old[3])
            self.covars_ = _floor_covars(self.covars_, self.covariance_type, self.min_covar)

    _FLOORED.update(gaussian=(FlooredGaussianHMM, hmm.GaussianHMM),
                    gmm=(FlooredGMMHMM, hmm.GMMHMM))
    return _FLOORED


def _converged(model):
    """Whether EM stopped on ``tol`` (hmmlearn's ``monitor_.converged`` is also
    True when ``n_iter`` is reached)."""
    history = model.monitor_.history
    return len(history) >= 2 and history[-1] - history[-2] < model.monitor_.tol


class _QuietHmmlearn(logging.Filter):
    """Drop hmmlearn's per-fit log warnings ("Model is not converging", ...).

    With the variance floor, EM is not strictly monotone and hmmlearn logs
    tiny log-likelihood decreases as warnings; ``verbose >= 2`` shows them.
    """

    def filter(self, record):
        return record.levelno > logging.WARNING


@contextlib.contextmanager
def _quiet_hmmlearn(quiet):
    if not quiet:
        yield
        return
    loggers = [logging.getLogger(n) for n in ("hmmlearn.base", "hmmlearn.hmm",
                                              "hmmlearn._emissions")]
    filt = _QuietHmmlearn()
    for lg in loggers:
        lg.addFilter(filt)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(filt)


def _bakis(n_states):
    """Left-right (Bakis) start probabilities and transition matrix.

    Start in state 0; from each state stay, move to the next or skip one,
    with equal probability among the moves that exist.
    """
    startprob = np.zeros(n_states)
    startprob[0] = 1.0
    transmat = np.zeros((n_states, n_states))
    for i in range(n_states):
        j = np.arange(i, min(i + 3, n_states))
        transmat[i, j] = 1.0 / len(j)
    return startprob, transmat


def _initial_means(seqs, frames, n_states, n_mix, topology, seed):
    """Means to start EM from, of shape (n_states, n_features) or (n_states, n_mix, n_features).

    Left-right: each sequence is cut into ``n_states`` equal segments and
    state ``i`` starts from the mean of the ``i``-th segments (uniform
    segmentation, as HTK's HInit); ergodic: k-means on all frames. With
    mixtures, each state's frames are split again by k-means.
    """
    from sklearn.cluster import KMeans

    if topology == "left-right":
        labels = np.concatenate([
            np.minimum(np.arange(len(s)) * n_states // len(s), n_states - 1) for s in seqs
        ])
    else:
        labels = KMeans(n_clusters=n_states, n_init=3, random_state=seed).fit_predict(frames)
    rng = np.random.default_rng(seed)
    std = frames.std(axis=0)
    means = []
    for i in range(n_states):
        own = frames[labels == i]
        if len(own) == 0:  # ergodic k-means never leaves a cluster empty; safety only
            own = frames
        if n_mix == 1:
            means.append(own.mean(axis=0))
            continue
        n_distinct = len(np.unique(own, axis=0)) if len(own) < 4 * n_mix else n_mix
        if n_distinct >= n_mix:
            km = KMeans(n_clusters=n_mix, n_init=3, random_state=seed).fit(own)
            means.append(km.cluster_centers_)
        else:  # too few distinct frames: spread components around the state mean
            means.append(own.mean(axis=0) + 0.1 * std * rng.standard_normal((n_mix, len(std))))
    return np.stack(means)


def _initial_covars(frames, n_states, n_mix, covariance_type, floor):
    """Every state (and component) starts from the covariance of all frames."""
    n_features = frames.shape[1]
    cov = np.atleast_2d(np.cov(frames.T, bias=True))
    cov = _floor_covars(cov + floor * np.eye(n_features), "full", floor)
    lead = (n_states,) if n_mix == 1 else (n_states, n_mix)
    if covariance_type == "diag":
        return np.broadcast_to(np.diag(cov), lead + (n_features,)).copy()
    if covariance_type == "spherical":
        return np.full(lead, np.diag(cov).mean())
    if covariance_type == "full":
        return np.broadcast_to(cov, lead + cov.shape).copy()
    if n_mix == 1:  # tied GaussianHMM: one matrix
        return cov
    return np.broadcast_to(cov, (n_states,) + cov.shape).copy()  # tied GMMHMM: one per state


def _fit_one(seqs, *, label, n_states, n_mix, covariance_type, topology, n_iter, tol,
             min_covar, seed, verbose):
    """Fit the HMM of one class on its sequences; return (model, seconds)."""
    start = time.perf_counter()
    frames = np.concatenate(seqs)
    lengths = [len(s) for s in seqs]
    floored, plain = _floored_hmm_classes()["gaussian" if n_mix == 1 else "gmm"]

    kwargs = dict(n_components=n_states, covariance_type=covariance_type, min_covar=min_covar,
                  n_iter=n_iter, tol=tol, random_state=seed, verbose=verbose >= 2,
                  # Scaled forward-backward is 3-4x faster than log space;
                  # _LogSpaceFallback moves EM to log space if it underflows.
                  implementation="scaling", params="stmcw" if n_mix > 1 else "stmc")
    if n_mix > 1:
        kwargs["n_mix"] = n_mix
    if topology == "left-right":
        # "s" and "t" stay out of init_params, so EM starts from the Bakis
        # structure; hmmlearn's M-step keeps zero probabilities at zero.
        model = floored(init_params="", **kwargs)
        model.startprob_, model.transmat_ = _bakis(n_states)
    else:
        model = floored(init_params="st", **kwargs)
    model.means_ = _initial_means(seqs, frames, n_states, n_mix, topology, seed)
    model.covars_ = _initial_covars(frames, n_states, n_mix, covariance_type, min_covar)
    if n_mix > 1:
        model.weights_ = np.full((n_states, n_mix), 1.0 / n_mix)
    with _quiet_hmmlearn(verbose < 2), np.errstate(divide="ignore", invalid="ignore",
                                                   under="ignore", over="ignore"):
        model.fit(frames, lengths)
    # Scoring always works in log space (no underflow).
    model.implementation = "log"
    params = [model.startprob_, model.transmat_, model.means_, model.covars_]
    if n_mix > 1:
        params.append(model.weights_)
    if not all(np.isfinite(p).all() for p in params):
        raise ValueError(
            f"HMMClassifier: the model of class {label!r} got non-finite parameters in EM "
            f"({len(seqs)} sequences, {len(frames)} frames). Raise min_covar (now "
            f"{min_covar}), lower n_states/n_mix, or check the features of that class."
        )
    # Hand back a plain hmmlearn object (same state, public class).
    out = plain.__new__(plain)
    out.__dict__.update(model.__dict__)
    return out, time.perf_counter() - start
