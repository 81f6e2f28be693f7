import datetime as dt
import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from pipelines.columns import ColumnNames
from pipelines.predict.errors import InputSchemaError, MissingColumnsError
from pipelines.predict.schema import ROW_KEY, InputSchema

TRAIN = pl.DataFrame(
    {
        "body_mass_g": [3750.0, None, 4200.5],
        "flippers": [181, 190, 201],
        "island": ["Biscoe", "Dream", "Biscoe"],
        "adult": [True, False, True],
        "seen": [dt.date(2008, 1, 2), dt.date(2009, 3, 4), dt.date(2009, 5, 6)],
        "species": ["a", "b", "a"],
    }
)
NAMES = ColumnNames.from_header_mapping(
    TRAIN.columns, {"Body Mass (g)": "body_mass_g", "Species": "species"}
)
SCHEMA = InputSchema.from_frame(TRAIN, exclude=("Species",), names=NAMES)


def test_from_frame_records_names_types_categories_ranges() -> None:
    assert [c.name for c in SCHEMA.columns] == [
        "body_mass_g",
        "flippers",
        "island",
        "adult",
        "seen",
    ]
    mass = SCHEMA.column("Body Mass (g)")
    assert (mass.name, mass.dtype, mass.nullable) == ("body_mass_g", "Float64", True)
    assert (mass.minimum, mass.maximum) == (3750.0, 4200.5)
    assert SCHEMA.column("island").categories == ["Biscoe", "Dream"]
    assert SCHEMA.column("adult").categories == ["false", "true"]
    assert SCHEMA.column("seen").dtype == "Date"


def test_json_round_trip_is_exact_and_deterministic() -> None:
    text = SCHEMA.to_json()
    assert InputSchema.from_json(text) == SCHEMA
    assert InputSchema.from_json(text).to_json() == text


def test_bad_json_is_one_clear_error() -> None:
    with pytest.raises(InputSchemaError, match="not valid at `columns"):
        InputSchema.from_json('{"columns": 3}')


def test_conform_passes_good_rows_through_in_training_types() -> None:
    conformed = SCHEMA.conform(TRAIN)
    assert conformed.quarantine.height == 0
    assert_frame_equal(conformed.data.drop(ROW_KEY), TRAIN.drop("species"))
    assert conformed.data[ROW_KEY].to_list() == [0, 1, 2]
    assert conformed.warnings == ["dropped 1 column(s) the model does not know: `species`."]


def test_missing_columns_are_one_error_naming_all() -> None:
    with pytest.raises(
        MissingColumnsError, match=r"lack 2 column.*`body_mass_g \(Body Mass \(g\)\)`, `seen`"
    ):
        SCHEMA.conform(TRAIN.drop("body_mass_g", "seen"))


def test_source_file_names_are_accepted() -> None:
    renamed = TRAIN.rename({"body_mass_g": "Body Mass (g)", "island": "Island"})
    conformed = SCHEMA.conform(renamed)
    assert conformed.data.columns == [ROW_KEY, *[c.name for c in SCHEMA.columns]]
    assert conformed.data["body_mass_g"].to_list() == [3750.0, None, 4200.5]


def test_text_is_coerced_as_ingest_would() -> None:
    text = pl.DataFrame(
        {
            "body_mass_g": ["3,750", " 4200.5 ", "NA"],
            "flippers": ["181", "190.0", ""],
            "island": ["Biscoe", "Torgersen", None],
            "adult": ["yes", "No", "1"],
            "seen": ["2008-01-02", "Mar-2009", "2009-05-06 10:00:00"],
        }
    )
    conformed = SCHEMA.conform(text)
    assert conformed.quarantine.height == 0
    data = conformed.data
    assert data["body_mass_g"].to_list() == [3750.0, 4200.5, None]
    assert data["flippers"].to_list() == [181, 190, None]
    assert data["adult"].to_list() == [True, False, True]
    assert data["seen"].to_list() == [dt.date(2008, 1, 2), dt.date(2009, 3, 1), dt.date(2009, 5, 6)]
    assert data.schema == pl.Schema({ROW_KEY: pl.Int64, **TRAIN.drop("species").schema})
    assert any("`island`: 1 row(s) hold 1 value(s) unseen" in w for w in conformed.warnings)


def test_values_that_do_not_fit_quarantine_the_row_with_reasons() -> None:
    bad = pl.DataFrame(
        {
            "body_mass_g": ["heavy", "4000", "4100"],
            "flippers": ["181", "190.5", "200"],
            "island": ["Biscoe", "Dream", "Dream"],
            "adult": ["yes", "maybe", "no"],
            "seen": ["2008-01-02", "2009-01-01", "someday"],
        }
    )
    conformed = SCHEMA.conform(bad)
    assert conformed.data.height == 0
    reasons = dict(zip(conformed.quarantine[ROW_KEY], conformed.quarantine["_reason"], strict=True))
    assert reasons[0] == "`body_mass_g` = 'heavy' is not a number"
    assert reasons[1] == (
        "`flippers` = '190.5' is not a whole number; "
        "`adult` = 'maybe' is not true/false (or yes/no, 1/0)"
    )
    assert reasons[2] == "`seen` = 'someday' is not a date (YYYY-MM-DD)"
    assert conformed.quarantine["body_mass_g"].to_list() == ["heavy", "4000", "4100"]


def test_json_schema_describes_one_record() -> None:
    schema = SCHEMA.json_schema()
    assert schema["required"] == [c.name for c in SCHEMA.columns]
    props = schema["properties"]
    assert props["body_mass_g"]["type"] == ["number", "null"]
    assert props["flippers"]["type"] == ["integer", "null"]
    assert props["seen"] == {**props["seen"], "type": ["string", "null"], "format": "date"}
    assert props["island"]["examples"] == ["Biscoe", "Dream"]
    assert "Body Mass (g)" in props["body_mass_g"]["description"]
    json.dumps(schema)


_CELL = st.one_of(
    st.none(),
    st.sampled_from(["", "NA", "3.5", "12", "1,234", "abc", "2009-01-01", "yes", "Dream", " 7 "]),
    st.text(max_size=6),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_CELL, _CELL, _CELL, _CELL, _CELL), max_size=25))
def test_rows_in_equal_rows_out_plus_quarantined(rows: list[tuple[object, ...]]) -> None:
    columns = [c.name for c in SCHEMA.columns]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")
    conformed = SCHEMA.conform(frame)
    assert conformed.data.height + conformed.quarantine.height == frame.height
    keys = sorted([*conformed.data[ROW_KEY], *conformed.quarantine[ROW_KEY]])
    assert keys == list(range(frame.height))
    assert conformed.quarantine["_reason"].null_count() == 0
    assert conformed.data.schema == pl.Schema({ROW_KEY: pl.Int64, **TRAIN.drop("species").schema})


def test_json_schema_accepts_training_records_and_rejects_bad_ones() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = SCHEMA.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    records = json.loads(TRAIN.drop("species").write_json())
    for record in records:
        validator.validate(record)
    with pytest.raises(jsonschema.ValidationError, match="'island' is a required property"):
        validator.validate({k: v for k, v in records[0].items() if k != "island"})
    with pytest.raises(jsonschema.ValidationError, match="is not of type 'integer', 'null'"):
        validator.validate({**records[0], "flippers": "many"})


def test_typed_values_that_do_not_mean_the_same_are_quarantined() -> None:
    typed = pl.DataFrame(
        {
            "body_mass_g": [3750, 4000],  # integers for a float column: fine
            "flippers": [181.0, 190.5],  # 190.5 is not a whole number
            "island": [1, 2],  # numbers as categories: their text
            "adult": [1, 2],  # 2 is not a boolean
            "seen": [2008, 2009],  # a year number is not a date
        }
    )
    conformed = SCHEMA.conform(typed)
    assert conformed.data.height == 0
    assert conformed.quarantine["_reason"].to_list() == [
        "`seen` = '2008' is not a date (YYYY-MM-DD)",
        "`flippers` = '190.5' is not a whole number; "
        "`adult` = '2' is not true/false (or yes/no, 1/0); "
        "`seen` = '2009' is not a date (YYYY-MM-DD)",
    ]
