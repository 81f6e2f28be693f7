"""EDA report: escaping, size, offline rendering in Chromium, CLI and Prefect task outputs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest

from flows.cli import main
from flows.profile_outputs import run_profile
from pipelines.profile import Profile, profile
from pipelines.task import TaskSpec
from reports.eda import render_eda_html, render_eda_markdown
from reports.html import code_spans, json_for_script
from tests.support.browser import open_report

REAL = Path(__file__).parent / "data" / "real"
EVIL_NAME = '"><img src=x onerror=alert(1)>'
EVIL_VALUE = "<script>alert('x')</script>"


def _screenshot_dir(tmp_path: Path) -> Path:
    return Path(os.environ.get("THRESHER_SCREENSHOT_DIR", tmp_path))


@pytest.fixture(scope="module")
def evil_profile() -> Profile:
    frame = pl.DataFrame({
        EVIL_NAME: [EVIL_VALUE, "</script><b>x</b>", EVIL_VALUE, "a & b"] * 10,
        "<script>": [1.0, 2.0, 3.0, None] * 10,
        "plain": ["x", "y", "x", "y"] * 10,
    })
    return profile(frame, task=TaskSpec(target="plain")).report


def test_json_island_escapes_markup() -> None:
    text = json_for_script({"k": "</script><!-- & >"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"k": "</script><!-- & >"}


def test_code_spans_escape_inside_and_outside_backticks() -> None:
    html = str(code_spans("`<b>` is <i>bad</i> `x`"))
    assert html == "<code>&lt;b&gt;</code> is &lt;i&gt;bad&lt;/i&gt; <code>x</code>"


def test_html_escapes_names_and_values(evil_profile: Profile) -> None:
    html = render_eda_html(evil_profile)
    assert "<img src=x" not in html
    assert "<script>alert" not in html
    assert "</script><b>" not in html
    assert html.count("<script") == 3  # data island, Chart.js, our script


def test_markdown_summary_lists_alerts(evil_profile: Profile) -> None:
    text = render_eda_markdown(evil_profile)
    assert text.startswith("# EDA profile")
    assert "## Alerts" in text and "Target `plain`" in text


@pytest.mark.browser
def test_escaped_report_runs_clean_in_chromium(evil_profile: Profile, tmp_path: Path) -> None:
    page = tmp_path / "evil.html"
    page.write_text(render_eda_html(evil_profile), encoding="utf-8")
    check = open_report(page, _screenshot_dir(tmp_path) / "eda_escaping.png")
    assert check.page_errors == [] and check.console_errors == []
    assert check.external_requests == []
    assert EVIL_NAME in check.body_text  # shown as text, not markup


@pytest.fixture(scope="module")
def penguins_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("eda_penguins")
    code = main([
        "profile", str(REAL / "penguins_raw.csv"), "--target", "species", "--out", str(out),
    ])
    assert code == 0
    return out


def test_cli_writes_html_json_and_markdown(penguins_outputs: Path) -> None:
    data = json.loads((penguins_outputs / "eda.json").read_text(encoding="utf-8"))
    assert {"columns", "alerts"} <= data.keys()
    assert data["alerts"], "penguins raise alerts (constant region, repeated ids...)"
    assert all({"kind", "column", "message"} <= a.keys() for a in data["alerts"])
    assert (penguins_outputs / "eda.md").read_text(encoding="utf-8").startswith("# EDA")
    size = (penguins_outputs / "eda.html").stat().st_size
    assert size < 2 * 1024 * 1024, size


def test_penguins_alerts_match_the_data_readme(penguins_outputs: Path) -> None:
    p = Profile.model_validate_json((penguins_outputs / "eda.json").read_text(encoding="utf-8"))
    found = {(a.kind, a.column) for a in p.alerts}
    assert ("constant", "region") in found and ("constant", "stage") in found
    assert ("repeated_ids", "individual_id") in found
    assert ("category_variants", "species") in found
    assert p.target is not None and p.target.task == "classification"
    assert any(c.repairs for c in p.columns)  # ingest repairs are shown per column


@pytest.mark.browser
def test_penguins_report_renders_offline(penguins_outputs: Path, tmp_path: Path) -> None:
    check = open_report(
        penguins_outputs / "eda.html", _screenshot_dir(tmp_path) / "eda_penguins.png",
        wait_selector="#heat",
    )
    assert check.page_errors == [] and check.console_errors == []
    assert check.external_requests == []
    assert "Alerts" in check.body_text and "individual_id" in check.body_text


def test_compas_duplicates_and_leakage(tmp_path: Path) -> None:
    from pipelines.ingest import ingest

    result = ingest(REAL / "compas_two_years.csv")
    outputs = run_profile(
        result.data,
        tmp_path,
        task=TaskSpec(target="two_year_recid"),
        ingest_report=result.report,
    )
    alerts = outputs.report.alerts
    duplicated = {c for a in alerts if a.kind == "duplicate_columns" for c in a.columns}
    assert {"decile_score", "decile_score_2", "priors_count", "priors_count_2"} <= duplicated
    leaks = {a.column for a in alerts if a.kind == "target_leakage"}
    assert "is_recid" in leaks
    constants = {a.column for a in alerts if a.kind == "constant"}
    assert {"violent_recid", "type_of_assessment", "v_type_of_assessment"} <= constants
    assert any(a.kind == "structural_missing" for a in alerts)
    assert (tmp_path / "eda.html").stat().st_size < 2 * 1024 * 1024


def test_reference_compare_from_saved_json(penguins_outputs: Path, tmp_path: Path) -> None:
    code = main([
        "profile", str(REAL / "penguins_raw.csv"), "--reference",
        str(penguins_outputs / "eda.json"), "--out", str(tmp_path),
    ])
    assert code == 0
    p = Profile.model_validate_json((tmp_path / "eda.json").read_text(encoding="utf-8"))
    assert p.drift is not None and p.drift.verdict == "no drift"


def test_cli_unknown_target_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["profile", str(REAL / "penguins_raw.csv"), "--target", "Speceis"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "target column `Speceis` is not a column of the data" in err
    assert "did you mean `Species`" in err


def test_cli_target_by_its_name_in_the_file(tmp_path: Path) -> None:
    """Regression: `--target Survived` failed because ingest had renamed it `survived`."""
    passengers = tmp_path / "passengers.csv"
    rows = [f"{i},{i % 2},{20 + i % 40},{'male' if i % 3 else 'female'}" for i in range(60)]
    passengers.write_text("PassengerId,Survived,Age,Sex\n" + "\n".join(rows) + "\n")
    out = tmp_path / "eda"
    assert main(["profile", str(passengers), "--target", "Survived", "--out", str(out)]) == 0
    report = Profile.model_validate_json((out / "eda.json").read_text(encoding="utf-8"))
    assert report.target is not None and report.target.column == "survived"
    assert report.column("survived").original_name == "Survived"
    assert report.column("age").original_name == "Age"
    assert 'title="survived (Survived)"' in (out / "eda.html").read_text(encoding="utf-8")


def test_profile_task_fn_writes_outputs(tmp_path: Path) -> None:
    from flows.tasks import profile_task

    frame = pl.DataFrame({"a": [1, 2, 3, 4] * 5, "b": ["x", "y", "x", "x"] * 5})
    frame.write_parquet(tmp_path / "data.parquet")
    done = profile_task.fn(tmp_path / "data.parquet", tmp_path, task=TaskSpec(target="b"))
    report = json.loads((tmp_path / "profile" / "eda.json").read_text())
    assert report["dataset"]["rows"] == 20 and report["target"]["column"] == "b"
    names = {p.name for p in (tmp_path / "profile").iterdir()}
    assert names >= {"eda.html", "eda.json", "eda.md"}
    summary = done.summary
    assert summary.links == {"EDA report": "profile/eda.html"}
    assert (summary.rows_in, summary.rows_out, summary.rows_set_aside) == (20, 20, 0)


def test_flow_profile_resolves_a_config_target_given_as_in_the_file(tmp_path: Path) -> None:
    """`task.target: Species` in a config reaches profile through the ingest header mapping."""
    from pipelines.ingest import ingest

    result = ingest(REAL / "penguins_raw.csv")
    outputs = run_profile(
        result.data, tmp_path, task=TaskSpec(target="Species"), ingest_report=result.report
    )
    target = outputs.report.target
    assert target is not None and target.column == "species" and target.kind == "multiclass"
    assert outputs.report.column("culmen_length_mm").original_name == "Culmen Length (mm)"
