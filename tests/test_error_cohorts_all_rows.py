import numpy as np
import polars as pl

from pipelines.error_analysis.cohorts import cohort_expression


def test_a_rule_without_conditions_covers_every_row() -> None:
    frame = pl.DataFrame({"x": [1, 2, 3, 4], "e": [0.0, 0.0, 1.0, 0.0]})
    assert frame.filter(cohort_expression([])).height == 4
    assert np.isclose(frame.filter(cohort_expression([])).get_column("e").sum(), 1.0)


def test_a_zero_rate_interval_starts_at_zero() -> None:
    from pipelines.error_analysis.binning import interval

    low, _ = interval(np.array([0.0]), np.array([0.0]), np.array([69]), rate=True, z=1.96)
    assert low[0] == 0.0
