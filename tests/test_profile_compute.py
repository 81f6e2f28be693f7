"""The profile stage on small literal frames: alerts, streaming equivalence, drift, JSON."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from pipelines.profile import Profile, ProfileOptions, TargetNotFoundError, profile
from pipelines.profile.errors import ProfileError
from pipelines.task import TaskSpec


def _messy(rows: int = 200) -> pl.DataFrame:
    answers = ["Yes", "yes ", "Yes.", "No"]
    return pl.DataFrame({
        "id": list(range(rows)),
        "customer_id": [i // 2 for i in range(rows)],
        "const": ["same"] * rows,
        "answer": [answers[i % 4] for i in range(rows)],
        "amount": [float(i % 10) for i in range(rows)],
        "amount_copy": [float(i % 10) for i in range(rows)],
        "spiky": [0.0] * (rows - 5) + [1e6, 2e6, 3e6, 4e6, 5e6],
        "mostly_empty": [None if i % 10 else 1.0 for i in range(rows)],
        "code": [str(i % 30) if i % 3 else f"x{i % 7}" for i in range(rows)],
        "born": [dt.date(1850, 1, 1) if i == 0 else dt.date(1990, 1, 1 + i % 28)
                 for i in range(rows)],
        "label": ["a" if i % 20 else "b" for i in range(rows)],
        "leak": ["a" if i % 20 else "b" for i in range(rows)],
    })


@pytest.fixture(scope="module")
def messy_profile() -> Profile:
    return profile(_messy(), task=TaskSpec(target="label")).report


def _kinds(p: Profile, column: str) -> set[str]:
    return {a.kind for a in p.alerts if column in a.columns or a.column == column}


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("const", "constant"),
        ("id", "unique"),
        ("customer_id", "repeated_ids"),
        ("answer", "category_variants"),
        ("amount_copy", "duplicate_columns"),
        ("spiky", "skewed"),
        ("mostly_empty", "high_missing"),
        ("code", "mixed_types"),
        ("born", "impossible_dates"),
        ("leak", "target_leakage"),
        ("label", "target_imbalance"),
    ],
    ids=lambda v: str(v),
)
def test_alerts_catch_each_problem(messy_profile: Profile, column: str, kind: str) -> None:
    assert kind in _kinds(messy_profile, column)


def test_every_alert_has_kind_column_and_message(messy_profile: Profile) -> None:
    assert len(messy_profile.alerts) >= 11  # one per planted problem at least: never vacuous
    for alert in messy_profile.alerts:
        assert alert.kind and alert.message.endswith(".")
        assert ":" in alert.message  # "what it means: what to do"


def test_column_statistics_on_literal_frame(messy_profile: Profile) -> None:
    amount = messy_profile.column("amount")
    assert amount.semantic_type == "numeric"
    assert amount.count == 200 and amount.nulls == 0 and amount.distinct == 10
    assert amount.numeric is not None
    assert amount.numeric.minimum == 0 and amount.numeric.maximum == 9
    assert amount.numeric.mean == pytest.approx(4.5)
    assert amount.numeric.zeros == 20
    assert sum(amount.numeric.histogram.counts) == 200  # type: ignore[union-attr]
    assert messy_profile.column("id").monotonic == "increasing"
    assert messy_profile.column("answer").top_values[0].count == 50
    assert messy_profile.column("born").minimum_label == "1850-01-01"
    assert messy_profile.dataset.duplicate_rows == 0


def test_profile_round_trips_through_json(messy_profile: Profile) -> None:
    text = json.dumps(messy_profile.to_json_dict(), allow_nan=False)
    loaded = Profile.model_validate_json(text)
    assert loaded == messy_profile
    raw = json.loads(text)
    assert {"columns", "alerts"} <= raw.keys()
    assert raw["alerts"], "the messy frame must raise alerts, or this check proves nothing"
    assert all({"kind", "column", "message"} <= a.keys() for a in raw["alerts"])


def test_profile_is_deterministic() -> None:
    frame = _messy()
    task = TaskSpec(target="label")
    assert profile(frame, task=task).report == profile(frame, task=task).report


def test_streaming_batches_match_in_memory() -> None:
    frame = _messy(5_000).with_columns(pl.col("amount") * pl.col("id"))
    whole = profile(frame).report
    streamed = profile(frame.lazy(), options=ProfileOptions(batch_rows=700)).report
    assert streamed.dataset.batches > 1 and streamed.dataset.streamed
    for a, b in zip(whole.columns, streamed.columns, strict=True):
        assert (a.name, a.count, a.nulls) == (b.name, b.count, b.nulls)
        if a.numeric is not None and b.numeric is not None:
            assert a.numeric.minimum == b.numeric.minimum
            assert a.numeric.maximum == b.numeric.maximum
            assert b.numeric.mean == pytest.approx(a.numeric.mean, rel=1e-6)
            assert b.numeric.std == pytest.approx(a.numeric.std, rel=1e-6)
            assert b.numeric.histogram.counts == a.numeric.histogram.counts  # type: ignore[union-attr]
    assert streamed.dataset.duplicate_rows == whole.dataset.duplicate_rows
    kinds = {a.kind for a in whole.alerts}
    assert {"unique", "constant", "category_variants"} <= kinds  # the comparison is not vacuous
    assert {a.kind for a in streamed.alerts} == kinds


def test_duplicate_rows_and_co_missing_groups() -> None:
    frame = pl.DataFrame({
        "a": [1, 1, 2, 3, None, None],
        "b": ["x", "x", "y", "z", None, None],
        "c": [1.0, 1.0, 2.0, 3.0, 4.0, 5.0],
    })
    p = profile(frame).report
    assert p.dataset.duplicate_rows == 1
    assert any(a.kind == "structural_missing" and set(a.columns) == {"a", "b"} for a in p.alerts)
    assert p.missingness.patterns[0].columns == ["a", "b"]


def test_drift_detects_shift_and_not_sameness() -> None:
    base = pl.DataFrame({"x": [float(i % 100) for i in range(2_000)],
                         "c": ["a" if i % 2 else "b" for i in range(2_000)]})
    shifted = base.with_columns(pl.col("x") + 40, pl.lit("a").alias("c"))
    same = profile(base, reference=base).report
    assert same.drift is not None and same.drift.verdict == "no drift"
    moved = profile(shifted, reference=profile(base).report).report
    assert moved.drift is not None and set(moved.drift.drifted) == {"x", "c"}
    assert moved.drift.verdict == "drift"
    assert any(a.kind == "drift" for a in moved.alerts)


def test_missing_target_names_the_column() -> None:
    with pytest.raises(
        TargetNotFoundError, match=r"target column `Lable` is not a column .* mean `label`\?"
    ):
        profile(_messy(), task=TaskSpec(target="Lable"))


def test_reference_without_shared_columns_is_an_error() -> None:
    with pytest.raises(ProfileError, match="shares no column"):
        profile(pl.DataFrame({"a": [1, 2]}), reference=pl.DataFrame({"b": [1, 2]}))


def test_empty_and_all_null_frames() -> None:
    empty = pl.DataFrame({"a": pl.Series([], dtype=pl.Int64), "b": pl.Series([], dtype=pl.String)})
    p = profile(empty).report
    assert p.dataset.rows == 0
    nulls = profile(pl.DataFrame({"a": [None, None]}, schema={"a": pl.Float64})).report
    assert nulls.alerts[0].kind == "constant"


def test_counted_and_scanned_histograms_agree() -> None:
    frame = pl.DataFrame({
        "x": [float(i % 37) * 1.7 - 5 for i in range(3_000)],
        "d": [dt.date(2020, 1, 1) + dt.timedelta(days=i % 300) for i in range(3_000)],
    })
    counted = profile(frame).report  # few distinct values: counts come from value counts
    scanned = profile(frame, options=ProfileOptions(tracked_values=10)).report  # forces the scan
    for name in ("x", "d"):
        a, b = counted.column(name).numeric, scanned.column(name).numeric
        assert a is not None and b is not None
        assert a.histogram == b.histogram
        assert (a.outliers_iqr, a.outliers_mad) == (b.outliers_iqr, b.outliers_mad)
        assert a.quantiles == b.quantiles


def test_unusual_dtypes_do_not_break_the_profile() -> None:
    rows = 40
    frame = pl.DataFrame({
        "cat": pl.Series(["a", "b"] * (rows // 2), dtype=pl.Categorical),
        "enum": pl.Series(["x", "y"] * (rows // 2), dtype=pl.Enum(["x", "y"])),
        "flag": [True, False, None, True] * (rows // 4),
        "wait": pl.Series([dt.timedelta(seconds=i) for i in range(rows)]),
        "when": [dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i)
                 for i in range(rows)],
        "clock": [dt.time(i % 24) for i in range(rows)],
        "items": [[i, i + 1] for i in range(rows)],
        "small": pl.Series(list(range(rows)), dtype=pl.Int8),
        "f32": pl.Series([float(i) / 3 for i in range(rows)], dtype=pl.Float32),
    })
    p = profile(frame.lazy(), options=ProfileOptions(batch_rows=15)).report
    types = {c.name: c.semantic_type for c in p.columns}
    assert types["flag"] == "boolean" and types["items"] == "other"
    assert types["cat"] == "categorical" and types["when"] == "datetime"
    Profile.model_validate_json(json.dumps(p.to_json_dict()))


def test_target_kind_comes_from_resolve_task_and_says_why() -> None:
    frame = pl.DataFrame({"grade": [1, 2, 3, 1, 2, 3] * 10, "x": list(range(60))})
    auto = profile(frame, task=TaskSpec(target="grade")).report.target
    assert auto is not None and auto.kind == "multiclass" and auto.task == "classification"
    assert auto.decided == (
        "task kind `multiclass` chosen for target `grade` because it has 3 distinct integer values."
    )
    forced = profile(frame, task=TaskSpec(target="grade", kind="regression")).report.target
    assert forced is not None and forced.kind == "regression" and forced.task == "regression"
    assert forced.classes == []


def test_a_target_no_task_fits_is_still_profiled() -> None:
    frame = pl.DataFrame({"same": ["a"] * 20, "x": list(range(20))})
    target = profile(frame, task=TaskSpec(target="same")).report.target
    assert target is not None and target.kind is None
    assert target.decided is not None and "could not be decided" in target.decided
    assert "1 distinct non-null value" in target.decided
