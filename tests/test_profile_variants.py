"""Spelling variants: only case, spaces and a trailing `.`/`,` make two values one; the target."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.profile import profile
from pipelines.profile.variants import spelling_key, spelling_variants
from pipelines.task import TaskSpec
from reports.eda import render_eda_html, render_eda_markdown


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("<=5", ">5"),
        ("A+", "A-"),
        ("-1", "1"),
        ("C++", "C"),
        ("50%", "50"),
        ("#1", "1"),
        ("a=b", "ab"),
        ("x-ray", "x ray"),
    ],
    ids=lambda v: v,
)
def test_meaningful_symbols_keep_values_apart(first: str, second: str) -> None:
    groups, _ = spelling_variants({first: 3, second: 2})
    assert groups == []
    assert spelling_key(first) != spelling_key(second)


@pytest.mark.parametrize(
    "spellings",
    [
        ["Yes", "yes", "YES"],
        ["New York", " new  york "],
        ["Adelie", "Adelie.", "adelie,"],
        ["A+", "a+ "],
    ],
    ids=lambda v: "|".join(v),
)
def test_case_spaces_and_trailing_stops_are_variants(spellings: list[str]) -> None:
    counts = {value: 10 - i for i, value in enumerate(spellings)}
    groups, _ = spelling_variants(counts)
    assert groups == [spellings]  # most frequent spelling first


def test_punctuation_alone_is_not_emptied() -> None:
    assert spelling_key(".") == "."
    assert spelling_variants({".": 2, ",": 1})[0] == []


def test_target_with_variants_shows_the_merged_view() -> None:
    labels = ["yes"] * 30 + ["Yes "] * 10 + ["no"] * 15 + ["<=5"] * 3 + [">5"] * 2
    frame = pl.DataFrame({"label": labels, "x": list(range(len(labels)))})
    report = profile(frame, task=TaskSpec(target="label")).report
    target = report.target
    assert target is not None
    assert target.label_variants == [["yes", "Yes "]]
    merged = {v.value: v.count for v in target.merged_classes}
    assert merged == {"yes": 40, "no": 15, "<=5": 3, ">5": 2}
    assert target.merged_imbalance_ratio == pytest.approx(2 / 40)
    assert {v.value for v in target.classes} == {"yes", "Yes ", "no", "<=5", ">5"}
    assert "Merged: yes: 40, no: 15, <=5: 3, >5: 2" in render_eda_markdown(report)
    assert 'id="target-variants"' in render_eda_html(report)


def test_target_without_variants_has_no_merged_view() -> None:
    frame = pl.DataFrame({"grade": ["A+", "A-", "A+", "B"] * 5, "x": list(range(20))})
    target = profile(frame, task=TaskSpec(target="grade")).report.target
    assert target is not None
    assert target.label_variants == [] and target.merged_classes == []
    assert target.merged_imbalance_ratio is None
