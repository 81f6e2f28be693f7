"""Batch scoring in a run: predict ingested rows with a saved model into `run_dir/score/`.

The model's `InputSchema` checks the input first (inside `predict`): missing columns fail with
one error naming them all; rows that do not fit are quarantined with a reason, never dropped.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.decisions import quarantine_decision
from flows.files import write_json
from flows.predict_outputs import run_predict
from flows.run_record import StageDone
from pipelines.runs import Decision
from pipelines.stage import StageSummary

__all__ = ["SCORE_FOLDER", "run_score"]

SCORE_FOLDER = "score"


def run_score(model_dir: Path, data: Path, run_dir: Path) -> StageDone:
    """Predict the rows of `data` (Parquet) with `model_dir`; write predictions + quarantine."""
    out_dir = run_dir / SCORE_FOLDER
    frame = pl.read_parquet(data)
    outputs = run_predict(model_dir, frame, out_dir / "predictions.parquet")
    report = outputs.result.report
    write_json(report.model_dump(mode="json"), out_dir / "score.json")
    links = {"Predictions (Parquet)": f"{SCORE_FOLDER}/predictions.parquet"}
    links["Scoring account (JSON)"] = f"{SCORE_FOLDER}/score.json"
    if outputs.quarantine is not None:
        links["Rows not scored"] = f"{SCORE_FOLDER}/{outputs.quarantine.name}"
    counts = ", ".join(f"{n:,} {c}" for c, n in sorted(report.prediction_counts.items()))
    headline = f"{report.rows_predicted:,} of {report.rows_in:,} rows predicted" + (
        f" ({counts})" if counts else ""
    )
    decisions = [
        Decision(stage="score", kind="surprise", text=warning) for warning in report.warnings
    ]
    if report.rows_quarantined:
        decisions.append(
            quarantine_decision(
                "score",
                report.rows_quarantined,
                report.quarantine_reasons,
                "did not fit the model's schema",
            )
        )
    print(f"score: {headline}")
    return StageDone(
        stage="score",
        folder=str(out_dir),
        summary=StageSummary(
            name="score",
            rows_in=report.rows_in,
            rows_out=report.rows_predicted,
            rows_set_aside=report.rows_quarantined,
            headline=headline + ".",
            links=links,
        ),
        facts={"predicted": report.rows_predicted},
        decisions=decisions,
    )
