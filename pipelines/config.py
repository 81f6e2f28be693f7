"""The YAML pipeline config, loaded into frozen pydantic models with errors that name the key.

Every stage section is `enabled` plus that stage's own options model under `options`, so a
YAML file reaches every option the Python API has (and a new stage's section is two fields):

```yaml
task: {target: Survived, kind: auto}          # pipelines.task.TaskSpec
ingest: {null_tokens: ["", "NA"]}              # pipelines.ingest.IngestOptions (always runs)
validate:
  enabled: true
  schema: schemas.penguins:PenguinsRaw
  options: {great_expectations: false, policy: {max_invalid_fraction: 0.05}}
profile:
  enabled: true
  reference: last_month.parquet
  options: {histogram_bins: 20, sample_rows: 50000}
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipelines.error_analysis.options import ErrorAnalysisOptions
from pipelines.errors import ConfigError
from pipelines.features.options import FeaturesOptions
from pipelines.ingest.models import IngestOptions
from pipelines.profile.options import ProfileOptions
from pipelines.task import TaskSpec
from pipelines.train.options import TrainOptions
from pipelines.validate.models import ValidateOptions

__all__ = [
    "ErrorsSection",
    "FeaturesSection",
    "MonitorSection",
    "PipelineConfig",
    "ProfileSection",
    "ScoreSection",
    "TrainSection",
    "ValidateSection",
    "load_config",
]

_OLD_TASK_KINDS = {"classification": "auto"}
"""Task kinds of configs written before `TaskSpec`: `classification` lets the data decide
between binary and multiclass (`auto`)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class ValidateSection(_Frozen):
    """Validation: which pandera model, and the stage's `ValidateOptions`."""

    enabled: bool = True
    schema_ref: str | None = Field(
        None, alias="schema", description="`module:Model`, e.g. `schemas.penguins:PenguinsRaw`."
    )
    policy: Path | None = Field(
        None,
        description="YAML/JSON validation policy file (instead of `options.policy` inline).",
    )
    options: ValidateOptions = Field(default_factory=ValidateOptions)


class ProfileSection(_Frozen):
    """The EDA profile: an optional reference to compare against, and `ProfileOptions`."""

    enabled: bool = True
    reference: str | None = Field(None, description="Reference source to compare against.")
    options: ProfileOptions = Field(default_factory=ProfileOptions)


class FeaturesSection(_Frozen):
    """Features: `FeaturesOptions` (`features.options.keep: [...]`, `drop`, `encodings`...)."""

    enabled: bool = True
    options: FeaturesOptions = Field(default_factory=FeaturesOptions)


class TrainSection(_Frozen):
    """Training: `TrainOptions` (`train.options.tune.trials: 20`, `folds`, `threshold`...)."""

    enabled: bool = True
    options: TrainOptions = Field(default_factory=TrainOptions)


class ErrorsSection(_Frozen):
    """Error analysis of the trained model on its held-out rows: `ErrorAnalysisOptions`."""

    enabled: bool = True
    options: ErrorAnalysisOptions = Field(default_factory=ErrorAnalysisOptions)


class ScoreSection(_Frozen):
    """Batch scoring (`--flow score`, or after `monitor`): which saved model predicts."""

    enabled: bool = Field(
        False, description="Also score in the monitor flow (the score flow always scores)."
    )
    model_dir: Path | None = Field(
        None, description="Model directory written by `thresher train` or a train flow run."
    )


class MonitorSection(_Frozen):
    """The monitor flow: when to raise alerts against the previous run of this config."""

    max_row_change: float = Field(
        0.5, ge=0, description="Alert when the rows read change by more than this share."
    )
    max_quarantine_share: float = Field(
        0.05, ge=0, le=1, description="Alert when more than this share of rows is quarantined."
    )


class PipelineConfig(_Frozen):
    """One pipeline run: where data comes from, where outputs go, and each stage's section."""

    name: str = Field(..., description="Run name; used in the run folder and flow run name.")
    source: str = Field(..., description="Path, glob or database URI that ingest reads.")
    output_dir: Path = Field(Path("runs"), description="Run folders are created under this.")
    task: TaskSpec = TaskSpec()
    ingest: IngestOptions = IngestOptions()
    validate_: ValidateSection = Field(ValidateSection(), alias="validate")
    profile: ProfileSection = ProfileSection()
    features: FeaturesSection = FeaturesSection()
    train: TrainSection = TrainSection()
    errors: ErrorsSection = ErrorsSection()
    score: ScoreSection = ScoreSection()
    monitor: MonitorSection = MonitorSection()
    notes: str | list[str] | None = Field(
        None, description="Free text copied into every run's decision log."
    )

    def note_lines(self) -> list[str]:
        """The config's `notes` as a list of non-empty lines."""
        if self.notes is None:
            return []
        items = [self.notes] if isinstance(self.notes, str) else self.notes
        return [line.strip() for item in items for line in item.splitlines() if line.strip()]

    @field_validator("task", mode="before")
    @classmethod
    def _old_task_kinds(cls, value: Any) -> Any:
        if isinstance(value, dict) and value.get("kind") in _OLD_TASK_KINDS:
            return {**value, "kind": _OLD_TASK_KINDS[value["kind"]]}
        return value

    def resolve_paths(self, base: Path) -> PipelineConfig:
        """Return a copy with relative paths taken relative to `base` (the config's folder)."""
        source = self.source
        if (
            "://" not in source
            and not source.startswith("sqlite:")
            and not Path(source).is_absolute()
        ):
            source = str((base / source).resolve())
        output_dir = (base / self.output_dir).resolve()
        updates: dict[str, object] = {"source": source, "output_dir": output_dir}
        model_dir = self.score.model_dir
        if model_dir is not None and not model_dir.is_absolute():
            updates["score"] = self.score.model_copy(
                update={"model_dir": (base / model_dir).resolve()}
            )
        section = self.validate_
        if section.policy is not None and not section.policy.is_absolute():
            policy = (base / section.policy).resolve()
            updates["validate_"] = section.model_copy(update={"policy": policy})
        if self.profile.reference and "://" not in self.profile.reference:
            ref = Path(self.profile.reference)
            if not ref.is_absolute():
                reference = str((base / ref).resolve())
                updates["profile"] = self.profile.model_copy(update={"reference": reference})
        return self.model_copy(update=updates)


def load_config(path: Path) -> PipelineConfig:
    """Read a YAML config file; relative paths in it are relative to the file's folder."""
    if not path.is_file():
        msg = f"config file `{path}` not found: pass the path to a YAML pipeline config"
        raise ConfigError(msg)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        msg = f"config file `{path}` is not valid YAML: {exc}".replace("\n", " ")
        raise ConfigError(msg) from exc
    if not isinstance(raw, dict):
        msg = f"config file `{path}` must hold a mapping with at least `name` and `source`"
        raise ConfigError(msg)
    try:
        config = PipelineConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"`{'.'.join(str(p) for p in err['loc'])}`: {err['msg']}" for err in exc.errors()
        )
        msg = f"config file `{path}` is invalid: {problems}"
        raise ConfigError(msg) from exc
    validate = raw.get("validate") or {}
    if (
        isinstance(validate, dict)
        and "policy" in validate
        and "policy" in (validate.get("options") or {})
    ):
        msg = (
            f"config file `{path}`: `validate.policy` (a file) and `validate.options.policy` "
            "(inline) are both set: keep one"
        )
        raise ConfigError(msg)
    return config.resolve_paths(path.resolve().parent)
