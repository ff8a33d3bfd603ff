"""skspeech._inspection: the one helper that finds the parts of a model (no TensorFlow needed)."""

import numpy as np
import pytest
from conftest import make_tone_commands
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from skspeech._inspection import (
    augmenters,
    chains,
    classifiers,
    histories,
    is_keras_classifier,
    model_sr,
    rate_source,
    split_model,
    steps,
    unwrap,
)
from skspeech.augment import AugmentedClassifier, WaveAugmenter
from skspeech.models import GeometricVotingClassifier
from skspeech.pipelines import hmm_pipeline, svm_pipeline


def _names(chain):
    return [name for name, _ in chain]


def test_paths_through_wrappers_and_ensembles():
    svm = svm_pipeline(sr=8000, probability=True)
    assert _names(chains(svm)[0]) == ["guard", "mfcc", "deltas", "stats", "scale", "svc"]
    wrapped = AugmentedClassifier(svm, WaveAugmenter(sr=8000))
    assert _names(chains(wrapped)[0])[:2] == ["estimator__guard", "estimator__mfcc"]
    assert unwrap(wrapped) is svm and unwrap(svm) is svm
    vote = GeometricVotingClassifier([("hmm", hmm_pipeline(sr=8000)), ("svm", wrapped),
                                      ("off", "drop")])
    found = chains(vote)
    assert len(found) == 2  # the dropped member is left out
    assert found[0][0][0] == "hmm__estimator__guard"  # hmm_pipeline wraps its Pipeline
    assert [name for name, _ in classifiers(vote)] == ["hmm__estimator__hmm",
                                                       "svm__estimator__svc"]
    assert len(steps(vote)) == sum(len(c) for c in found)
    assert augmenters(vote) == [vote.estimators[0][1].augmenter, wrapped.augmenter]
    assert augmenters(svm) == []
    # a search: its estimator before fit
    search = GridSearchCV(svm, {"svc__estimator__C": [1.0]})
    assert classifiers(search)[0][0] == "estimator__svc"
    # a bare estimator is one chain of one step, named ""
    lr = LogisticRegression()
    assert chains(lr) == [[("", lr)]] and split_model(lr) == (None, lr)


def test_fitted_wrappers_give_their_fitted_parts():
    X, y = make_tone_commands(n_per_class=6, sr=8000)
    model = AugmentedClassifier(svm_pipeline(sr=8000, probability=False),
                                WaveAugmenter(sr=8000, n_copies=1, random_state=0)).fit(X, y)
    assert unwrap(model) is model.estimator_
    front, clf = split_model(model)
    assert clf is model.estimator_.named_steps["svc"]
    assert [name for name, _ in front.steps] == [name for name, _ in model.estimator_.steps[:-1]]
    assert type(front) is type(model.estimator_)  # pipeline[:-1]: the recipe's own class
    np.testing.assert_allclose(clf.decision_function(front.transform(X[:3])),
                               model.decision_function(X[:3]))
    search = GridSearchCV(model, {"estimator__svc__C": [1.0]}, cv=2).fit(X, y)
    assert split_model(search)[1] is search.best_estimator_.estimator_.named_steps["svc"]


def test_split_model_flattens_nested_pipelines_and_refuses_ensembles():
    inner = Pipeline([("f", FunctionTransformer()), ("lr", LogisticRegression())])
    outer = Pipeline([("g", FunctionTransformer()), ("model", inner)])
    front, clf = split_model(outer)
    assert clf is inner.named_steps["lr"]
    assert [name for name, _ in front.steps] == ["g", "f"]
    assert _names(chains(outer)[0]) == ["g", "model__f", "model__lr"]
    vote = GeometricVotingClassifier([("a", LogisticRegression()), ("b", LogisticRegression())])
    with pytest.raises(ValueError, match=r"voting ensemble of 2 members \(\['a', 'b'\]\).*"
                                         r"named_estimators_\['a'\]"):
        split_model(vote)


def test_rate_source_names_the_parameter_and_checks_members():
    assert rate_source(svm_pipeline(sr=8000)) == (8000, "guard__sr")
    assert rate_source(AugmentedClassifier(svm_pipeline(sr=16000, target_sr=8000))) == (
        16000, "estimator__guard__sr")
    unguarded = svm_pipeline(sr=16000, target_sr=8000).set_params(guard="passthrough")
    assert rate_source(unguarded) == (16000, "resample__orig_sr")
    assert rate_source(LogisticRegression()) is None and model_sr(LogisticRegression()) is None
    vote = GeometricVotingClassifier([("hmm", hmm_pipeline(sr=8000)),
                                      ("svm", svm_pipeline(sr=16000))])
    with pytest.raises(ValueError, match=r"different sample rates: 8000 Hz "
                                         r"\('hmm__estimator__guard'\) and 16000 Hz "
                                         r"\('svm__guard'\)"):
        model_sr(vote)
    assert model_sr(vote.set_params(svm=svm_pipeline(sr=8000))) == 8000


def test_keras_classifiers_and_histories_by_duck_type():
    from types import SimpleNamespace

    net = SimpleNamespace(history_={"loss": [1.0]})
    assert histories(net) == [("", net)]
    assert histories(svm_pipeline(sr=8000)) == []
    assert not is_keras_classifier(LogisticRegression())
    pytest.importorskip("keras")
    from skspeech.models import Conv1DClassifier, KWS2DClassifier, KWSClassifier

    assert all(is_keras_classifier(cls()) for cls in (Conv1DClassifier, KWSClassifier,
                                                       KWS2DClassifier))
