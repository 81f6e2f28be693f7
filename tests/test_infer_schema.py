"""infer-schema: the module it writes imports, reads well, and validates its own data."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from pipelines.errors import ThresherError
from pipelines.validate import ValidateError, ValidateOptions, ValidationPolicy, validate
from pipelines.validate.infer import infer_model_source

DATA = Path(__file__).parent / "data"
DATA_FILES = sorted(p for p in DATA.rglob("*") if p.is_file() and p.suffix not in {".md", ".py"})
# Files ingest refuses on purpose (see tests/data/messy/MANIFEST.md): nothing to infer from.
REJECTED = {
    "document.docx",
    "empty.csv",
    "garbage.csv",
    "image_png.csv",
    "only_blank_lines.csv",
    "report.pdf",
}
STRICT = ValidationPolicy(max_invalid_fraction=0.0)


def load_frame(path: Path) -> pl.DataFrame:
    """Read a bundled file the way the CLI does: through ingest."""
    from pipelines.ingest import ingest

    return ingest(path).data


def import_source(source: str, tmp_path: Path, name: str = "inferred") -> ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"_t_{name}_{id(tmp_path)}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", DATA_FILES, ids=[str(p.relative_to(DATA)) for p in DATA_FILES])
def test_inferred_model_validates_its_own_data(path: Path, tmp_path: Path) -> None:
    if path.name in REJECTED:
        with pytest.raises(ThresherError, match=re.escape(path.name)):
            load_frame(path)
        return
    frame = load_frame(path)
    if not frame.columns:
        pytest.skip("no columns to describe")
    module = import_source(infer_model_source(frame, "Inferred", source=path.name), tmp_path)
    result = validate(frame, schema=module.Inferred, options=ValidateOptions(policy=STRICT))
    assert result.report.rows_quarantined == 0, result.report.checks
    assert result.report.checks == []


def test_inferred_source_describes_each_column(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "Order ID": ["AB-001", "AB-002", "CD-013", "CD-104"],
            "qty": [1, 5, 3, 2],
            "price": [1.5, 2.25, None, 10.0],
            "colour": ["red", "blue", "red", "red"],
            "class": [True, False, True, True],
        }
    )
    source = infer_model_source(frame, "Orders")
    pattern = "str_matches='^(?:[A-Z]+\\\\-\\\\d+)$'"
    assert f"order_id: pl.String = pa.Field(alias='Order ID', {pattern}, unique=True)" in source
    assert "qty: pl.Int64 = pa.Field(ge=0, le=6)" in source  # unique, but not named like a key
    assert "price: pl.Float64 = pa.Field(nullable=True, ge=0.65, le=10.85)" in source
    assert "isin=['blue', 'red']" in source
    assert "c_class: pl.Boolean" in source
    assert "# 'price': Float64, 3 non-null, 1 null, 3 distinct, range 1.5..10" in source
    module = import_source(source, tmp_path)
    bad = frame.with_columns(pl.Series("Order ID", ["AB-001", "nope", "CD-013", "CD-104"]))
    result = validate(
        bad,
        schema=module.Orders,
        options=ValidateOptions(policy=ValidationPolicy(max_invalid_fraction=1)),
    )
    assert result.quarantine["_row"].to_list() == [1]


def test_bad_model_name_is_rejected() -> None:
    with pytest.raises(ValidateError, match="model name `class` is not a Python class name"):
        infer_model_source(pl.DataFrame({"a": [1]}), "class")


def test_new_user_round_trip_via_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Infer from penguins, tighten one range, validate planted rows: each lands in quarantine."""
    from flows.cli import main
    from tests.test_validate import planted_penguins

    monkeypatch.chdir(tmp_path)
    clean = tmp_path / "penguins.parquet"
    planted = tmp_path / "planted.parquet"
    from tests.test_validate import penguins_frame

    penguins_frame().write_parquet(clean)
    planted_penguins().write_parquet(planted)
    (tmp_path / "myschemas").mkdir()
    (tmp_path / "myschemas" / "__init__.py").write_text("")
    out_module = tmp_path / "myschemas" / "penguins_guess.py"
    assert (
        main(["infer-schema", str(clean), "--name", "PenguinsGuess", "--out", str(out_module)]) == 0
    )
    text = out_module.read_text()
    edited, count = re.subn(r"(body_mass_g: \S+ = pa\.Field\(.*?)le=\d+", r"\1le=6000", text)
    assert count == 1
    out_module.write_text(edited)
    args = ["validate", str(planted), "--schema", "myschemas.penguins_guess:PenguinsGuess"]
    assert main([*args, "--out", "out", "--no-gx"]) == 0
    quarantine = pl.read_parquet(tmp_path / "out" / "quarantine.parquet")
    valid = pl.read_parquet(tmp_path / "out" / "valid.parquet")
    reasons = {
        row: {r["column"] for r in rs}
        for row, rs in zip(quarantine["_row"], quarantine["_reasons"], strict=True)
    }
    assert reasons[3] == {"body_mass_g"}  # 9999 g
    assert reasons[10] == {"sex"}
    assert reasons[20] == {"date_egg"}
    assert reasons[30] == {"individual_id"}
    edited_range_rows = set(reasons) - {3, 10, 20, 30}
    assert edited_range_rows  # the tightened range now catches the heaviest penguins too
    assert all(reasons[row] == {"body_mass_g"} for row in edited_range_rows)
    assert valid.height + quarantine.height == 344
