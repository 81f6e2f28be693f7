"""The run folder's index page: escaped, self-contained, links only to what exists."""

from __future__ import annotations

from pipelines.ingest import ColumnReport, IngestReport
from reports.run_index import RunPage, render_run_index

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


def test_every_value_is_escaped() -> None:
    page = RunPage(name=HOSTILE, run_dir="/tmp/r", source=HOSTILE, links={HOSTILE: "run.json"})
    html = render_run_index(page, _report())
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "too_many_fields" in html
    assert "<script" not in html.lower()  # the page needs no script at all


def test_counts_and_links_are_shown() -> None:
    page = RunPage(
        name="demo",
        run_dir="/tmp/r",
        source="a.csv",
        rows_valid=2,
        rows_quarantined_validate=0,
        alerts=4,
        links={"EDA report": "profile/eda.html"},
    )
    html = render_run_index(page, _report())
    assert 'href="profile/eda.html"' in html
    assert "rows failing validation" in html
    assert "EDA alerts" in html
