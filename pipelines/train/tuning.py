"""Optional Optuna study over LightGBM parameters on the CV folds (TPE sampler, median pruner)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipelines.profile.models import finite
from pipelines.train.booster import booster_params, fit_booster, predict_booster
from pipelines.train.cv import FoldMatrices, balanced_weights
from pipelines.train.learning import loss
from pipelines.train.metrics import LOSS_METRIC
from pipelines.train.models import TuningSummary, TuningTrial
from pipelines.train.options import LightGBMOptions, TrainOptions

__all__ = ["tune"]


def tune(
    folds: Sequence[FoldMatrices],
    y: np.ndarray,
    *,
    kind: str,
    classes: int,
    options: TrainOptions,
    balance: bool,
) -> tuple[LightGBMOptions, TuningSummary]:
    """Search learning rate, leaves, leaf size, feature share and L2 on mean CV loss.

    Each trial reports its running mean after every fold so the median pruner can stop it.
    Deterministic for a seed (sampler seeded; one trial at a time).
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    base = options.lightgbm

    def objective(trial: optuna.Trial) -> float:
        trial_options = base.model_copy(
            update={
                "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
                "num_leaves": trial.suggest_int("num_leaves", 4, 128, log=True),
                "min_data_in_leaf": trial.suggest_int("min_data_in_leaf", 5, 100, log=True),
                "feature_fraction": trial.suggest_float("feature_fraction", 0.5, 1.0),
                "lambda_l2": trial.suggest_float("lambda_l2", 1e-3, 10.0, log=True),
            }
        )
        params = booster_params(
            kind, classes, trial_options, seed=options.seed, num_threads=options.num_threads
        )
        losses: list[float] = []
        for step, fold in enumerate(folds):
            y_fit = y[fold.fit]
            fit = fit_booster(
                fold.x_fit,
                y_fit,
                params=params,
                rounds=base.max_rounds,
                feature_names=fold.names,
                categorical=fold.categorical,
                weights=balanced_weights(y_fit, classes) if balance else None,
                valid=(fold.x_valid, y[fold.valid]),
                early_stopping_rounds=base.early_stopping_rounds,
            )
            predicted = predict_booster(fit.booster, fold.x_valid, kind, rounds=fit.best_iteration)
            losses.append(loss(y[fold.valid], predicted, kind))
            trial.report(float(np.mean(losses)), step)
            if trial.should_prune():
                raise optuna.TrialPruned
        return float(np.mean(losses))

    study = optuna.create_study(
        direction="minimize",
        sampler=optuna.samplers.TPESampler(seed=options.seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1),
    )
    study.optimize(objective, n_trials=options.tune.trials, timeout=options.tune.timeout_seconds)
    trials = [
        TuningTrial(
            number=t.number,
            params={k: _rounded(v) for k, v in sorted(t.params.items())},
            value=finite(t.value) if t.value is not None else None,
            state=t.state.name.lower(),
        )
        for t in study.trials
    ]
    complete = [t for t in study.trials if t.value is not None and t.state.name == "COMPLETE"]
    best_params: dict[str, float | int] = {}
    best_value = None
    tuned = base
    if complete:
        best = study.best_trial
        best_params = {k: _rounded(v) for k, v in sorted(best.params.items())}
        best_value = finite(best.value) if best.value is not None else None
        tuned = base.model_copy(update=dict(best.params))
    summary = TuningSummary(
        metric=LOSS_METRIC[kind],
        direction="minimize",
        trials=trials,
        best_params=best_params,
        best_value=best_value,
    )
    return tuned, summary


def _rounded(value: object) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if isinstance(value, int):
        return value
    return finite(float(value)) or 0.0
