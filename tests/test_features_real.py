"""End to end on real messy files: ingest -> split -> features on the train rows -> LightGBM.

The files are bundled in tests/data/real/ (lending lives in ../shared/data only); see
/work/shared/data/README.md for their traits. LightGBM runs with `num_threads=1`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.columns import ColumnNames
from pipelines.features import (
    FeaturesResult,
    ensure_numeric_frame,
    features,
    load_feature_pipeline,
    save_feature_pipeline,
)
from pipelines.predict.schema import ROW_KEY, InputSchema
from pipelines.task import ResolvedTask, TaskSpec, resolve_task

REAL = Path(__file__).resolve().parent / "data" / "real"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass(frozen=True)
class Case:
    frame: pl.DataFrame
    names: ColumnNames
    task: ResolvedTask
    train: pl.DataFrame
    test: pl.DataFrame


def _case(path: Path, target: str) -> Case:
    from pipelines.ingest import ingest

    result = ingest(path)
    names = ColumnNames.from_header_mapping(result.data.columns, result.report.header_mapping)
    spec = TaskSpec(target=target).resolved(names)
    frame = result.data.filter(pl.col(spec.target).is_not_null())
    task = resolve_task(frame, spec)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=0)
    cut = int(frame.height * 0.8)
    return Case(frame, names, task, shuffled.head(cut), shuffled.tail(frame.height - cut))


@pytest.fixture(scope="module")
def penguins() -> Case:
    return _case(REAL / "penguins_raw.csv", "Species")


@pytest.fixture(scope="module")
def compas() -> Case:
    return _case(REAL / "compas_two_years.csv", "two_year_recid")


@pytest.fixture(scope="module")
def ames() -> Case:
    return _case(REAL / "ames_house_prices.csv", "SalePrice")


def _fit(case: Case, flavour: str = "lightgbm") -> FeaturesResult:
    return features(case.train, task=case.task, names=case.names, flavour=flavour)  # type: ignore[arg-type]


def _actions(result: FeaturesResult) -> dict[str, str]:
    return {d.column: d.action for d in result.report.decisions}


def test_penguins_decisions(penguins: Case) -> None:
    result = _fit(penguins)
    actions = _actions(result)
    assert actions["species"] == "target"
    assert actions["region"] == actions["stage"] == "dropped_constant"
    assert actions["individual_id"] == "dropped_id"
    assert "`task.group`" in result.report.decision("individual_id").reason
    assert "`features.keep: [Region]`" in result.report.decision("region").reason
    assert actions["island"] == "native_categorical"
    assert actions["date_egg"] == "date_parts"
    assert actions["culmen_length_mm"] == "numeric"
    assert result.report.decision("culmen_length_mm").label == (
        "culmen_length_mm (Culmen Length (mm))"
    )


def test_penguins_model_predicts_held_out_rows(penguins: Case) -> None:
    import lightgbm as lgb

    result = _fit(penguins)
    classes = penguins.task.classes
    label = penguins.train[penguins.task.target].cast(pl.String)
    y = np.array([classes.index(v) for v in label])
    booster = lgb.train(
        {"objective": "multiclass", "num_class": len(classes), "num_threads": 1, "verbose": -1},
        lgb.Dataset(
            ensure_numeric_frame(result.data),
            label=y,
            categorical_feature=result.pipeline.categorical_features_,
        ),
        num_boost_round=30,
    )
    held_out = ensure_numeric_frame(result.pipeline.transform(penguins.test))
    predicted = booster.predict(held_out).argmax(axis=1)
    truth = [classes.index(v) for v in penguins.test[penguins.task.target].cast(pl.String)]
    assert (predicted == np.array(truth)).mean() > 0.9


def test_compas_post_outcome_ids_constants_and_copies_are_dropped(compas: Case) -> None:
    result = _fit(compas)
    actions = _actions(result)
    for column in ("is_recid", "r_case_number", "r_charge_degree", "r_offense_date"):
        assert actions[column] == "dropped_leakage", column
        assert f"`features.keep: [{column}]`" in result.report.decision(column).reason
    assert actions["id"] == actions["c_case_number"] == "dropped_id"
    assert actions["violent_recid"] == actions["type_of_assessment"] == "dropped_constant"
    assert actions["decile_score_2"] == actions["priors_count_2"] == "dropped_duplicate"
    assert actions["screening_date"] == "dropped_duplicate"
    assert actions["name"] == "dropped_text"
    assert actions["c_charge_desc"] == "target_encode"
    assert set(result.report.dropped["dropped_leakage"]) >= {"is_recid", "r_charge_desc"}
    assert all(dtype.is_numeric() for dtype in result.data.dtypes)


def test_compas_features_round_trip_through_skops(compas: Case, tmp_path: Path) -> None:
    result = _fit(compas)
    path = save_feature_pipeline(result.pipeline, tmp_path / "features.skops")
    assert_frame_equal(
        load_feature_pipeline(path).transform(compas.test), result.pipeline.transform(compas.test)
    )


def test_ames_decisions_both_flavours(ames: Case) -> None:
    lightgbm = _fit(ames)
    assert _actions(lightgbm)["id"] == "dropped_id"
    assert _actions(lightgbm)["neighborhood"] == "native_categorical"
    linear = _fit(ames, "linear")
    actions = _actions(linear)
    assert actions["id"] == "dropped_id"
    assert actions["lot_area"] == "numeric_power"  # skew 12
    assert actions["neighborhood"] == "target_encode"  # 25 values, above max_one_hot
    assert actions["ms_zoning"] == "one_hot"
    assert not np.isnan(linear.data.to_numpy()).any()
    assert not np.isnan(linear.pipeline.transform(ames.test).to_numpy()).any()
    assert "lot_frontage_missing" in linear.data.columns


def test_raw_text_conforms_to_the_schema_exactly_as_ingest_read_it(ames: Case) -> None:
    schema = InputSchema.from_frame(ames.frame, exclude=("SalePrice",), names=ames.names)
    raw = pl.read_csv(REAL / "ames_house_prices.csv", infer_schema=False)  # every cell as text
    conformed = schema.conform(raw)
    assert conformed.quarantine.height == 0
    assert conformed.data.height == raw.height
    expected = ames.frame.select(c.name for c in schema.columns)
    assert_frame_equal(conformed.data.drop(ROW_KEY), expected)
    assert conformed.warnings == ["dropped 1 column(s) the model does not know: `SalePrice`."]


@pytest.mark.skipif(not (SHARED / "lending_club_loans.csv").exists(), reason="no shared data")
def test_lending_grades_are_leakage_and_row_numbers_are_ids() -> None:
    case = _case(SHARED / "lending_club_loans.csv", "interest_rate")
    result = _fit(case)
    actions = _actions(result)
    assert actions["grade"] == actions["sub_grade"] == "dropped_leakage"
    assert actions["rownames"] == "dropped_id"
    # job titles: thousands of mostly-unique spellings, dropped with a way to use them anyway
    assert actions["emp_title"] == "dropped_text"
    assert (
        "`features.encodings: {emp_title: target_encode}`"
        in result.report.decision("emp_title").reason
    )
    assert actions["state"] == "native_categorical"
    assert actions["annual_income"] == "numeric"
