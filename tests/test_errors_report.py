"""The error-analysis page: self-contained, offline, bounded in size, sections in reading order."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from pipelines.error_analysis import ErrorAnalysisOptions, analyse_evaluation
from reports.errors import render_errors_html, render_errors_markdown
from tests.support.browser import open_report
from tests.support.evaluations import compas_evaluation, lending_evaluation

FAST = ErrorAnalysisOptions(bootstrap=30, permutation_rows=800, shap_rows=400)


@pytest.fixture(scope="module")
def compas_report():
    evaluation, _ = compas_evaluation()
    options = FAST.model_copy(update={"sensitive": ("race", "sex")})
    return analyse_evaluation(evaluation, options=options).report


def test_sections_read_top_down_and_every_finding_is_shown(compas_report):
    html = render_errors_html(compas_report)
    order = [html.index(f'id="{s}"') for s in ("headline", "where", "why", "fix", "about")]
    assert order == sorted(order)
    text = unescape(re.sub(r"<[^>]+>", "", html))
    for finding in compas_report.findings:
        assert finding.sentence.replace("`", "") in text
    page = html.split("<script>")[0]  # the vendored Chart.js mentions its home page
    assert "https://" not in page and "http://" not in page
    assert len(html.encode()) < 5 * 1024 * 1024


def test_data_values_are_escaped(compas_report):
    hostile = compas_report.model_copy(update={"title": "<script>alert(1)</script>"})
    html = render_errors_html(hostile)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_markdown_summary_names_cohorts_and_actions(compas_report):
    text = render_errors_markdown(compas_report)
    assert text.startswith("# Error analysis")
    assert compas_report.cohorts[0].rule in text
    assert "## What to do" in text
    assert "SHAP values (pred_contrib) on 400 of" in text


def test_regression_page_renders_residuals():
    evaluation, _ = lending_evaluation()
    report = analyse_evaluation(evaluation, options=FAST).report
    html = render_errors_html(report)
    assert 'id="chart-residuals"' in html and "Breusch-Pagan" in html
    payload = json.loads(
        re.search(r'id="errors-data">(.*?)</script>', html, re.S).group(1)  # type: ignore[union-attr]
    )
    assert len(payload["residual_features"]) == 3


@pytest.mark.browser
def test_report_opens_in_chromium_with_no_errors_and_no_requests(compas_report, tmp_path):
    path = tmp_path / "errors.html"
    path.write_text(render_errors_html(compas_report), encoding="utf-8")
    check = open_report(path, wait_selector="#chart-beeswarm")
    assert check.console_errors == [] and check.page_errors == []
    assert check.external_requests == []
    assert "Where it fails" in check.body_text and "Label suspects" in check.body_text
