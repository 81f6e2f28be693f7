"""One flow run's bookkeeping: the run folder, each stage call, `run.json`, the run page.

`FlowRun.stage(...)` calls a task (from `flows.tasks`), times it, notices a cache hit (and
copies the cached stage folder into this run, atomically), records a `StageRecord`, tells the
progress listeners, and turns a failure into one `StageFailed` line naming the stage.
`FlowRun.stages([...])` submits several such calls at once (the per-file ingest of a glob), so
the task runner runs them concurrently, then records each in order.
`FlowRun.finish()` writes the diff against the previous run, `decisions.md`, `index.html`,
`run.json` and the run-level Prefect artifacts. A killed run leaves `run.json` saying
`running` (never `completed`), so it is never taken as a previous run.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from time import perf_counter
from typing import Any, NamedTuple

from flows import progress
from flows.artifacts import publish_run_artifacts
from flows.decisions_log import write_decisions
from flows.files import RUN, write_html
from flows.fingerprints import code_version, source_fingerprints
from flows.run_diff import run_diff
from flows.run_record import (
    FlowName,
    RunRecord,
    StageDone,
    StageRecord,
    library_versions,
    new_run_dir,
    utc_now,
)
from pipelines.config import PipelineConfig
from pipelines.errors import ThresherError
from pipelines.ingest import IngestReport
from pipelines.runs import Decision
from reports.run_index import RunPage, render_run_index

__all__ = ["FlowRun", "StageCall", "StageFailed"]

_LEDGER_FACTS = ("read", "ok", "valid", "train", "test", "scored", "predicted")


class StageFailed(ThresherError):
    """A stage of a flow raised: the one-line cause names the stage."""


def one_line(exc: BaseException) -> str:
    """`exc` as one line: our errors' own message, anything else with its type."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, ThresherError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _call(task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Submit `task` to the flow's task runner (threads, or Dask) and wait for its state."""
    future = task.submit(*args, **kwargs)
    future.wait()
    return future.state


def _storage_key(state: Any) -> str | None:
    """The key the task's result was persisted (and looked up) under, when Prefect says."""
    metadata = getattr(getattr(state, "data", None), "metadata", None)
    key = getattr(metadata, "storage_key", None)
    return Path(str(key)).name if key else None


class StageCall(NamedTuple):
    """One stage to run: its name, its task and the task's arguments."""

    name: str
    task: Any
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = {}  # noqa: RUF012 (a NamedTuple default, never mutated)


def _inside_run(folder: Path, runs: Path) -> Path:
    """`folder` relative to its run folder (runs/<name>/<run-id>/...), e.g. `ingest-parts/x`."""
    if folder.is_relative_to(runs) and len(folder.relative_to(runs).parts) > 1:
        return Path(*folder.relative_to(runs).parts[1:])
    return Path(folder.name)


class FlowRun:
    """The run folder of one flow run and everything recorded about it."""

    def __init__(self, config: PipelineConfig, flow: FlowName) -> None:
        self.config = config
        self.flow = flow
        self.run_dir = new_run_dir(config.output_dir, config.name)
        self.done: dict[str, StageDone] = {}
        self.records: list[StageRecord] = []
        self.decisions: list[Decision] = []
        self.record = RunRecord(
            name=config.name,
            run_id=self.run_dir.name,
            run_dir=str(self.run_dir),
            flow=flow,
            status="running",
            started=utc_now(),
            config=config.model_dump(mode="json", by_alias=True),
            fingerprints=source_fingerprints(config.source),
            code_version=code_version(),
            versions=library_versions(),
        )
        self.record.write(self.run_dir)

    def stage(self, name: str, task: Any, /, *args: Any, **kwargs: Any) -> StageDone:
        """Run `task(*args, **kwargs)` as stage `name`; raise `StageFailed` when it fails."""
        return self.stages([StageCall(name, task, args, kwargs)])[0]

    def stages(self, calls: Sequence[StageCall]) -> list[StageDone]:
        """Submit every call at once (concurrently on the task runner); settle each in order.

        Each is recorded as `stage` records it; the first failure raises `StageFailed`.
        """
        started = perf_counter()
        for call in calls:
            progress.notify(call.name, "start")
        futures = [call.task.submit(*call.args, **call.kwargs) for call in calls]
        done = []
        for call, future in zip(calls, futures, strict=True):
            future.wait()
            done.append(self._settle(call, future.state, started))
        return done

    def _settle(self, call: StageCall, state: Any, started: float) -> StageDone:
        name, task, args, kwargs = call
        try:
            done: StageDone = state.result()
        except BaseException as exc:  # the stage's own error, re-raised by Prefect
            seconds = round(perf_counter() - started, 3)
            cause = f"stage `{name}` failed: {one_line(exc)}"
            self._fail_stage(name, seconds, cause)
            failed = StageFailed(cause)
            if isinstance(exc, ThresherError):  # keep the stage's exit code (1: policy failed)
                failed.exit_code = exc.exit_code
            raise failed from exc
        cache_hit = state.name == "Cached"
        if cache_hit and not Path(done.folder).is_dir():  # the cached run folder was deleted
            state = _call(task.with_options(refresh_cache=True), args, kwargs)
            done, cache_hit = state.result(), False
        done = self._materialise(done)
        record = StageRecord(
            name=name,
            seconds=round(perf_counter() - started, 3),
            cache_hit=cache_hit,
            cache_key=_storage_key(state),
            summary=done.summary,
        )
        self.records.append(record)
        self.done[name] = done
        self.decisions.extend(done.decisions)
        progress.notify(name, "done", record)
        return done

    def _materialise(self, done: StageDone) -> StageDone:
        """Copy a cached stage folder from an earlier run into this one (atomically)."""
        source = Path(done.folder)
        target = self.run_dir / _inside_run(source, self.run_dir.parent)
        if source == target:
            return done
        temporary = target.parent / f".{source.name}.copying"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.copytree(source, temporary)
        temporary.replace(target)
        return done.model_copy(update={"folder": str(target)})

    def _fail_stage(self, name: str, seconds: float, cause: str) -> None:
        self.records.append(
            StageRecord(name=name, seconds=seconds, cache_hit=False, status="failed", error=cause)
        )
        self.decisions.append(Decision(stage=name, kind="failure", text=cause))
        progress.notify(name, "failed", self.records[-1])
        self.finish(status="failed", error=cause)

    def path(self, stage: str, file: str) -> Path:
        """A file of a finished stage, in this run's folder."""
        return Path(self.done[stage].folder) / file

    def ledger(self) -> dict[str, int]:
        """Rows at each step: read -> ok -> valid -> train/test -> scored/predicted."""
        out: dict[str, int] = {}
        for done in self.done.values():
            for key in _LEDGER_FACTS:
                value = done.facts.get(key)
                if isinstance(value, int):
                    out[key] = value
        return {key: out[key] for key in _LEDGER_FACTS if key in out}

    def finish(self, *, status: str = "completed", error: str | None = None) -> RunRecord:
        """Write diff, decisions.md, index.html, run.json and artifacts; return the record."""
        notes = [Decision(stage="config", kind="note", text=n) for n in self.config.note_lines()]
        diff = run_diff(self.run_dir, self.ledger(), self.flow)
        decisions = [*self.decisions, *notes]
        if diff is not None:
            decisions += [
                Decision(stage="diff", kind="surprise", text=f"new alert: {alert}")
                for alert in diff.new_alerts
            ]
            if diff.schema_changed:
                decisions.append(Decision(stage="diff", kind="surprise", text=diff.headline()))
        outputs = {"Run page": RUN.index, "Run record (JSON)": RUN.summary}
        outputs["Decision log"] = write_decisions(self.run_dir, self.config.name, decisions)
        for done in self.done.values():
            outputs.update(done.summary.links)
        self.record = self.record.model_copy(
            update={
                "status": status,
                "error": error,
                "finished": utc_now(),
                "stages": list(self.records),
                "ledger": self.ledger(),
                "decisions": decisions,
                "outputs": outputs,
                "previous_run": diff.previous_run if diff else None,
                "diff": diff,
            }
        )
        write_html(render_run_index(self._page(), self._ingest_report()), self.run_dir / RUN.index)
        self.record.write(self.run_dir)
        publish_run_artifacts(self.record, self.run_dir, self._page())
        return self.record

    def _ingest_report(self) -> IngestReport | None:
        if "ingest" not in self.done:
            return None
        path = self.path("ingest", "ingest.json")
        return IngestReport.model_validate_json(path.read_text(encoding="utf-8"))

    def _page(self) -> RunPage:
        stages = [
            done.summary.model_copy(
                update={
                    "links": {
                        label: href
                        for label, href in done.summary.links.items()
                        if (self.run_dir / href).is_file()
                    }
                }
            )
            for done in self.done.values()
        ]
        record = self.record
        return RunPage(
            name=self.config.name,
            run_dir=str(self.run_dir),
            source=self.config.source,
            stages=stages,
            links={"Run record (JSON)": RUN.summary, "Decision log": "decisions.md"},
            flow=self.flow,
            status=record.status,
            error=record.error,
            ledger=record.ledger,
            decisions=record.decisions,
            diff=record.diff,
            stage_seconds={r.name: r.seconds for r in record.stages},
            cache_hits=[r.name for r in record.stages if r.cache_hit],
        )
