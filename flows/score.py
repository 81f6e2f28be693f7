"""The score flow: ingest -> predict with a saved model (input checked against its schema).

The model directory comes from `score.model_dir` in the config (or the `model_dir` parameter,
`thresher run CONFIG --flow score --model DIR`). Validation is the model's own `InputSchema`
(missing columns fail with one error naming them; rows that do not fit are quarantined), so
the config's pandera schema, written for labelled training data, is not applied.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.run_context import FlowRun
from flows.run_record import RunRecord
from flows.run_steps import ingest_step
from flows.tasks import predict_task
from pipelines.config import PipelineConfig
from pipelines.errors import ConfigError

__all__ = ["score_flow"]


@flow(name="thresher-score", flow_run_name="score-{config.name}", log_prints=True)
def score_flow(config: PipelineConfig, model_dir: Path | None = None) -> RunRecord:
    """Predict the config's source with `model_dir` (default `score.model_dir`)."""
    model = model_dir or config.score.model_dir
    if model is None:
        msg = (
            "the score flow needs a model: set `score.model_dir` in the config or pass "
            "`--model DIR` (a folder written by `thresher train` or a train run's `train/`)"
        )
        raise ConfigError(msg)
    if not (Path(model) / "model.txt").is_file():
        msg = (
            f"model directory `{model}` has no model.txt: pass a folder written by `thresher train`"
        )
        raise ConfigError(msg)
    run = FlowRun(config, "score")
    data = ingest_step(run)
    run.stage("score", predict_task, Path(model), data, run.run_dir)
    return run.finish()
