"""End-to-end ingest of the bundled real files in tests/data/real/.

Every number below was checked against the raw files with the csv module (see
/work/shared/data/README.md for where the files come from and their traits).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

REAL = Path(__file__).resolve().parent / "data" / "real"


def _ingest(name: str):
    from pipelines.ingest import ingest

    result = ingest(REAL / name)
    report = result.report
    assert report.rows_read == report.rows_ok + report.rows_quarantined
    assert report.rows_ok == result.data.height
    assert report.rows_quarantined == result.quarantine.height
    return result


@pytest.fixture(scope="module")
def penguins():
    return _ingest("penguins_raw.csv")


@pytest.fixture(scope="module")
def ames():
    return _ingest("ames_house_prices.csv")


@pytest.fixture(scope="module")
def compas():
    return _ingest("compas_two_years.csv")


def test_penguins_shape_and_names(penguins) -> None:
    data = penguins.data
    assert data.shape == (344, 17)
    assert penguins.report.rows_read == 344
    assert penguins.quarantine.height == 0
    assert data.columns == [
        "study_name",
        "sample_number",
        "species",
        "region",
        "island",
        "stage",
        "individual_id",
        "clutch_completion",
        "date_egg",
        "culmen_length_mm",
        "culmen_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
        "sex",
        "delta_15_n_o_oo",
        "delta_13_c_o_oo",
        "comments",
    ]
    assert penguins.report.header_mapping["Delta 15 N (o/oo)"] == "delta_15_n_o_oo"
    assert penguins.report.header_mapping["studyName"] == "study_name"


def test_penguins_types_and_values(penguins) -> None:
    data = penguins.data
    assert data["date_egg"].dtype == pl.Date
    assert data["date_egg"].min() == dt.date(2007, 11, 9)
    assert data["date_egg"].max() == dt.date(2009, 12, 1)
    assert data["date_egg"].n_unique() == 50
    assert data["clutch_completion"].dtype == pl.Boolean
    assert data["clutch_completion"].sum() == 308
    assert data["clutch_completion"].null_count() == 0
    assert data["culmen_length_mm"].dtype == pl.Float64
    assert data["culmen_length_mm"].null_count() == 2
    assert data["culmen_length_mm"][0] == 39.1
    assert data["sample_number"].dtype == pl.Int64
    assert data["body_mass_g"].null_count() == 2
    assert data["comments"].null_count() == 290  # literal NA
    assert data["sex"].null_count() == 11
    assert data["delta_15_n_o_oo"].null_count() == 14
    assert data["stage"].dtype == pl.String
    assert data["stage"].unique().to_list() == ["Adult, 1 Egg Stage"]  # quoted, with a comma
    assert data["individual_id"].dtype == pl.String
    assert penguins.cell_issues.height == 0


def test_ames(ames) -> None:
    data = ames.data
    assert data.height == 1460
    assert data.width == 81
    assert ames.quarantine.height == 0
    for name in ("col_1st_flr_sf", "col_2nd_flr_sf", "col_3_ssn_porch"):
        assert name in data.columns, name
        assert data[name].dtype == pl.Int64, name
    mapping = ames.report.header_mapping
    assert mapping["1stFlrSF"] == "col_1st_flr_sf"
    assert mapping["3SsnPorch"] == "col_3_ssn_porch"
    assert data.columns[-1] == "sale_price"
    assert data["sale_price"].dtype == pl.Int64
    assert data["sale_price"].min() == 34900
    assert data["sale_price"].max() == 755000
    assert data["sale_price"].sum() == 264144946
    assert data["lot_frontage"].dtype == pl.Int64  # 259 NA, the rest integers
    assert data["lot_frontage"].null_count() == 259
    assert data["alley"].null_count() == 1369  # NA tokens
    assert data["mas_vnr_type"].null_count() == 872  # 864 `None` + 8 `NA`: both are null tokens


def test_compas(compas) -> None:
    data = compas.data
    assert data.height == 7214
    assert data.width == 53
    assert compas.report.rows_quarantined == 0
    assert compas.quarantine.height == 0
    assert data.columns.index("decile_score") < data.columns.index("decile_score_2")
    assert data.columns.index("priors_count") < data.columns.index("priors_count_2")
    assert data["decile_score"].equals(data["decile_score_2"])
    assert data["priors_count"].equals(data["priors_count_2"])
    assert isinstance(data["c_jail_in"].dtype, pl.Datetime)
    assert data["c_jail_in"][0] == dt.datetime(2013, 8, 13, 6, 3, 42)
    assert data["c_jail_in"].null_count() == 307  # empty strings
    assert data["dob"].dtype == pl.Date
    assert data["dob"].min() == dt.date(1919, 10, 14)
    assert data["dob"].max() == dt.date(1998, 1, 20)
    assert data["violent_recid"].null_count() == 7214
    assert data["two_year_recid"].sum() == 3251
    originals = [c.original_name for c in compas.report.columns]
    assert originals.count("decile_score") == 2
    assert originals.count("priors_count") == 2
