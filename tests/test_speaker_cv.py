"""speaker_cv and speaker_cv_score: every test speaker unseen in training."""

import numpy as np
import pytest
from conftest import make_tone_commands
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from sklearn.neighbors import KNeighborsClassifier

from skspeech.model_selection import speaker_cv, speaker_cv_score
from skspeech.pipelines import svm_pipeline


class _RecordSpeakers(ClassifierMixin, BaseEstimator):
    """Remembers which clips (by their first value) it was trained on."""

    def fit(self, X, y):
        self.seen_ = {float(np.asarray(x).ravel()[0]) for x in X}
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_speaker_cv_splitters():
    assert isinstance(speaker_cv(["a", "b", "c"]), LeaveOneGroupOut)
    cv = speaker_cv(["a", "b", "c", "d"], n_splits=2)
    assert isinstance(cv, GroupKFold) and cv.n_splits == 2


@pytest.mark.parametrize("speakers, n_splits, match", [
    (["a", "a"], None, "at least 2"),
    (["a", "b"], 3, "n_splits=3 folds need at least 3 speakers"),
    (["a", "b"], 1, "n_splits must be None"),
    (None, None, "speakers is None: pass the speaker id of each clip"),
    (["a", None, "b"], None, r"no id for 1 clip\(s\) \(None or NaN\), at index 1"),
    ([1.0, np.nan, 2.0], None, "at index 1"),
    ([["a", "b"], ["c", "d"]], None, r"1-D array .* shape \(2, 2\)"),
])
def test_speaker_cv_errors(speakers, n_splits, match):
    with pytest.raises(ValueError, match=match):
        speaker_cv(speakers, n_splits)


def test_no_speaker_on_both_sides(rng):
    # Clip i's first value is i: the training set of each fold is known exactly.
    X = [np.r_[float(i), rng.standard_normal(5)] for i in range(30)]
    y = np.tile(["a", "b"], 15)
    speakers = np.repeat(["s1", "s2", "s3", "s4", "s5"], 6)
    res = speaker_cv_score(_RecordSpeakers(), X, y, speakers, return_estimator=True)
    assert [s.tolist() for s in res.test_speakers] == [[s] for s in ["s1", "s2", "s3", "s4",
                                                                     "s5"]]
    for held_out, est in zip(res.test_speakers, res.estimators):
        trained_on = set(speakers[sorted(int(v) for v in est.seen_)])
        assert held_out[0] not in trained_on
        assert trained_on == set(speakers) - {held_out[0]}
    assert res.fit_time.shape == (5,) and np.all(res.fit_time >= 0)
    # predicts "a" always: half of each speaker's clips
    np.testing.assert_allclose(res.accuracy, 0.5)
    assert res.mean == pytest.approx(0.5) and res.std == pytest.approx(0.0)


def test_group_kfold_folds_partition_speakers():
    X = np.arange(24, dtype=float)[:, None]
    y = np.tile(["a", "b"], 12)
    speakers = np.repeat(list("abcdef"), 4)
    res = speaker_cv_score(KNeighborsClassifier(1), X, y, speakers, n_splits=3)
    held = np.concatenate(res.test_speakers)
    assert sorted(held.tolist()) == list("abcdef")
    assert len(res.accuracy) == 3


def test_speaker_dependent_feature_is_caught():
    # The label is readable only through a speaker-specific offset: a model that
    # memorises speakers scores perfectly on seen speakers and at chance on unseen ones.
    rng = np.random.default_rng(0)
    speakers = np.repeat(np.arange(4), 20)
    y = np.tile(["a", "b"], 40)
    code = {(s, lab): rng.uniform(0, 100) for s in range(4) for lab in "ab"}
    X = np.array([[code[s, lab] + 0.01 * rng.standard_normal()]
                  for s, lab in zip(speakers, y)])
    res = speaker_cv_score(KNeighborsClassifier(1), X, y, speakers)
    assert res.mean < 0.9


def test_pipeline_on_ragged_clips():
    X, y = make_tone_commands(n_per_class=8)
    speakers = np.tile(["ann", "bob", "cy", "dan"], len(y) // 4)
    res = speaker_cv_score(svm_pipeline(sr=8000, probability=False), X, y, speakers)
    assert len(res.accuracy) == 4
    assert res.mean >= 0.9


def test_speaker_cv_score_without_speakers_says_so():
    with pytest.raises(ValueError, match="speakers is None"):
        speaker_cv_score(KNeighborsClassifier(1), np.zeros((4, 2)), ["a", "b"] * 2, None)


def test_inconsistent_lengths():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        speaker_cv_score(KNeighborsClassifier(1), np.zeros((4, 2)), ["a", "b"] * 2,
                         ["s1", "s2", "s3"])
