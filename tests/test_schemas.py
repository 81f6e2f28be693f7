"""Shared vectorised checks and the penguins layers, on tiny literal frames and on real data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandera.polars as pa
import polars as pl
import pytest
from pandera.api.polars.types import PolarsData

from schemas import checks
from schemas.penguins import PenguinsClean, PenguinsRaw

REAL = Path(__file__).parent / "data" / "real"


def run(check, values: list, **kwargs) -> list[bool]:  # type: ignore[no-untyped-def]
    data = PolarsData(pl.LazyFrame({"x": values}), "x")
    return check(data, **kwargs).collect().to_series().to_list()


@pytest.mark.parametrize(
    ("check", "values", "kwargs", "expected"),
    [
        (checks.not_blank, ["a", " ", "", None], {}, [True, False, False, True]),
        (checks.is_trimmed, ["a", " a", "a ", None], {}, [True, False, False, True]),
        (checks.positive, [1.0, 0.0, -2.0, None], {}, [True, False, False, True]),
        (
            checks.date_between,
            [dt.date(2008, 1, 1), dt.date(2001, 1, 1), None],
            {"earliest": dt.date(2007, 1, 1), "latest": dt.date(2010, 12, 31)},
            [True, False, True],
        ),
        (
            checks.starts_with_any,
            ["Adelie x", "Emperor", None],
            {"prefixes": ("Adelie", "Gentoo")},
            [True, False, True],
        ),
    ],
    ids=["not_blank", "is_trimmed", "positive", "date_between", "starts_with_any"],
)
def test_shared_checks_are_vectorised_and_let_nulls_pass(check, values, kwargs, expected) -> None:  # type: ignore[no-untyped-def]
    assert run(check, values, **kwargs) == expected


def test_models_use_no_element_wise_checks() -> None:
    for model in (PenguinsRaw, PenguinsClean):
        schema = model.to_schema()
        all_checks = [c for col in schema.columns.values() for c in col.checks] + list(
            schema.checks
        )
        assert all_checks and not any(c.element_wise for c in all_checks)


def test_clean_layer_is_stricter_than_raw() -> None:
    row = {
        "study_name": "PAL0708", "sample_number": 1, "species": "Gentoo penguin (Pygoscelis papua)",
        "region": "Anvers", "island": "Biscoe", "stage": "Adult, 1 Egg Stage",
        "individual_id": "N1A1",
        "clutch_completion": True, "date_egg": dt.date(2008, 11, 1), "culmen_length_mm": None,
        "culmen_depth_mm": 15.0, "flipper_length_mm": 210.0, "body_mass_g": 5000.0, "sex": "FEMALE",
        "delta_15_n_o_oo": 8.1, "delta_13_c_o_oo": -26.0, "comments": None,
    }  # fmt: skip
    frame = pl.DataFrame([row])
    PenguinsRaw.validate(frame)
    with pytest.raises(pa.errors.SchemaError, match="culmen_length_mm"):
        PenguinsClean.validate(frame)


def test_penguins_raw_fits_what_ingest_produces() -> None:
    from pipelines.ingest import ingest  # a broken import must fail here, not skip
    from pipelines.validate import validate

    frame = ingest(REAL / "penguins_raw.csv").data

    assert validate(frame, schema=PenguinsRaw).report.rows_quarantined == 0
