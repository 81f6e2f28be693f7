"""The model-based leakage checks: what each catches, what it leaves alone, on real data too."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from pipelines.columns import ColumnNames
from pipelines.features import FeaturesOptions, features
from pipelines.profile import ProfileOptions, profile
from pipelines.profile.models import LeakFinding
from pipelines.task import TaskSpec, resolve_task

REAL = Path(__file__).resolve().parent / "data" / "real"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _leaks(frame: pl.DataFrame, target: str, **options: object) -> dict[str, LeakFinding]:
    report = profile(frame, task=TaskSpec(target=target), options=ProfileOptions(**options)).report
    assert report.target is not None
    return {leak.column: leak for leak in report.target.leaks}


def _classes(rows: int = 600, seed: int = 0) -> pl.DataFrame:
    """A binary target, six honest predictors of similar strength, and noise."""
    rng = np.random.default_rng(seed)
    y = rng.random(rows) < 0.4
    honest = {f"honest_{i}": rng.normal(0, 1, rows) + 0.6 * y for i in range(6)}
    return pl.DataFrame({**honest, "noise": rng.normal(0, 1, rows), "y": np.where(y, "yes", "no")})


def test_honest_columns_and_noise_are_not_flagged() -> None:
    assert _leaks(_classes(), "y") == {}


def test_a_column_filled_only_after_the_outcome_is_caught_by_presence() -> None:
    frame = _classes()
    rng = np.random.default_rng(1)
    days = rng.integers(1, 700, frame.height)
    frame = frame.with_columns(
        pl.when((pl.col("y") == "yes") & pl.Series(rng.random(frame.height) < 0.7))
        .then(pl.Series(days))
        .otherwise(None)
        .alias("days_to_reoffence")
    )
    leak = _leaks(frame, "y")["days_to_reoffence"]
    assert leak.check == "presence"
    assert leak.reason.startswith("is filled in")
    assert "have the target `yes`" in leak.reason
    assert set(_leaks(frame, "y")) == {"days_to_reoffence"}


def test_a_flag_set_only_with_one_class_is_caught() -> None:
    frame = _classes()
    rng = np.random.default_rng(2)
    set_flag = (frame["y"] == "yes").to_numpy() & (rng.random(frame.height) < 0.3)
    frame = frame.with_columns(pl.Series("violent", set_flag.astype(np.int64)))
    leak = _leaks(frame, "y")["violent"]
    assert leak.check == "presence"
    assert "its value gives the answer away" in leak.reason


def test_a_column_far_above_the_rest_is_caught() -> None:
    frame = _classes()
    rng = np.random.default_rng(3)
    y = (frame["y"] == "yes").to_numpy()
    frame = frame.with_columns(
        pl.Series("end_day", np.where(y, 100, 700) + rng.normal(0, 200, y.size))
    )
    leak = _leaks(frame, "y")["end_day"]
    assert leak.check == "above_rest"
    assert "far better than any other column" in leak.reason
    assert _leaks(frame, "y", leakage_checks=False) == {}


def _loans(rows: int = 3_000, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rate = np.round(rng.uniform(5, 30, rows), 2)
    amount = rng.integers(10, 400, rows) * 100
    term = rng.choice([36, 60], rows)
    monthly = rate / 1200
    installment = np.round(amount * monthly / (1 - (1 + monthly) ** -term), 2)
    income = rng.lognormal(11, 0.5, rows)
    return pl.DataFrame(
        {
            "loan_amount": amount,
            "term": term,
            "installment": installment,
            "annual_income": income,
            "debt_to_income": rng.uniform(0, 40, rows) + rate / 3,
            "interest_rate": rate,
        }
    )


def test_a_column_computed_from_the_target_and_two_others_is_caught_by_formula() -> None:
    leaks = _leaks(_loans(), "interest_rate")
    assert set(leaks) == {"installment"}  # not loan_amount or term: round inputs, few values
    leak = leaks["installment"]
    assert leak.check == "formula"
    assert leak.columns == ["installment", "loan_amount", "term"]
    assert leak.score > 0.995


def test_no_formula_without_the_target_in_it() -> None:
    frame = (
        _loans()
        .with_columns(  # an exact formula among inputs only: not a target leak
            (pl.col("loan_amount") / pl.col("term")).alias("principal_per_month")
        )
        .drop("installment")
    )
    assert _leaks(frame, "interest_rate") == {}


def _sklearn(name: str) -> pl.DataFrame:
    from sklearn import datasets

    frame = pl.from_pandas(getattr(datasets, f"load_{name}")(as_frame=True).frame)
    return frame.with_columns(pl.col("target").cast(pl.String)) if name != "diabetes" else frame


@pytest.mark.parametrize("name", ["breast_cancer", "wine", "diabetes"])
def test_real_tables_with_strong_honest_predictors_are_left_alone(name: str) -> None:
    # breast cancer: single measurements reach AUC 0.96 legitimately; none may be called leakage
    assert _leaks(_sklearn(name), "target") == {}


def _ingested(path: Path, target: str) -> tuple[pl.DataFrame, ColumnNames, TaskSpec]:
    from pipelines.ingest import ingest

    result = ingest(path)
    names = ColumnNames.from_header_mapping(result.data.columns, result.report.header_mapping)
    spec = TaskSpec(target=target).resolved(names)
    return result.data.filter(pl.col(spec.target).is_not_null()), names, spec


@pytest.mark.parametrize(
    ("name", "target"),
    [("penguins_raw.csv", "Species"), ("ames_house_prices.csv", "SalePrice")],
    ids=["penguins", "ames"],
)
def test_bundled_files_without_leaks_get_no_findings(name: str, target: str) -> None:
    frame, names, spec = _ingested(REAL / name, target)
    report = profile(frame, task=spec, names=names).report
    assert report.target is not None and report.target.leaks == []


def test_compas_post_outcome_columns_are_caught_and_dropped_with_reasons() -> None:
    frame, names, spec = _ingested(REAL / "compas_two_years.csv", "two_year_recid")
    report = profile(frame, task=spec, names=names).report
    assert report.target is not None
    caught = {leak.column: leak.check for leak in report.target.leaks}
    for column in ("r_jail_in", "r_jail_out", "r_days_from_arrest", "is_violent_recid", "event"):
        assert caught[column] == "presence", column
    for column in ("vr_case_number", "vr_charge_degree", "vr_offense_date", "vr_charge_desc"):
        assert caught[column] == "presence", column
    assert caught["end"] == "above_rest"
    honest = {"decile_score", "priors_count", "age", "juv_fel_count", "sex", "race", "c_jail_in"}
    assert not honest & set(caught)
    alerts = {a.column: a for a in report.alerts if a.kind == "target_leakage"}
    assert "drop it unless it is known when predicting" in alerts["end"].message
    task = resolve_task(frame, spec)
    result = features(frame, task=task, profile=report, names=names)
    decision = result.report.decision("r_jail_in")
    assert decision.action == "dropped_leakage"
    assert decision.reason.startswith("dropped as likely target leakage: it is filled in")
    assert "`features.keep: [r_jail_in]`" in decision.reason
    kept = features(
        frame, task=task, profile=report, names=names, options=FeaturesOptions(keep=("end",))
    )
    assert kept.report.decision("end").kept_by_user
    assert kept.report.decision("end").action == "numeric"


@pytest.mark.skipif(not (SHARED / "lending_club_loans.csv").exists(), reason="no shared data")
def test_lending_installment_is_a_formula_of_the_rate() -> None:
    frame, names, spec = _ingested(SHARED / "lending_club_loans.csv", "interest_rate")
    report = profile(frame, task=spec, names=names).report
    assert report.target is not None
    leaks = {leak.column: leak for leak in report.target.leaks}
    assert set(leaks) == {"installment"}
    assert leaks["installment"].columns == ["installment", "loan_amount", "term"]
