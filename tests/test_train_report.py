"""train.html: self-contained, escaped, offline; the card's Markdown."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from flows.train_outputs import run_train
from pipelines.task import TaskSpec
from reports.train import headline, render_card_markdown, render_train_html
from tests.support.browser import open_report
from tests.train_support import FAST, table


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    frame = table().with_columns(
        pl.when(pl.col("label") == "yes")
        .then(pl.lit("<b>yes</b>"))
        .otherwise(pl.lit("no"))
        .alias("label")
    )
    return run_train(
        frame, tmp_path_factory.mktemp("report"), task=TaskSpec(target="label"), options=FAST
    )


def test_page_is_self_contained_and_escaped(outputs) -> None:
    html = outputs.html.read_text(encoding="utf-8")
    assert "<b>yes</b>" not in html and "&lt;b&gt;yes&lt;/b&gt;" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://cdn" not in html
    for section in (
        "leaderboard",
        "curves",
        "learning",
        "importance",
        "threshold",
        "features",
        "card",
    ):
        assert f'id="{section}"' in html
    assert outputs.result.report.learning_curve.reading in html
    assert render_train_html(outputs.result.report, outputs.card) == html


def test_headline_and_card_markdown(outputs) -> None:
    line = headline(outputs.result.report)
    assert line.startswith("LightGBM binary on `label`: CV roc_auc") and "dummy 0.5" in line
    markdown = render_card_markdown(outputs.card)
    assert "| roc_auc |" in markdown and "Decision threshold" in markdown


@pytest.mark.browser
def test_page_opens_offline_without_errors(outputs, tmp_path: Path) -> None:
    check = open_report(outputs.html, tmp_path / "train.png", wait_selector="#chart-curves")
    assert check.console_errors == [] and check.page_errors == []
    assert check.external_requests == []
    assert "Leaderboard" in check.body_text and "Reading:" in check.body_text


def test_mean_std_hides_float_noise_but_keeps_real_spread() -> None:
    from pipelines.train.models import MeanStd
    from reports.train import fmt_mean_std

    assert fmt_mean_std(MeanStd(mean=1.0, std=4.97e-17)) == "1 ± 0"
    assert fmt_mean_std(MeanStd(mean=0.9855, std=0.01361)) == "0.9855 ± 0.01361"
    assert fmt_mean_std(MeanStd(mean=0.5, std=2e-6)) == "0.5 ± 2e-06"
