"""Deployments and schedules for the main flow (schedules live here, never in flow code)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from pipelines.config import PipelineConfig

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

__all__ = ["build_deployment", "serve_pipeline"]


def _parameters(config: PipelineConfig) -> dict[str, Any]:
    return {"config": config.model_dump(mode="json", by_alias=True)}


def build_deployment(config: PipelineConfig, cron: str | None = None) -> RunnerDeployment:
    """A deployment of `thresher-pipeline` for `config`, scheduled by `cron` when given."""
    from flows.pipeline import thresher_pipeline

    deployment = thresher_pipeline.to_deployment(
        name=config.name, cron=cron, parameters=_parameters(config)
    )
    # `to_deployment` is sync-compatible: called outside an event loop it returns the value
    return cast("RunnerDeployment", deployment)


def serve_pipeline(config: PipelineConfig, cron: str | None = None) -> None:
    """Serve the deployment until interrupted (needs `prefect server start` and PREFECT_API_URL)."""
    from prefect import serve

    serve(build_deployment(config, cron))
