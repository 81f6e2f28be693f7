"""Deployments and schedules of thresher's flows (schedules live here, never in flow code)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from pipelines.config import PipelineConfig

if TYPE_CHECKING:
    from prefect import Flow
    from prefect.deployments.runner import RunnerDeployment

__all__ = ["build_deployment", "flow_for", "serve_pipeline"]


def flow_for(name: str) -> Flow[Any, Any]:
    """The flow object called `name` (train, monitor or score)."""
    if name == "monitor":
        from flows.monitor import monitor_flow

        return cast("Flow[Any, Any]", monitor_flow)
    if name == "score":
        from flows.score import score_flow

        return cast("Flow[Any, Any]", score_flow)
    from flows.pipeline import train_flow

    return cast("Flow[Any, Any]", train_flow)


def _parameters(config: PipelineConfig) -> dict[str, Any]:
    return {"config": config.model_dump(mode="json", by_alias=True)}


def build_deployment(
    config: PipelineConfig, cron: str | None = None, *, flow: str = "train"
) -> RunnerDeployment:
    """A deployment of the `flow` flow for `config`, scheduled by `cron` when given.

    Its name is the config's name, so the Prefect UI lists `thresher-train/penguins`.
    """
    deployment = flow_for(flow).to_deployment(
        name=config.name, cron=cron, parameters=_parameters(config)
    )
    # `to_deployment` is sync-compatible: called outside an event loop it returns the value
    return cast("RunnerDeployment", deployment)


def serve_pipeline(config: PipelineConfig, cron: str | None = None, *, flow: str = "train") -> None:
    """Serve the deployment until interrupted (needs a server and PREFECT_API_URL)."""
    from prefect import serve

    serve(build_deployment(config, cron, flow=flow))
