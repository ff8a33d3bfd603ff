"""Every public estimator against scikit-learn's estimator checks.

The Keras classifiers' checks train a network each (a few hundred fits): they
are in the slow run (``pytest -m slow``), the others in the quick one.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skspeech.utils import is_keras_classifier
from skspeech.utils._test_common import expected_failed_checks
from skspeech.utils._test_common import tested_instances as _tested_instances

_INSTANCES = list(_tested_instances())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@parametrize_with_checks([est for est in _INSTANCES if not is_keras_classifier(est)],
                         expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@parametrize_with_checks([est for est in _INSTANCES if is_keras_classifier(est)],
                         expected_failed_checks=expected_failed_checks)
def test_keras_classifiers_sklearn_compatible(estimator, check):
    check(estimator)
