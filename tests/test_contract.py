"""The stage contract pieces: StageSummary's row invariant, inline display, atomic writers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest
from pydantic import ValidationError

from flows.files import atomic_path, write_html, write_json, write_parquet, write_text
from pipelines.stage import StageSummary, render_report_html


def test_stage_summary_accounts_for_every_row() -> None:
    summary = StageSummary(name="ingest", rows_in=5, rows_out=4, rows_set_aside=1, headline="ok")
    assert summary.model_dump()["links"] == {}
    with pytest.raises(ValidationError, match="must account for every row"):
        StageSummary(name="ingest", rows_in=5, rows_out=3, rows_set_aside=1, headline="lost one")


def test_results_render_inline_once_reports_is_imported() -> None:
    import reports
    from pipelines.profile import ProfileResult, profile

    result = profile(pl.DataFrame({"a": [1, 2, 3, 4], "b": ["x", "y", "x", "y"]}))
    assert isinstance(result, ProfileResult)
    html = result._repr_html_()
    assert html is not None and html.startswith("<iframe srcdoc=")
    assert "&lt;html" in html  # the page is escaped into srcdoc, isolated from the notebook
    shown = reports.show(result)
    assert "<html" in shown.html
    assert render_report_html(result.report) == shown.html


def test_show_says_what_it_can_render() -> None:
    import reports

    with pytest.raises(TypeError, match="no HTML renderer for `dict`"):
        reports.show({"a": 1})


def test_writers_replace_atomically_and_leave_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "out.json"
    write_json({"b": 1, "a": [1.5]}, target)
    assert target.read_text() == '{\n  "a": [\n    1.5\n  ],\n  "b": 1\n}\n'
    write_text("hello", tmp_path / "t.txt")
    write_html("<p>x</p>", tmp_path / "p.html")
    write_parquet(pl.DataFrame({"x": [1]}), tmp_path / "x.parquet")
    assert pl.read_parquet(tmp_path / "x.parquet").height == 1
    assert sorted(p.name for p in tmp_path.rglob(".*")) == []
    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # what `open()` gives under this process's umask
    for written in (target, tmp_path / "t.txt", tmp_path / "p.html", tmp_path / "x.parquet"):
        assert written.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777, written


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_json({"ok": True}, target)
    with pytest.raises(TypeError):
        write_json({"when": object()}, target)  # no str() fallback
    with pytest.raises(ValueError, match="Out of range float"):
        write_json({"x": math.nan}, target)
    assert json.loads(target.read_text()) == {"ok": True}
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError
    assert json.loads(target.read_text()) == {"ok": True}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_ingest_and_validation_results_render_inline(tmp_path: Path) -> None:
    import pandera.polars as pa

    import reports
    from pipelines.ingest import ingest
    from pipelines.validate import ValidateOptions, ValidationPolicy, validate

    source = tmp_path / "small.csv"
    source.write_text("Name,Amount\na,1\nb,2\nc,-3\n", encoding="utf-8")
    ingested = ingest(source)
    page = reports.show(ingested).html
    assert "Ingest of" in page and "<code>amount</code>" in page and "Amount" in page
    assert ingested._repr_html_() is not None

    class Small(pa.DataFrameModel):
        name: str
        amount: int = pa.Field(ge=0)

    validated = validate(
        ingested.data,
        schema=Small,
        options=ValidateOptions(policy=ValidationPolicy(max_invalid_fraction=1)),
    )
    assert validated.report.rows_quarantined == 1
    html = validated._repr_html_()
    assert html is not None and "greater_than_or_equal_to" in html
