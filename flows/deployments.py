"""Deployments and schedules of thresher's flows (schedules live here, never in flow code)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from pipelines.config import PipelineConfig

if TYPE_CHECKING:
    from prefect import Flow
    from prefect.deployments.runner import RunnerDeployment

__all__ = [
    "ZOMBIE_AUTOMATION",
    "build_deployment",
    "ensure_zombie_automation",
    "flow_for",
    "serve_pipeline",
]

ZOMBIE_AUTOMATION = "thresher: crash unresponsive flow runs"
"""Name of the automation `thresher serve` keeps on the server (one per server, by name)."""


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


def ensure_zombie_automation() -> bool:
    """Make sure the server marks a flow run Crashed when its heartbeats stop; True if created.

    A served run whose machine dies (or that is SIGKILLed) would otherwise stay Running in the
    UI forever. Flow runs send a heartbeat every `PREFECT_FLOWS_HEARTBEAT_FREQUENCY` seconds
    (Prefect's default 180); the automation fires when none arrives for three periods and the
    run has not finished. This is Prefect's documented recipe ("detect zombie flows").
    """
    from datetime import timedelta

    from prefect.automations import Automation
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification
    from prefect.settings import get_current_settings

    with get_client(sync_client=True) as client:
        if client.read_automations_by_name(ZOMBIE_AUTOMATION):
            return False
    frequency = get_current_settings().flows.heartbeat_frequency or 180
    Automation(
        name=ZOMBIE_AUTOMATION,
        description="Marks flow runs Crashed when they stop sending heartbeats (thresher serve).",
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect={
                "prefect.flow-run.heartbeat",
                "prefect.flow-run.Completed",
                "prefect.flow-run.Failed",
                "prefect.flow-run.Cancelled",
                "prefect.flow-run.Crashed",
            },
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=3 * frequency),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message=f"no heartbeat for {3 * frequency} s: the process running it is gone",
            )
        ],
    ).create()
    return True


def serve_pipeline(config: PipelineConfig, cron: str | None = None, *, flow: str = "train") -> None:
    """Serve the deployment until interrupted (needs a server and PREFECT_API_URL)."""
    from prefect import serve

    ensure_zombie_automation()
    serve(build_deployment(config, cron, flow=flow))
