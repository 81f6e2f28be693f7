"""Golden files: the ingest, validation and profile reports of the bundled data, key by key.

A change to any report shows up here as a list of keys that moved. Refresh after an intended
change with `make golden` and review `git diff tests/golden`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from flows.ingest_outputs import ingest_json
from flows.profile_outputs import source_facts
from pipelines.ingest import IngestResult, ingest
from pipelines.profile import ProfileOptions, profile
from pipelines.task import TaskSpec
from pipelines.validate import ValidateOptions, ValidationPolicy, validate
from tests.support.golden import check_golden, golden_diff

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "data" / "real"
DATASETS = {
    "penguins": (REAL / "penguins_raw.csv", "species"),
    "ames": (REAL / "ames_house_prices.csv", "SalePrice"),
    "compas": (REAL / "compas_two_years.csv", "two_year_recid"),
}


@cache
def _ingested(name: str) -> IngestResult:
    return ingest(DATASETS[name][0])


def _relative(text: str) -> str:
    return text.replace(str(ROOT) + "/", "")


def _ingest_payload(name: str) -> dict[str, object]:
    payload = ingest_json(_ingested(name).report)
    payload["source"] = _relative(str(payload["source"]))
    payload["files"] = [_relative(str(f)) for f in payload["files"]]  # type: ignore[attr-defined]
    return payload


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_ingest_report_matches_golden(name: str, update_golden: bool) -> None:
    check_golden(f"ingest_{name}", _ingest_payload(name), update=update_golden)


def test_validation_report_matches_golden(update_golden: bool) -> None:
    policy = ValidationPolicy(max_invalid_fraction=1.0)
    report = validate(
        _ingested("penguins").data,
        schema="schemas.penguins:PenguinsClean",
        options=ValidateOptions(policy=policy),
    ).report
    check_golden("validation_penguins", report.to_json_dict(), update=update_golden)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_profile_report_matches_golden(name: str, update_golden: bool) -> None:
    result = _ingested(name)
    report = profile(
        result.data,
        task=TaskSpec(target=DATASETS[name][1]),  # the name as in the file: resolved
        options=ProfileOptions(title=f"{name} golden", latest_plausible_date="2030-01-01"),
        repairs={c.name: c.repairs for c in result.report.columns},
        source=source_facts(result.report),
    ).report
    payload = report.to_json_dict()
    payload["ingest"]["source"] = _relative(payload["ingest"]["source"])  # type: ignore[index]
    check_golden(f"profile_{name}", payload, update=update_golden)


def test_same_data_gives_byte_identical_reports() -> None:
    path = DATASETS["penguins"][0]
    first, second = ingest(path).report, ingest(path).report
    assert first.model_dump_json() == second.model_dump_json()
    assert profile(ingest(path).data).report.model_dump_json() == (
        profile(ingest(path).data).report.model_dump_json()
    )


def test_golden_diff_names_every_moved_key() -> None:
    old = {"rows": 3, "columns": [{"name": "a", "nulls": 0}], "gone": 1}
    new = {"rows": 4, "columns": [{"name": "a", "nulls": 1}, {"name": "b"}]}
    assert golden_diff(old, new) == [
        "~ columns[0].nulls: 0 -> 1",
        "+ columns[1].name: 'b'",
        "- gone: 1",
        "~ rows: 3 -> 4",
    ]
    assert golden_diff(old, old) == []
