"""Helpers for the flow tests: a private copy of the penguins data and configs over it."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from pipelines.config import PipelineConfig, load_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "penguins.yaml"
PENGUINS = ROOT / "examples" / "data" / "penguins_raw.csv"


def copy_penguins(folder: Path, name: str = "penguins.csv") -> Path:
    """A byte-identical copy of the bundled penguins CSV in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(PENGUINS.read_bytes())
    return target


def rewrite_csv(
    path: Path,
    *,
    drop_column: str | None = None,
    keep_rows: int | None = None,
    change: Callable[[dict[str, str]], dict[str, str]] | None = None,
) -> None:
    """Rewrite the CSV at `path`: drop a column, keep the first rows, change each row."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    header = [c for c in rows[0] if c != drop_column]
    rows = rows[:keep_rows] if keep_rows is not None else rows
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(change(row) if change else row)


def penguins_config(
    source: Path,
    out: Path,
    *,
    name: str = "penguins",
    train: bool = True,
    validate: bool = True,
) -> PipelineConfig:
    """The demo config over `source`, writing under `out`; `train=False` stops after profile.

    `validate=False` skips the pandera schema (which requires every column of the file).
    """
    config = load_config(EXAMPLE)
    updates: dict[str, object] = {"source": str(source), "output_dir": out, "name": name}
    if not validate:
        updates["validate_"] = config.validate_.model_copy(update={"enabled": False})
    if not train:
        updates["train"] = config.train.model_copy(update={"enabled": False})
    return config.model_copy(update=updates)
