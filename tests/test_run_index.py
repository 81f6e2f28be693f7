"""The run folder's index page: escaped, self-contained, links only to what exists."""

from __future__ import annotations

from pipelines.ingest import ColumnReport, IngestReport
from pipelines.stage import StageSummary
from reports.run_index import RunPage, render_run_index, render_run_markdown

HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def _report() -> IngestReport:
    column = ColumnReport(
        name="x",
        original_name=HOSTILE,
        dtype="Int64",
        null_count=1,
        repairs={"null_token": 1},
        notes=[HOSTILE],
    )
    return IngestReport(
        source=HOSTILE,
        format="csv",
        rows_read=3,
        rows_ok=2,
        rows_quarantined=1,
        quarantine_reasons={"too_many_fields": 1},
        columns=[column],
    )


def _stages() -> list[StageSummary]:
    return [
        StageSummary(
            name="ingest",
            rows_in=3,
            rows_out=2,
            rows_set_aside=1,
            headline="3 rows read.",
            links={"Ingest account (JSON)": "ingest/ingest.json"},
        ),
        StageSummary(
            name="validate",
            rows_in=2,
            rows_out=2,
            rows_set_aside=0,
            headline="passed against `Small`.",
            links={"Validation report": "validate/validation.html"},
        ),
    ]


def test_every_value_is_escaped() -> None:
    stage = StageSummary(
        name=HOSTILE, rows_in=1, rows_out=1, rows_set_aside=0, headline=HOSTILE, links={}
    )
    page = RunPage(
        name=HOSTILE, run_dir="/tmp/r", source=HOSTILE, stages=[stage], links={HOSTILE: "run.json"}
    )
    html = render_run_index(page, _report())
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "too_many_fields" in html
    assert "<script" not in html.lower()  # the page needs no script at all


def test_counts_and_links_are_shown() -> None:
    page = RunPage(name="demo", run_dir="/tmp/r", source="a.csv", stages=_stages())
    html = render_run_index(page, _report())
    assert 'href="validate/validation.html"' in html
    assert 'href="ingest/ingest.json"' in html
    assert "passed against <code>Small</code>." in html
    assert "rows unreadable (ingest quarantine)" in html


def test_a_new_stage_appears_without_template_edits() -> None:
    features = StageSummary(
        name="features",
        rows_in=2,
        rows_out=2,
        rows_set_aside=0,
        headline="12 columns encoded, 3 dropped.",
        links={"Features report": "features/features.html"},
    )
    page = RunPage(name="demo", run_dir="/tmp/r", source="a.csv", stages=[*_stages(), features])
    html = render_run_index(page, _report())
    assert "<b>features</b>" in html and "12 columns encoded, 3 dropped." in html
    assert 'href="features/features.html"' in html
    markdown = render_run_markdown(page)
    assert "| features | 2 | 2 | 0 | 12 columns encoded, 3 dropped. |" in markdown
    assert markdown.count("\n| ") == 5  # header, rule and one row per stage
