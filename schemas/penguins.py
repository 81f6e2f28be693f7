"""Palmer penguins (LTER raw export) as two layers: ``PenguinsRaw`` after ingest, ``PenguinsClean``.

``PenguinsRaw`` describes what ingest produces from ``penguins_raw.csv``: snake_case headers,
``NA`` as null, ``Yes``/``No`` as Boolean, ISO dates as Date. Ranges are what the study can
physically record, a little wider than the 344 rows seen. ``PenguinsClean`` is the layer a model
is trained on: the same columns, with measurements and sex required.
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas import checks

__all__ = ["SPECIES", "PenguinsClean", "PenguinsRaw"]

SPECIES: tuple[str, ...] = (
    "Adelie Penguin (Pygoscelis adeliae)",
    "Chinstrap penguin (Pygoscelis antarctica)",
    "Gentoo penguin (Pygoscelis papua)",
)


class PenguinsRaw(pa.DataFrameModel):
    """One row per nest observation, as ingested; measurements may be missing."""

    study_name: str = pa.Field(str_matches=r"^PAL\d{4}$", description="Season code, PAL0708.")
    sample_number: pl.Int64 = pa.Field(ge=1, le=500, description="Sample number within a study.")
    species: str = pa.Field(isin=list(SPECIES))
    region: str = pa.Field(isin=["Anvers"])
    island: str = pa.Field(isin=["Biscoe", "Dream", "Torgersen"])
    stage: str = pa.Field(isin=["Adult, 1 Egg Stage"])
    individual_id: str = pa.Field(str_matches=r"^N\d+A\d+$", description="Nest and adult, N1A1.")
    clutch_completion: pl.Boolean = pa.Field(nullable=True)
    date_egg: pl.Date = pa.Field(nullable=True)
    culmen_length_mm: pl.Float64 = pa.Field(ge=25.0, le=70.0, nullable=True)
    culmen_depth_mm: pl.Float64 = pa.Field(ge=10.0, le=25.0, nullable=True)
    flipper_length_mm: pl.Float64 = pa.Field(ge=150.0, le=250.0, nullable=True)
    body_mass_g: pl.Float64 = pa.Field(ge=2000.0, le=7000.0, nullable=True)
    sex: str = pa.Field(isin=["FEMALE", "MALE"], nullable=True)
    delta_15_n_o_oo: pl.Float64 = pa.Field(ge=6.0, le=12.0, nullable=True)
    delta_13_c_o_oo: pl.Float64 = pa.Field(ge=-30.0, le=-20.0, nullable=True)
    comments: str = pa.Field(nullable=True)

    @pa.check("date_egg", name="date_in_study_period")
    def date_in_study_period(cls, data: PolarsData) -> pl.LazyFrame:
        """Eggs were recorded in the 2007-2010 field seasons."""
        return checks.date_between(data, dt.date(2007, 1, 1), dt.date(2010, 12, 31))

    @pa.check("individual_id", "comments", name="is_trimmed")
    def is_trimmed(cls, data: PolarsData) -> pl.LazyFrame:
        """No stray whitespace around identifiers and notes."""
        return checks.is_trimmed(data)

    @pa.check("comments", name="not_blank")
    def not_blank(cls, data: PolarsData) -> pl.LazyFrame:
        """Require a comment to be missing or to say something."""
        return checks.not_blank(data)

    class Config:
        """Coerce numbers (ingest may read whole-number measurements as Int64)."""

        coerce = True
        strict = False
        unique = ["study_name", "species", "sample_number"]  # noqa: RUF012 - pandera reads it


class PenguinsClean(PenguinsRaw):
    """Rows fit for modelling: body measurements and sex are present and positive."""

    culmen_length_mm: pl.Float64 = pa.Field(ge=25.0, le=70.0)
    culmen_depth_mm: pl.Float64 = pa.Field(ge=10.0, le=25.0)
    flipper_length_mm: pl.Float64 = pa.Field(ge=150.0, le=250.0)
    body_mass_g: pl.Float64 = pa.Field(ge=2000.0, le=7000.0)
    sex: str = pa.Field(isin=["FEMALE", "MALE"])

    @pa.check("culmen_length_mm", "culmen_depth_mm", "flipper_length_mm", "body_mass_g",
              name="positive")
    def positive(cls, data: PolarsData) -> pl.LazyFrame:
        """Body measurements are strictly positive."""
        return checks.positive(data)

    class Config:
        """Strict: the clean layer carries exactly these columns."""

        coerce = True
        strict = True
        unique = ["study_name", "species", "sample_number"]  # noqa: RUF012 - pandera reads it
