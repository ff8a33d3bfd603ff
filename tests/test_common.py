"""Every public estimator against scikit-learn's estimator checks."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skspeech.utils._test_common import expected_failed_checks
from skspeech.utils._test_common import tested_instances as _tested_instances


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@parametrize_with_checks(list(_tested_instances()), expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)
