"""GeometricVotingClassifier, HMMClassifier(posterior_scale) and ensemble_pipeline."""

import joblib
import numpy as np
import pytest
from conftest import make_tone_commands
from scipy.special import softmax
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB

from skspeech.models import GeometricVotingClassifier


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 1, (30, 2)), rng.normal(2, 1, (30, 2)), rng.normal([0, 4], 1, (30, 2))]
    y = np.repeat(["zero", "two", "four"], 30)
    return X, y


def _members():
    return [("lr", LogisticRegression()), ("nb", GaussianNB())]


def test_geometric_mean_of_member_probabilities(blobs):
    X, y = blobs
    vote = GeometricVotingClassifier(_members(), weights=[2, 1]).fit(X, y)
    p_lr, p_nb = (est.predict_proba(X) for est in vote.estimators_)
    expected = p_lr ** (2 / 3) * p_nb ** (1 / 3)
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(vote.predict_proba(X), expected, rtol=1e-6)
    np.testing.assert_allclose(np.exp(vote.predict_log_proba(X)), expected, rtol=1e-6)
    assert vote.classes_.tolist() == ["four", "two", "zero"]
    np.testing.assert_array_equal(vote.predict(X), vote.classes_[expected.argmax(axis=1)])


def test_differs_from_the_arithmetic_mean(blobs):
    X, y = blobs
    geo = GeometricVotingClassifier(_members()).fit(X, y)
    arith = VotingClassifier(_members(), voting="soft").fit(X, y)
    p_geo, p_arith = geo.predict_proba(X), arith.predict_proba(X)
    assert np.abs(p_geo - p_arith).max() > 1e-3
    # ... and is the arithmetic mean of the log-probabilities, renormalised
    logs = np.mean([np.log(e.predict_proba(X)) for e in geo.estimators_], axis=0)
    np.testing.assert_allclose(p_geo, softmax(logs, axis=1), rtol=1e-6)


def test_one_member_weighted_alone_gives_its_probabilities(blobs):
    X, y = blobs
    vote = GeometricVotingClassifier(_members(), weights=[0, 1]).fit(X, y)
    np.testing.assert_allclose(vote.predict_proba(X), vote.named_estimators_["nb"].predict_proba(X),
                               rtol=1e-6, atol=1e-12)
    vote.set_params(lr="drop").fit(X, y)
    assert len(vote.estimators_) == 1
    np.testing.assert_allclose(vote.predict_proba(X), vote.estimators_[0].predict_proba(X),
                               rtol=1e-6, atol=1e-12)


def test_a_zero_probability_does_not_give_nan():
    X = np.array([[0.0], [0.1], [10.0], [10.1]])
    y = ["a", "a", "b", "b"]
    vote = GeometricVotingClassifier([("nb", GaussianNB(var_smoothing=1e-12)),
                                      ("lr", LogisticRegression())]).fit(X, y)
    proba = vote.predict_proba([[0.0], [10.0], [1e6]])
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert vote.predict([[0.0], [10.0]]).tolist() == ["a", "b"]


def test_params_have_no_voting_switch(blobs):
    params = GeometricVotingClassifier(_members()).get_params(deep=False)
    assert set(params) == {"estimators", "weights", "n_jobs", "verbose"}
    with pytest.raises(ValueError, match="weights"):
        GeometricVotingClassifier(_members(), weights=[1, 2, 3]).fit(*blobs)


@pytest.mark.parametrize("weights", [(0, 0), (1, -1), (1, np.nan), (1, np.inf), ("a", "b")])
def test_weights_that_cannot_vote_are_refused(blobs, weights):
    with pytest.raises(ValueError, match="weights must be finite numbers >= 0"):
        GeometricVotingClassifier(_members(), weights=weights).fit(*blobs)


def test_weights_checked_again_at_predict_time(blobs):
    X, y = blobs
    vote = GeometricVotingClassifier(_members()).fit(X, y)
    vote.set_params(weights=(0, 0))
    with pytest.raises(ValueError, match=r"not all 0 .* got \[0, 0\]"):
        vote.predict(X)
    # the one member left in has no weight: refused before fitting anything
    with pytest.raises(ValueError, match=r"got \[0\]"):
        GeometricVotingClassifier(_members(), weights=(0, 1)).set_params(nb="drop").fit(X, y)


# --- HMMClassifier(posterior_scale) --------------------------------------------------------


def _hmm_data():
    from skspeech.features import MFCC

    X, y = make_tone_commands(n_per_class=8)
    return MFCC(8000).fit_transform(X), y


def test_hmm_posterior_scale_softens_probabilities_not_decisions():
    pytest.importorskip("hmmlearn")
    from skspeech.models import HMMClassifier

    frames, y = _hmm_data()
    bayes = HMMClassifier(n_states=3, random_state=0).fit(frames, y)
    scaled = HMMClassifier(n_states=3, posterior_scale=2.0, random_state=0).fit(frames, y)
    np.testing.assert_array_equal(bayes.predict(frames), scaled.predict(frames))
    ll = scaled.log_likelihood(frames)
    n_frames = np.array([len(f) for f in frames])[:, None]
    np.testing.assert_allclose(scaled.predict_proba(frames), softmax(2.0 * ll / n_frames, axis=1),
                               rtol=1e-9)
    # The log-odds shrink by scale / n_frames against Bayes' rule on whole clips.
    log_odds = np.diff(bayes.predict_log_proba(frames), axis=1)
    np.testing.assert_allclose(np.diff(scaled.predict_log_proba(frames), axis=1),
                               log_odds * 2.0 / n_frames, rtol=1e-6)
    soft = HMMClassifier(n_states=3, posterior_scale=0.05, random_state=0).fit(frames, y)
    assert soft.predict_proba(frames).max(axis=1).min() < 0.99
    with pytest.raises(ValueError, match="posterior_scale"):
        HMMClassifier(posterior_scale=0).fit(frames, y)


# --- ensemble_pipeline ---------------------------------------------------------------------


@pytest.mark.slow
def test_ensemble_pipeline_fits_predicts_words_and_round_trips(tmp_path):
    pytest.importorskip("hmmlearn")
    pytest.importorskip("scikeras")
    from skspeech.pipelines import ensemble_pipeline

    X, y = make_tone_commands(n_per_class=10, ragged=False)
    model = ensemble_pipeline(sr=8000, duration=0.5, epochs=3, random_state=0)
    tiny = dict(filters=(8,), strides=1, stem_filters=8)
    assert type(model.get_params()["kws__estimator__kws"]).__name__ == "KWS2DClassifier"
    for net in ("kws", "kws2"):
        model.set_params(**{f"{net}__estimator__kws__{k}": v for k, v in tiny.items()},
                         **{f"{net}__augmenter__n_copies": 1})
    model.set_params(hmm__estimator__hmm__n_states=3, hmm__augmenter__n_copies=1)
    model.fit(X, y)
    assert model.classes_.tolist() == ["high", "low", "mid"]
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    # members' probabilities are floored at 1e-20 before the log (no veto of -inf)
    members = np.maximum([est.predict_proba(X) for est in model.estimators_], 1e-20)
    assert len(members) == 4 and model.weights == (1.0, 1.0, 1.0, 0.5)  # hmm, 2 kws, svm
    w = np.array([1.0, 1.0, 1.0, 0.5]) / 3.5
    np.testing.assert_allclose(proba, softmax(np.tensordot(w, np.log(members), axes=1), axis=1),
                               rtol=1e-5)
    assert model.score(X, y) >= 0.9
    path = tmp_path / "ensemble.joblib"
    joblib.dump(model, path)
    np.testing.assert_array_equal(joblib.load(path).predict(X), model.predict(X))
    from skspeech import load_model, save_model

    save_model(tmp_path / "saved.joblib", model)  # rate and TensorFlow found inside the members
    loaded, meta = load_model(tmp_path / "saved.joblib", return_metadata=True)
    assert meta["sr"] == 8000 and meta["classes"] == ["high", "low", "mid"]
    from skspeech._persistence import _uses_tensorflow

    assert _uses_tensorflow(model) and not _uses_tensorflow(model.named_estimators_["hmm"])
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_ensemble_pipeline_checks_sr():
    from skspeech.pipelines import ensemble_pipeline

    with pytest.raises(ValueError, match="sr"):
        ensemble_pipeline(sr=-1)


def test_ensemble_pipeline_networks_get_their_own_seeds_and_votes():
    pytest.importorskip("hmmlearn")
    pytest.importorskip("scikeras")
    from skspeech.pipelines import ensemble_pipeline

    def seeds(model):
        return [m.get_params()["estimator__kws__random_state"] for name, m in model.estimators
                if name.startswith("kws")]

    three = ensemble_pipeline(sr=8000, n_networks=3, random_state=5)
    assert [name for name, _ in three.estimators] == ["hmm", "kws", "kws2", "kws3", "svm"]
    assert three.weights == (1.0, 1.0, 1.0, 1.0, 0.5) and seeds(three) == [5, 6, 7]
    # the waveform copies of each network are seeded like it
    assert three.get_params()["kws3__augmenter__random_state"] == 7
    # the networks alternate: 2-D, then the wider 1-D one that voted best (not kws_pipeline's
    # 64 KB default), then 2-D again
    kinds = []
    for name, member in three.estimators:
        if name.startswith("kws"):
            kws = member.estimator.named_steps["kws"]
            kinds.append(type(kws).__name__)
            if kinds[-1] == "KWSClassifier":
                assert (kws.stem_filters, tuple(kws.filters), kws.shortcut) == (64, (64,) * 4,
                                                                                 "conv")
            else:
                assert kws.get_params() == type(kws)(random_state=kws.random_state).get_params()
            assert member.augmenter.tempo is None  # kws_pipeline's tempo copies voted lower
            assert member.estimator.named_steps["cepstra"] == "passthrough"  # log-mel bands
    assert kinds == ["KWS2DClassifier", "KWSClassifier", "KWS2DClassifier"]
    one = ensemble_pipeline(sr=8000, n_networks=1, weights=(2, 1, 0))
    assert [name for name, _ in one.estimators] == ["hmm", "kws", "svm"]
    assert one.weights == (2, 1, 0) and seeds(one) == [None]
    drawn = seeds(ensemble_pipeline(sr=8000, random_state=np.random.RandomState(0)))
    assert len(set(drawn)) == 2 and all(isinstance(s, int) for s in drawn)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="n_networks must be an int >= 1"):
            ensemble_pipeline(sr=8000, n_networks=bad)
    for bad in ((1.0, 1.0, 0.5), 1, [[1.0, 1.0, 1.0, 0.5]]):
        with pytest.raises(ValueError, match=r"weights must be a sequence of 4 numbers \(the HMM, "
                                             r"each network, the SVM\)"):
            ensemble_pipeline(sr=8000, weights=bad)
    for bad in ((1.0, 1.0, 1.0, -0.5), (0, 0, 0, 0), (1.0, np.nan, 1.0, 0.5)):
        with pytest.raises(ValueError, match="weights must be finite numbers >= 0"):
            ensemble_pipeline(sr=8000, weights=bad)


def test_ensemble_pipeline_without_hmm_or_svm():
    from skspeech.pipelines import ensemble_pipeline

    nets = ensemble_pipeline(sr=8000, hmm=False, svm=False, random_state=0)
    assert [name for name, _ in nets.estimators] == ["kws", "kws2"] and nets.weights == (1.0, 1.0)
    no_svm = ensemble_pipeline(sr=8000, svm=False, weights=(2, 1, 1), random_state=0)
    assert [name for name, _ in no_svm.estimators] == ["hmm", "kws", "kws2"]
    assert no_svm.weights == (2.0, 1.0, 1.0)
    with pytest.raises(ValueError, match=r"2 numbers \(each network\)"):
        ensemble_pipeline(sr=8000, hmm=False, svm=False, weights=(1, 1, 1))
    with pytest.raises(ValueError, match="hmm must be True"):
        ensemble_pipeline(sr=8000, hmm="no")
