import polars as pl
import pytest

from pipelines.columns import ColumnNames
from pipelines.errors import ColumnNotFoundError, TaskError
from pipelines.task import TaskSpec, resolve_task

NAMES = ColumnNames.from_header_mapping(
    ["survived", "culmen_length_mm", "pclass"],
    {"Survived": "survived", "Culmen Length (mm)": "culmen_length_mm", "pclass": "pclass"},
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Survived", "survived"),
        ("survived", "survived"),
        ("Culmen Length (mm)", "culmen_length_mm"),
        ("culmen length (MM)", "culmen_length_mm"),
    ],
    ids=["original", "normalised", "original-with-spaces", "case-insensitive"],
)
def test_column_names_accept_source_and_normalised(given: str, expected: str) -> None:
    assert NAMES.resolve(given) == expected


def test_unknown_column_names_close_matches() -> None:
    with pytest.raises(ColumnNotFoundError, match=r"target column `Survivd`.*`Survived`"):
        TaskSpec(target="Survivd").resolved(NAMES)


def test_label_shows_original_beside_normalised() -> None:
    assert NAMES.label("survived") == "survived (Survived)"
    assert NAMES.label("pclass") == "pclass"


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ([0, 1, 1, 0, None], "binary"),
        (["a", "b", "c", "a"], "multiclass"),
        ([0.5, 1.25, 3.0, 4.75, 2.0], "regression"),
        (list(range(200)), "regression"),
    ],
    ids=["binary", "multiclass", "float-regression", "many-integers"],
)
def test_auto_kind(values: list[object], kind: str) -> None:
    task = resolve_task(pl.DataFrame({"y": values}), TaskSpec(target="y"))
    assert task.kind == kind
    assert "because" in task.decided


def test_binary_positive_label_and_missing_count() -> None:
    task = resolve_task(pl.DataFrame({"y": ["no", "yes", None]}), TaskSpec(target="y"))
    assert (task.positive_label, task.rows_missing_target) == ("yes", 1)


def test_kind_that_does_not_fit_is_refused() -> None:
    with pytest.raises(TaskError, match="needs a numeric target"):
        resolve_task(pl.DataFrame({"y": ["a", "b", "c"]}), TaskSpec(target="y", kind="regression"))
    with pytest.raises(TaskError, match="at least two"):
        resolve_task(pl.DataFrame({"y": [1, 1]}), TaskSpec(target="y"))
