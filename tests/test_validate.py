"""Validation stage: quarantine with reasons, policy, invariants, report, CLI and offline HTML."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandera.polars as pa
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from pipelines.validate import (
    PolicyError,
    SchemaMismatchError,
    SchemaRefError,
    ValidateOptions,
    ValidationFailed,
    ValidationPolicy,
    ValidationReport,
    load_policy,
    validate,
)
from reports.validation import render_validation_html, render_validation_markdown
from schemas.penguins import PenguinsClean, PenguinsRaw

REAL = Path(__file__).parent / "data" / "real"
PENGUIN_COLUMNS = [
    "study_name", "sample_number", "species", "region", "island", "stage", "individual_id",
    "clutch_completion", "date_egg", "culmen_length_mm", "culmen_depth_mm",
    "flipper_length_mm", "body_mass_g", "sex", "delta_15_n_o_oo", "delta_13_c_o_oo", "comments",
]  # fmt: skip
LENIENT = ValidationPolicy(max_invalid_fraction=1.0)


def penguins_frame() -> pl.DataFrame:
    """penguins_raw.csv shaped like ingest's output, built with polars alone."""
    frame = pl.read_csv(REAL / "penguins_raw.csv", null_values=["NA"])
    frame.columns = PENGUIN_COLUMNS
    return frame.with_columns(
        pl.col("clutch_completion") == "Yes", pl.col("date_egg").str.to_date()
    )


class Small(pa.DataFrameModel):
    """A tiny model for unit tests."""

    id: pl.Int64 = pa.Field(unique=True)
    amount: pl.Float64 = pa.Field(ge=0, le=100, nullable=True)
    kind: str = pa.Field(isin=["a", "b"])

    class Config:
        """Coerce numbers."""

        coerce = True


def small(**columns: list) -> pl.DataFrame:
    base = {"id": [1, 2, 3, 4], "amount": [1.0, 2.0, None, 4.0], "kind": ["a", "b", "a", "b"]}
    return pl.DataFrame(base | columns)


def test_clean_frame_passes_untouched() -> None:
    frame = small()
    result = validate(frame, schema=Small)
    assert_frame_equal(result.valid, frame)
    assert result.quarantine.height == 0
    assert result.report.outcome == "passed"
    assert result.report.checks == []


def test_every_failure_of_a_row_is_kept_as_a_reason() -> None:
    frame = small(amount=[1.0, -5.0, None, 400.0], kind=["a", "zz", "a", "b"])
    result = validate(frame, schema=Small, options=ValidateOptions(policy=LENIENT))
    assert result.quarantine["_row"].to_list() == [1, 3]
    reasons = {
        (r["column"], r["check"].split("(")[0], r["value"])
        for r in result.quarantine.filter(pl.col("_row") == 1)["_reasons"][0]
    }
    assert reasons == {("amount", "greater_than_or_equal_to", "-5.0"), ("kind", "isin", "zz")}
    assert result.valid["id"].to_list() == [1, 3]
    assert "kind: isin" in result.quarantine["_reason"][0]


def test_duplicates_are_all_quarantined_with_uniqueness_reason() -> None:
    result = validate(small(id=[1, 1, 2, 3]), schema=Small, options=ValidateOptions(policy=LENIENT))
    assert result.quarantine["_row"].to_list() == [0, 1]
    assert {c.check for c in result.report.checks} == {"field_uniqueness"}


def test_coercion_failures_are_row_failures_not_lost_rows() -> None:
    frame = small(amount=["1.5", "oops", None, "3"])
    result = validate(frame, schema=Small, options=ValidateOptions(policy=LENIENT))
    assert result.valid["amount"].dtype == pl.Float64
    assert result.quarantine["_row"].to_list() == [1]
    reason = result.quarantine["_reasons"][0][0]
    assert reason["check"].startswith("coerce_dtype") and reason["value"] == "oops"


def test_schema_problems_stop_with_one_error_listing_all() -> None:
    frame = pl.DataFrame({"id": ["x", "y"], "other": [1, 2]})
    with pytest.raises(
        SchemaMismatchError,
        match=r"missing columns `amount`, `kind`; column `id` is String and no value converts",
    ):
        validate(frame, schema=Small)
    with pytest.raises(SchemaMismatchError, match=r"`id` is String and no value converts"):
        validate(pl.DataFrame({"id": ["x"], "amount": [1.0], "kind": ["a"]}), schema=Small)


def test_strict_schema_names_unexpected_columns() -> None:
    frame = penguins_frame().with_columns(pl.lit(1).alias("surprise"))
    with pytest.raises(SchemaMismatchError, match="column `surprise` is not in the schema"):
        validate(frame, schema=PenguinsClean)


def test_lazyframe_is_validated_at_full_depth() -> None:
    result = validate(
        small(kind=["a", "b", "x", "b"]).lazy(),
        schema=Small,
        options=ValidateOptions(policy=LENIENT),
    )
    assert result.report.rows_quarantined == 1


@pytest.mark.parametrize(
    ("severities", "quarantined", "warned"),
    [
        ({}, 2, 0),
        ({"kind": "warn"}, 1, 1),
        ({"isin": "warn", "amount:greater_than_or_equal_to": "warn"}, 0, 2),
    ],
    ids=["default-error", "column-warn", "check-kinds-warn"],
)
def test_severity_decides_quarantine(severities: dict, quarantined: int, warned: int) -> None:
    frame = small(amount=[1.0, -5.0, None, 4.0], kind=["a", "b", "zz", "b"])
    result = validate(
        frame,
        schema=Small,
        options=ValidateOptions(
            policy=ValidationPolicy(severities=severities, max_invalid_fraction=1)
        ),
    )
    assert result.report.rows_quarantined == quarantined
    assert result.report.rows_warned == warned
    assert result.report.rows_valid + result.report.rows_quarantined == 4


def test_policy_fail_raises_with_summary_and_result() -> None:
    frame = small(kind=["a", "x", "y", "b"])
    with pytest.raises(ValidationFailed, match=r"2 of 4 rows invalid \(50.0%\)") as caught:
        validate(
            frame,
            schema=Small,
            options=ValidateOptions(policy=ValidationPolicy(max_invalid_fraction=0.25)),
        )
    assert caught.value.exit_code == 1
    assert caught.value.result.quarantine.height == 2
    warned = validate(
        frame,
        schema=Small,
        options=ValidateOptions(
            policy=ValidationPolicy(max_invalid_fraction=0.25, on_exceed="warn")
        ),
    )
    assert warned.report.outcome == "warned"


def test_policy_file_loading(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("max_invalid_fraction: 0.2\nseverities:\n  sex: warn\n")
    assert load_policy(path) == ValidationPolicy(
        max_invalid_fraction=0.2, severities={"sex": "warn"}
    )
    path.write_text("max_invalid_fraction: 2\n")
    with pytest.raises(PolicyError, match=r"policy.yaml` is invalid: `max_invalid_fraction`"):
        load_policy(path)


def test_bad_schema_reference_names_what_to_do() -> None:
    with pytest.raises(SchemaRefError, match="must look like `module:Model`"):
        validate(small(), schema="schemas.penguins")
    with pytest.raises(SchemaRefError, match=r"cannot import module `schemas\.nothing`"):
        validate(small(), schema="schemas.nothing:Model")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            st.integers(-3, 6),
            st.one_of(st.none(), st.floats(-50, 150, allow_nan=False)),
            st.sampled_from(["a", "b", "c", ""]),
        ),
        max_size=30,
    ),
    warn_kind=st.booleans(),
)
def test_no_row_vanishes(rows: list[tuple[int, float | None, str]], warn_kind: bool) -> None:
    frame = pl.DataFrame(
        rows, schema={"id": pl.Int64, "amount": pl.Float64, "kind": pl.String}, orient="row"
    )
    policy = ValidationPolicy(
        max_invalid_fraction=1, severities={"kind": "warn"} if warn_kind else {}
    )
    result = validate(frame, schema=Small, options=ValidateOptions(policy=policy))
    report = result.report
    assert report.rows_in == frame.height == report.rows_valid + report.rows_quarantined
    restored = pl.concat([result.valid, result.quarantine.select(frame.columns)])
    assert restored.sort(pl.all()).equals(frame.sort(pl.all()))
    errors = result.failures.filter(pl.col("severity") == "error")["row"].unique().sort()
    assert result.quarantine["_row"].to_list() == errors.to_list()


def test_penguins_raw_and_clean_layers() -> None:
    frame = penguins_frame()
    raw = validate(frame, schema=PenguinsRaw)
    assert raw.report.rows_quarantined == 0
    clean = validate(frame, schema=PenguinsClean)
    assert clean.report.rows_quarantined == 11  # rows without sex or measurements
    assert {c.check for c in clean.report.checks} == {"not_nullable"}


def planted_penguins() -> pl.DataFrame:
    frame = penguins_frame()
    row = pl.int_range(pl.len())
    return frame.with_columns(
        pl.when(row == 3).then(9999.0).otherwise(pl.col("body_mass_g")).alias("body_mass_g"),
        pl.when(row == 10)
        .then(pl.lit("<script>alert(1)</script>"))
        .otherwise(pl.col("sex"))
        .alias("sex"),
        pl.when(row == 20)
        .then(pl.lit(dt.date(2030, 1, 1)))
        .otherwise(pl.col("date_egg"))
        .alias("date_egg"),
        pl.when(row == 30)
        .then(pl.lit(" N1A1"))
        .otherwise(pl.col("individual_id"))
        .alias("individual_id"),
    )


def test_planted_bad_rows_land_in_quarantine_with_reasons() -> None:
    result = validate(planted_penguins(), schema=PenguinsRaw)
    assert result.quarantine["_row"].to_list() == [3, 10, 20, 30]
    checks = [r[0]["check"] for r in result.quarantine["_reasons"].to_list()]
    assert checks[0].startswith("less_than_or_equal_to") and checks[2] == "date_in_study_period"
    assert {r["check"] for r in result.quarantine["_reasons"][3]} >= {"is_trimmed"}
    assert result.valid.height == 340


def test_report_round_trips_through_json_and_escapes_html() -> None:
    report = validate(planted_penguins(), schema=PenguinsRaw).report
    again = ValidationReport.model_validate_json(json.dumps(report.to_json_dict()))
    assert again == report
    html = render_validation_html(report)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html and "https://" not in html
    assert "| sex |" in render_validation_markdown(report)


def test_gx_translation_lists_unmapped_checks() -> None:
    from pipelines.validate.gx_adapter import expectations_from_schema

    configs, unmapped = expectations_from_schema(PenguinsRaw.to_schema())
    types = {c["type"] for c in configs}
    assert {
        "expect_column_values_to_be_between",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_match_regex",
        "expect_compound_columns_to_be_unique",
        "expect_column_values_to_not_be_null",
    } <= types
    assert "date_egg:date_in_study_period" in unmapped
    assert "comments:is_trimmed" in unmapped


def run_cli(args: list[str]) -> int:
    from flows.cli import main

    return main(args)


@pytest.mark.browser
def test_cli_end_to_end_with_gx_and_offline_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.browser import open_report

    data = tmp_path / "planted.parquet"
    planted_penguins().write_parquet(data)
    out = tmp_path / "out"
    assert (
        run_cli(
            ["validate", str(data), "--schema", "schemas.penguins:PenguinsRaw", "--out", str(out)]
        )
        == 0
    )
    payload = json.loads((out / "validation.json").read_text())
    assert {"rows_in", "rows_valid", "rows_quarantined", "checks"} <= payload.keys()
    assert (payload["rows_in"], payload["rows_valid"], payload["rows_quarantined"]) == (344, 340, 4)
    assert pl.read_parquet(out / "quarantine.parquet")["_row"].to_list() == [3, 10, 20, 30]
    assert pl.read_parquet(out / "valid.parquet").height == 340
    suites = {run["suite"]: run for run in payload["gx"]}
    assert suites["schema"]["success"] is False  # GX sees the same planted values
    assert payload["data_docs"] == "data_docs/index.html"

    shots = tmp_path / "shots"
    for page, expected in (
        (out / "validation.html", "rows quarantined"),
        (out / "data_docs" / "schema.html", "Expectation Validation Result"),
    ):
        check = open_report(page, shots / f"{page.stem}.png")
        assert check.external_requests == []
        assert check.page_errors == [] and check.console_errors == []
        assert expected in check.body_text


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "planted.parquet"
    planted_penguins().write_parquet(data)
    policy = tmp_path / "strict.yaml"
    policy.write_text("max_invalid_fraction: 0.001\n")
    args = ["validate", str(data), "--schema", "schemas.penguins:PenguinsRaw", "--no-gx"]
    assert run_cli([*args, "--policy", str(policy), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "4 of 344 rows invalid" in err
    assert (tmp_path / "o" / "quarantine.parquet").is_file()  # written before failing
    assert (
        run_cli(
            [
                "validate",
                str(tmp_path / "missing.parquet"),
                "--schema",
                "schemas.penguins:PenguinsRaw",
            ]
        )
        == 2
    )
    assert run_cli([*args[:2], "--schema", "schemas.penguins:Nope"]) == 2
    assert "has no `Nope`" in capsys.readouterr().err


def test_validate_task_writes_run_folder(tmp_path: Path) -> None:
    from flows.tasks import validate_task
    from pipelines.validate import ValidateOptions

    planted_penguins().write_parquet(tmp_path / "data.parquet")
    done = validate_task.fn(
        tmp_path / "data.parquet",
        tmp_path,
        "schemas.penguins:PenguinsRaw",
        ValidateOptions(great_expectations=False),
    )
    assert pl.read_parquet(tmp_path / "validate" / "valid.parquet").height == 340
    summary = done.summary
    assert (summary.rows_in, summary.rows_out, summary.rows_set_aside) == (344, 340, 4)
    assert summary.links == {"Validation report": "validate/validation.html"}
    assert (tmp_path / "validate" / "validation.html").is_file()
