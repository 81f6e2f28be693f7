"""A glob source in the train flow: one ingest task per file, cached per file, then combined."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from tests.flow_support import PENGUINS, penguins_config
from tests.test_ingest_fanout import split_csv

pytestmark = [pytest.mark.flow, pytest.mark.slow]


def _stages(run_dir: Path) -> dict[str, dict[str, object]]:
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "completed", record.get("error")
    return {stage["name"]: stage for stage in record["stages"]}


def test_a_glob_is_ingested_per_file_and_a_changed_file_reingests_only_itself(
    prefect_harness: Path, tmp_path: Path
) -> None:
    from flows.pipeline import train_flow

    files = split_csv(PENGUINS, tmp_path / "data", 3)
    config = penguins_config(tmp_path / "data" / "*.csv", tmp_path / "runs", train=False)
    first = train_flow(config)
    run_dir = Path(first.run_dir)
    stages = _stages(run_dir)
    parts = ["ingest part0.csv", "ingest part1.csv", "ingest part2.csv"]
    assert list(stages)[:4] == [*parts, "ingest"]
    assert first.ledger["read"] == 344 == first.ledger["ok"]
    per_file = [stages[name]["summary"]["rows_in"] for name in parts]  # type: ignore[index]
    assert sum(per_file) == 344 and len(set(per_file)) <= 2
    data = pl.read_parquet(run_dir / "ingest" / "data.parquet")
    assert data.get_column("_source_file").unique().sort().to_list() == [str(f) for f in files]
    assert (run_dir / "profile" / "eda.json").is_file()

    text = files[1].read_text()
    files[1].write_text(text.replace("Anvers", "Anvers Island", 1))
    second = train_flow(config)
    again = _stages(Path(second.run_dir))
    hits = {name: again[name]["cache_hit"] for name in parts}
    assert hits == {"ingest part0.csv": True, "ingest part1.csv": False, "ingest part2.csv": True}
    assert again["ingest"]["cache_hit"] is False  # a part changed: combined again
    folders = sorted((Path(second.run_dir) / "ingest-parts").iterdir())  # cached ones copied
    assert [f.name.split("-")[0] for f in folders] == ["part0", "part1", "part2"]
    assert all((f / "data.parquet").is_file() for f in folders)
    assert second.ledger["read"] == 344


def test_a_bad_file_in_a_glob_fails_with_one_line_naming_it(
    prefect_harness: Path, tmp_path: Path
) -> None:
    from flows.pipeline import train_flow
    from flows.run_context import StageFailed

    split_csv(PENGUINS, tmp_path / "data", 2)
    (tmp_path / "data" / "empty.csv").write_bytes(b"")
    config = penguins_config(tmp_path / "data" / "*.csv", tmp_path / "runs", train=False)
    with pytest.raises(StageFailed, match=r"stage `ingest empty.csv` failed: .*empty.csv.*empty"):
        train_flow(config)
