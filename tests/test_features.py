import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.errors import ColumnNotFoundError
from pipelines.features import (
    FeatureArtifactError,
    FeatureDtypeError,
    FeatureInputError,
    FeaturesError,
    FeaturesOptions,
    FeaturesReport,
    FeaturesResult,
    ensure_numeric_frame,
    features,
    load_feature_pipeline,
    save_feature_pipeline,
)
from pipelines.task import ResolvedTask, TaskSpec, resolve_task
from tests.support.golden import check_golden

SMALL = FeaturesOptions(rare_min_count=1, target_encoding_folds=2)


def _frame(rows: int = 12) -> pl.DataFrame:
    rng = np.random.default_rng(0)
    return pl.DataFrame(
        {
            "row_id": list(range(1000, 1000 + rows)),
            "colour": [["red", "blue", "green"][i % 3] for i in range(rows)],
            "size": [float(v) if i % 5 else None for i, v in enumerate(rng.normal(10, 2, rows))],
            "flag": [bool(i % 2) for i in range(rows)],
            "when": [dt.date(2024, 1 + i % 12, 1 + i % 28) for i in range(rows)],
            "same": ["x"] * rows,
            "y": [i % 2 for i in range(rows)],
        }
    )


def _task(frame: pl.DataFrame, target: str = "y") -> ResolvedTask:
    return resolve_task(frame, TaskSpec(target=target))


@pytest.mark.parametrize("flavour", ["lightgbm", "linear"])
def test_features_all_numeric_and_one_decision_per_column(flavour: str) -> None:
    frame = _frame()
    result = features(frame, task=_task(frame), options=SMALL, flavour=flavour)  # type: ignore[arg-type]
    assert result.data.height == frame.height
    assert all(d.is_numeric() for d in result.data.dtypes)
    assert [d.column for d in result.report.decisions] == frame.columns
    assert result.report.decision("y").action == "target"
    assert result.report.decision("same").action == "dropped_constant"
    assert result.report.decision("when").action == "date_parts"
    assert list(result.pipeline.get_feature_names_out()) == result.data.columns
    if flavour == "linear":
        assert result.report.decision("colour").action == "one_hot"
        assert not any(result.data.select(pl.all().is_nan().any()).row(0))
        assert "size_missing" in result.data.columns
    else:
        assert result.report.decision("colour").action == "native_categorical"
        assert result.data.schema["colour"] == pl.Int32
        assert result.pipeline.categorical_features_ == ["colour"]


def test_report_is_json_native_and_deterministic() -> None:
    frame = _frame()
    first = features(frame, task=_task(frame), options=SMALL).report
    second = features(frame, task=_task(frame), options=SMALL).report
    text = first.model_dump_json()
    assert text == second.model_dump_json()
    assert FeaturesReport.model_validate(json.loads(text)) == first
    assert first.schema_version == 1


def test_keep_overrides_a_drop_and_says_so() -> None:
    frame = _frame()
    result = features(
        frame, task=_task(frame), options=SMALL.model_copy(update={"keep": ("same",)})
    )
    decision = result.report.decision("same")
    assert decision.kept_by_user
    assert decision.action == "native_categorical"
    assert "kept by `features.keep`" in decision.reason


def test_drop_encodings_and_crosses() -> None:
    frame = _frame()
    options = SMALL.model_copy(
        update={
            "drop": ("flag",),
            "encodings": {"colour": "frequency"},
            "crosses": (("colour", "flag"), ("size", "row_id")),
        }
    )
    result = features(frame, task=_task(frame), options=options)
    assert result.report.decision("flag").action == "dropped_by_user"
    assert result.report.decision("colour").action == "frequency"
    assert result.report.decision("colour_x_flag").action == "native_categorical"
    assert result.report.decision("size_x_row_id").action == "numeric"
    assert result.data["colour"].to_list()[:3] == pytest.approx([1 / 3] * 3)


def test_unknown_option_column_is_one_error() -> None:
    frame = _frame()
    with pytest.raises(ColumnNotFoundError, match="`nope`"):
        features(frame, task=_task(frame), options=FeaturesOptions(keep=("nope",)))


def test_high_cardinality_target_encoded_out_of_fold() -> None:
    rows = 60
    frame = pl.DataFrame(
        {"city": [f"c{i % 30}" for i in range(rows)], "y": [i * 0.37 % 5.1 for i in range(rows)]}
    )
    options = FeaturesOptions(max_native_categories=10, rare_min_count=1)
    result = features(frame, task=_task(frame), options=options)
    assert result.report.decision("city").action == "target_encode"
    # out of fold: the training rows' encodings differ from a plain transform of the same rows
    assert not np.allclose(result.data["city"], result.pipeline.transform(frame)["city"])


def test_unseen_categories_at_predict_time() -> None:
    frame = _frame()
    for flavour in ("lightgbm", "linear"):
        result = features(frame, task=_task(frame), options=SMALL, flavour=flavour)  # type: ignore[arg-type]
        new = frame.head(2).with_columns(pl.lit("purple").alias("colour"))
        out = result.pipeline.transform(new)
        if flavour == "lightgbm":
            assert out["colour"].to_list() == [-1, -1]
        else:
            assert out.select(pl.col("^colour_.*$")).sum_horizontal().to_list() == [0.0, 0.0]


def test_transform_names_every_missing_column() -> None:
    frame = _frame()
    result = features(frame, task=_task(frame), options=SMALL)
    with pytest.raises(FeatureInputError, match=r"`colour`, `size`"):
        result.pipeline.transform(frame.drop("colour", "size"))


def test_target_missing_where_encoding_needs_it() -> None:
    frame = pl.DataFrame({"c": [f"v{i}" for i in range(8)], "y": [1.0, 2, None, 4, 5, 6, 7, 8]})
    task = _task(frame)
    with pytest.raises(FeaturesError, match="missing in 1 training row"):
        features(frame, task=task, options=FeaturesOptions(max_native_categories=2))


def test_dtype_guard_names_text_columns() -> None:
    frame = pl.DataFrame({"a": [1.0], "b": ["x"], "c": pl.Series(["y"], dtype=pl.Categorical)})
    with pytest.raises(FeatureDtypeError, match=r"`b` \(String\), `c` \(Categorical"):
        ensure_numeric_frame(frame)
    assert ensure_numeric_frame(frame.select("a")) is not None


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    frame = _frame()
    for flavour in ("lightgbm", "linear"):
        result = features(frame, task=_task(frame), options=SMALL, flavour=flavour)  # type: ignore[arg-type]
        path = save_feature_pipeline(result.pipeline, tmp_path / f"{flavour}.skops")
        loaded = load_feature_pipeline(path)
        assert_frame_equal(loaded.transform(frame), result.pipeline.transform(frame))
        assert loaded.categorical_features_ == result.pipeline.categorical_features_


class Intruder:
    """A type no allow-list knows."""

    def __init__(self) -> None:
        self.payload = "anything"


def test_load_refuses_an_unexpected_type(tmp_path: Path) -> None:
    import skops.io

    frame = _frame()
    pipeline = features(frame, task=_task(frame), options=SMALL).pipeline
    pipeline.extra_ = Intruder()  # smuggled into an otherwise valid pipeline
    path = tmp_path / "evil.skops"
    skops.io.dump(pipeline, path)
    with pytest.raises(FeatureArtifactError, match=r"refused to load.*Intruder"):
        load_feature_pipeline(path)


def test_load_refuses_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.skops"
    path.write_bytes(b"not a zip")
    with pytest.raises(FeatureArtifactError, match="not a readable skops file"):
        load_feature_pipeline(path)


def _fitted_state(result: FeaturesResult) -> dict[str, object]:
    """Everything the fitted pipeline learned, as comparable plain values."""
    ct = result.pipeline.column_transformer_
    state: dict[str, object] = {"report": result.report.model_dump_json()}
    for name, step, _ in ct.transformers_:
        last = step.steps[-1][1] if hasattr(step, "steps") else step
        for attr in ("categories_", "encodings_", "statistics_", "frequencies_", "lambdas_"):
            if hasattr(last, attr):
                state[f"{name}.{attr}"] = repr(getattr(last, attr))
        for inner in getattr(step, "steps", []):
            for attr in ("statistics_", "mean_", "scale_", "lambdas_"):
                if hasattr(inner[1], attr):
                    state[f"{name}.{inner[0]}.{attr}"] = repr(getattr(inner[1], attr))
    return state


@pytest.mark.parametrize("flavour", ["lightgbm", "linear"])
def test_nothing_from_test_rows_reaches_the_fitted_state(flavour: str) -> None:
    rows = 80
    rng = np.random.default_rng(1)
    whole = pl.DataFrame(
        {
            "city": [f"c{i % 20}" for i in range(rows)],
            "kind": [["a", "b", "c"][i % 3] for i in range(rows)],
            "amount": rng.lognormal(3, 1, rows),
            "y": rng.normal(0, 1, rows),
        }
    )
    train, test = whole.head(60), whole.tail(20)
    changed = test.with_columns(
        pl.lit("never-seen").alias("city"),
        (pl.col("amount") * 1000).alias("amount"),
        (pl.col("y") + 50).alias("y"),
    )
    options = FeaturesOptions(max_native_categories=10, max_one_hot=10, rare_min_count=2)
    kw = {"task": _task(whole), "options": options, "flavour": flavour}
    fitted = features(train, **kw)  # type: ignore[arg-type]
    before = _fitted_state(fitted)
    probe = pl.concat([train, test, changed])
    out_before = fitted.pipeline.transform(probe)
    fitted.pipeline.transform(changed)  # predicting on test rows must not update anything
    assert _fitted_state(fitted) == before
    assert_frame_equal(fitted.pipeline.transform(probe), out_before)
    # the same train rows beside arbitrarily different test rows give the same fitted state
    split_elsewhere = pl.concat([train, changed]).head(60)
    assert _fitted_state(features(split_elsewhere, **kw)) == before  # type: ignore[arg-type]
    # and the state really depends on the rows fitted on: train + test differs
    assert _fitted_state(features(pl.concat([train, changed]), **kw)) != before  # type: ignore[arg-type]


def test_lightgbm_trains_on_the_output_without_aborting() -> None:
    import lightgbm as lgb

    frame = _frame(40)
    result = features(frame, task=_task(frame), options=FeaturesOptions(rare_min_count=2))
    data = ensure_numeric_frame(result.data)
    booster = lgb.train(
        {"objective": "binary", "num_threads": 1, "verbose": -1, "min_data_in_leaf": 2},
        lgb.Dataset(
            data.to_numpy(),
            label=frame["y"].to_numpy(),
            feature_name=data.columns,
            categorical_feature=result.pipeline.categorical_features_,
        ),
        num_boost_round=5,
    )
    new = frame.head(3).with_columns(pl.lit("purple").alias("colour"))
    predicted = booster.predict(ensure_numeric_frame(result.pipeline.transform(new)).to_numpy())
    assert predicted.shape == (3,)


def test_shuffled_row_numbers_are_dropped_as_ids() -> None:
    rng = np.random.default_rng(3)
    rows = 40
    frame = pl.DataFrame(
        {
            "seq": rng.permutation(np.arange(500, 500 + rows * 3 // 2))[:rows],
            "x": rng.normal(0, 1, rows),
            "y": rng.normal(0, 1, rows),
        }
    )
    result = features(frame, task=_task(frame))
    assert result.report.decision("seq").action == "dropped_id"
    assert "row number" in result.report.decision("seq").reason
    assert result.report.decision("x").action == "numeric"


def test_colliding_output_names_are_made_unique() -> None:
    frame = pl.DataFrame(
        {"a": ["x", "y", "x", "y"], "a_x": [1.0, 2.0, 3.0, 4.0], "y": [0.5, 1.5, 2.5, 3.0]}
    )
    result = features(frame, task=_task(frame), options=SMALL, flavour="linear")
    assert result.data.columns == ["a_x", "a_y", "a_x_2"]
    assert result.report.decision("a_x").outputs == ["a_x_2"]


def test_multiclass_target_encoding_gives_one_column_per_class() -> None:
    frame = pl.DataFrame(
        {
            "city": [f"c{i % 12}" for i in range(36)],
            "species": [["Adelie Penguin", "Gentoo", "Chinstrap"][i % 3] for i in range(36)],
        }
    )
    options = FeaturesOptions(max_native_categories=5, rare_min_count=1, target_encoding_folds=3)
    result = features(frame, task=_task(frame, "species"), options=options)
    assert result.report.decision("city").outputs == [
        "city_Adelie_Penguin",
        "city_Chinstrap",
        "city_Gentoo",
    ]
    assert result.data.height == 36


def test_report_matches_the_golden_json(update_golden: bool) -> None:
    """Refresh after an intended change with `make golden`, then review the diff."""
    frame = _frame()
    options = SMALL.model_copy(update={"crosses": (("colour", "flag"),), "keep": ("row_id",)})
    report = features(frame, task=_task(frame), options=options, flavour="linear").report
    check_golden("features_small", report.model_dump(mode="json"), update=update_golden)


@pytest.mark.parametrize("flavour", ["lightgbm", "linear"])
def test_penguins_report_matches_the_golden_json(flavour: str, update_golden: bool) -> None:
    from pipelines.columns import ColumnNames
    from pipelines.ingest import ingest

    result = ingest(Path(__file__).resolve().parent / "data" / "real" / "penguins_raw.csv")
    names = ColumnNames.from_header_mapping(result.data.columns, result.report.header_mapping)
    spec = TaskSpec(target="Species").resolved(names)
    task = resolve_task(result.data, spec)
    report = features(result.data, task=task, names=names, flavour=flavour).report  # type: ignore[arg-type]
    check_golden(
        f"features_penguins_{flavour}", report.model_dump(mode="json"), update=update_golden
    )


def test_load_refuses_a_sklearn_type_skops_would_trust(tmp_path: Path) -> None:
    """skops trusts all of scikit-learn by default; our allow-list does not."""
    import skops.io
    from sklearn.linear_model import LogisticRegression

    frame = _frame()
    pipeline = features(frame, task=_task(frame), options=SMALL).pipeline
    pipeline.extra_ = LogisticRegression()
    path = tmp_path / "model-inside.skops"
    skops.io.dump(pipeline, path)
    assert "sklearn.linear_model._logistic.LogisticRegression" not in (
        skops.io.get_untrusted_types(file=path)
    )
    with pytest.raises(FeatureArtifactError, match="LogisticRegression"):
        load_feature_pipeline(path)


def test_crosses_sharing_a_column_that_is_not_itself_a_feature() -> None:
    from pipelines.features import FeaturePipeline

    frame = pl.DataFrame({"a": ["x", "y", "x"], "b": [1.0, 2.0, 3.0], "c": [True, False, True]})
    pipeline = FeaturePipeline(
        plan=(("a_x_b", "frequency", ""), ("a_x_c", "native_categorical", "")),
        crosses=(("a", "b"), ("a", "c")),
        rare_min_count=1,
    )
    out = pipeline.fit_transform(frame)
    assert out.columns == ["a_x_b", "a_x_c"]
    assert pipeline.input_columns_ == ["a", "b", "c"]


def test_output_stays_polars_under_a_global_pandas_config() -> None:
    import sklearn

    frame = _frame()
    pipeline = features(frame, task=_task(frame), options=SMALL).pipeline
    with sklearn.config_context(transform_output="pandas"):
        assert isinstance(pipeline.transform(frame), pl.DataFrame)


def test_same_data_and_seed_give_identical_features() -> None:
    rows = 60
    frame = pl.DataFrame(
        {"city": [f"c{i % 25}" for i in range(rows)], "y": [i * 0.37 % 5.1 for i in range(rows)]}
    )
    options = FeaturesOptions(max_native_categories=10, seed=7)
    first = features(frame, task=_task(frame), options=options).data
    assert_frame_equal(features(frame, task=_task(frame), options=options).data, first)
    other_seed = options.model_copy(update={"seed": 8})
    assert not features(frame, task=_task(frame), options=other_seed).data.equals(first)


def test_options_load_from_a_config_section() -> None:
    section = {
        "keep": ["Individual ID"],
        "drop": ["Comments"],
        "encodings": {"Island": "one_hot"},
        "crosses": [["Island", "Sex"]],
    }
    options = FeaturesOptions.model_validate(section)
    assert options.crosses == (("Island", "Sex"),)
    with pytest.raises(ValueError, match=r"extra_forbidden|Extra inputs"):
        FeaturesOptions.model_validate({"kep": ["x"]})
    with pytest.raises(ValueError, match="one_hot"):
        FeaturesOptions.model_validate({"encodings": {"a": "onehot"}})


def test_the_target_can_never_become_a_feature() -> None:
    from pipelines.features import FeaturePipeline

    frame = _frame()
    with pytest.raises(FeaturesError, match="would leak the answer"):
        FeaturePipeline(plan=(("y", "numeric", ""),), target="y").fit(frame)
    crossed = FeaturePipeline(
        plan=(("colour_x_y", "frequency", ""),), target="y", crosses=(("colour", "y"),)
    )
    with pytest.raises(FeaturesError, match="would leak the answer"):
        crossed.fit(frame)
    with pytest.raises(FeaturesError, match="would leak the answer"):
        features(
            frame,
            task=_task(frame),
            options=SMALL.model_copy(update={"crosses": (("colour", "y"),)}),
        )


@pytest.mark.parametrize(
    ("column", "encoding"),
    [("colour", "numeric"), ("size", "date_parts"), ("colour", "numeric_power")],
    ids=["text-as-number", "number-as-date", "text-as-skewed-number"],
)
def test_an_encoding_that_does_not_fit_the_dtype_is_refused(column: str, encoding: str) -> None:
    frame = _frame()
    options = SMALL.model_copy(update={"encodings": {column: encoding}})
    with pytest.raises(FeaturesError, match=f"sets `{column}` to `{encoding}`"):
        features(frame, task=_task(frame), options=options)
