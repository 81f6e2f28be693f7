"""The YAML pipeline config, loaded into frozen pydantic models with errors that name the key."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipelines.errors import ConfigError
from pipelines.features.options import FeaturesOptions
from pipelines.ingest.models import IngestOptions
from pipelines.train.options import TrainOptions

__all__ = [
    "FeaturesSection",
    "PipelineConfig",
    "ProfileSection",
    "TaskSection",
    "TrainSection",
    "ValidateSection",
    "load_config",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TaskSection(_Frozen):
    """What the model will learn: the target column and the kind of problem."""

    kind: Literal["classification", "regression"] = "classification"
    target: str | None = Field(None, description="Target column, as named after ingest.")


class ValidateSection(_Frozen):
    """Which pandera model validates the ingested data, and how strict to be."""

    enabled: bool = True
    schema_ref: str | None = Field(
        None, alias="schema", description="`module:Model`, e.g. `schemas.penguins:PenguinsRaw`."
    )
    policy: Path | None = Field(None, description="YAML/JSON validation policy file.")


class ProfileSection(_Frozen):
    """Options for the EDA report."""

    enabled: bool = True
    reference: str | None = Field(None, description="Reference source to compare against.")


class FeaturesSection(FeaturesOptions):
    """`features:`: any `FeaturesOptions` field, plus `enabled`."""

    enabled: bool = True

    def options(self) -> FeaturesOptions:
        """The stage's options without `enabled`."""
        return FeaturesOptions.model_validate(self.model_dump(exclude={"enabled"}))


class TrainSection(TrainOptions):
    """`train:`: any `TrainOptions` field (`train.tune.trials: 20`), plus `enabled`."""

    enabled: bool = True

    def options(self) -> TrainOptions:
        """The stage's options without `enabled`."""
        return TrainOptions.model_validate(self.model_dump(exclude={"enabled"}))


class PipelineConfig(_Frozen):
    """One pipeline run: where data comes from, where outputs go, and each stage's section."""

    name: str = Field(..., description="Run name; used in the run folder and flow run name.")
    source: str = Field(..., description="Path, glob or database URI that ingest reads.")
    output_dir: Path = Field(Path("runs"), description="Run folders are created under this.")
    task: TaskSection = TaskSection()
    ingest: IngestOptions = IngestOptions()
    validate_: ValidateSection = Field(ValidateSection(), alias="validate")
    profile: ProfileSection = ProfileSection()
    features: FeaturesSection = FeaturesSection()
    train: TrainSection = TrainSection()

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
    return config.resolve_paths(path.resolve().parent)
