"""The run folder `runs/<name>/<run-id>/` and its `run.json`: what ran, on what, how long.

`run.json` is written when a run starts (`status: running`) and again when it ends
(`completed` or `failed`, with the one-line cause), always atomically. It holds the config,
the input files' fingerprints, one `StageRecord` per stage (seconds, cache hit, key), the row
ledger (read -> ok -> valid -> train/test -> predicted), the decision log and library versions.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from flows.files import RUN, write_json
from pipelines.runs import Decision, RunDiff
from pipelines.stage import StageSummary

__all__ = [
    "Decision",
    "RunRecord",
    "StageDone",
    "StageRecord",
    "library_versions",
    "load_record",
    "new_run_dir",
    "previous_run",
]

FlowName = Literal["train", "monitor", "score"]
_LIBRARIES = (
    "thresher",
    "polars",
    "pandera",
    "prefect",
    "lightgbm",
    "scikit-learn",
    "numpy",
    "pyarrow",
    "onnxruntime",
    "great-expectations",
)


class StageDone(BaseModel):
    """What a stage task returns (and Prefect caches): its folder, summary, facts, decisions.

    `folder` is where the files were written; on a cache hit it is a previous run's folder and
    the flow copies it into the current run.
    """

    model_config = ConfigDict(frozen=True)

    stage: str
    folder: str
    summary: StageSummary
    facts: dict[str, int | float | str | None] = Field(default_factory=dict)
    decisions: list[Decision] = Field(default_factory=list)


class StageRecord(BaseModel):
    """One stage in `run.json`: how long it took and whether it came from the cache."""

    model_config = ConfigDict(frozen=True)

    name: str
    seconds: float
    cache_hit: bool
    cache_key: str | None = None
    status: Literal["completed", "failed"] = "completed"
    summary: StageSummary | None = None
    error: str | None = None


class RunRecord(BaseModel):
    """`run.json`."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = 1
    name: str
    run_id: str
    run_dir: str = Field(..., description="The run folder (absolute).")
    flow: FlowName
    status: Literal["running", "completed", "failed"]
    started: str
    finished: str | None = None
    error: str | None = Field(None, description="One line: which stage failed and why.")
    config: dict[str, object]
    fingerprints: dict[str, str] = Field(
        default_factory=dict, description="Input file -> sha256 of its bytes."
    )
    code_version: str
    stages: list[StageRecord] = Field(default_factory=list)
    ledger: dict[str, int] = Field(
        default_factory=dict, description="Rows at each step: read, ok, valid, train, test, ..."
    )
    decisions: list[Decision] = Field(default_factory=list)
    outputs: dict[str, str] = Field(default_factory=dict, description="Label -> relative path.")
    versions: dict[str, str] = Field(default_factory=dict)
    previous_run: str | None = Field(None, description="The run this one is compared with.")
    diff: RunDiff | None = Field(None, description="What changed since `previous_run`.")

    def write(self, run_dir: Path) -> Path:
        """Write `run_dir/run.json` atomically."""
        return write_json(self.model_dump(mode="json"), run_dir / RUN.summary)


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a run depends on."""
    versions: dict[str, str] = {}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def new_run_dir(output_dir: Path, name: str) -> Path:
    """A fresh `output_dir/<name>/<UTC timestamp>-<random>` (never shared by two runs)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    run_dir = output_dir / name / f"{stamp}-{secrets.token_hex(3)}"
    run_dir.mkdir(parents=True, exist_ok=False)
    return run_dir


def load_record(run_dir: Path) -> RunRecord | None:
    """The `run.json` of `run_dir`, or None when missing or unreadable (a killed run)."""
    path = run_dir / RUN.summary
    try:
        return RunRecord.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def previous_run(
    run_dir: Path, *, needs: str | None = None, flows: tuple[str, ...] = ()
) -> Path | None:
    """The latest completed run of the same config before `run_dir` (same parent folder).

    `needs` is a file (relative to a run folder) the previous run must have; `flows` limits
    which flows count (empty: any).
    """
    siblings = sorted(
        (p for p in run_dir.parent.iterdir() if p.is_dir() and p.name < run_dir.name),
        reverse=True,
    )
    for candidate in siblings:
        record = load_record(candidate)
        if record is None or record.status != "completed":
            continue
        if flows and record.flow not in flows:
            continue
        if needs is not None and not (candidate / needs).is_file():
            continue
        return candidate
    return None


def utc_now() -> str:
    """Now, ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")
