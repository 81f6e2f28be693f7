"""Sibling columns spelling one category two ways (Ames exterior1st vs exterior2nd)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.ingest import ingest
from pipelines.profile import profile
from pipelines.profile.variants import sibling_spellings

AMES = Path(__file__).parent / "data" / "real" / "ames_house_prices.csv"


def test_leftover_values_are_matched_by_small_edit_distance() -> None:
    first = {"VinylSd", "MetalSd", "WdShing", "CemntBd", "BrkComm", "Plywood"}
    second = {"VinylSd", "MetalSd", "Wd Shng", "CmentBd", "Brk Cmn", "Plywood", "Other"}
    (found,) = sibling_spellings({"exterior1st": first, "exterior2nd": second})
    assert (found.first, found.second) == ("exterior1st", "exterior2nd")
    assert found.pairs == [("BrkComm", "Brk Cmn"), ("CemntBd", "CmentBd"), ("WdShing", "Wd Shng")]


def test_short_codes_and_unrelated_columns_are_left_alone() -> None:
    codes = {
        "condition1": {"Norm", "Feedr", "RRNn", "PosN"},
        "condition2": {"Norm", "Feedr", "RRAn", "PosA"},
    }
    assert sibling_spellings(codes) == []
    unrelated = {"colour": {"red", "green", "blue"}, "shape": {"round", "square", "oval"}}
    assert sibling_spellings(unrelated) == []


def test_profile_of_ames_flags_the_exterior_columns() -> None:
    result = profile(ingest(AMES).data).report
    messages = [
        a.message
        for a in result.alerts
        if a.kind == "category_variants" and a.columns == ["exterior1st", "exterior2nd"]
    ]
    assert len(messages) == 1
    assert "`WdShing` / `Wd Shng`" in messages[0]


def test_a_frame_without_siblings_has_no_such_alert() -> None:
    frame = pl.DataFrame({"a": ["x1", "y2", "z3"] * 5, "b": ["pear", "plum", "fig"] * 5})
    alerts = profile(frame).report.alerts
    assert not [a for a in alerts if a.kind == "category_variants" and len(a.columns) == 2]
