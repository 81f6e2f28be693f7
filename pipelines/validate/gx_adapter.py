"""The one door to Great Expectations: pandera schema -> ExpectationSuite, runs, Data Docs HTML.

GX has no polars support, so this module is the **only place in thresher that converts a frame
to pandas** (``_to_pandas``). GX imports take ~3 s: every GX import is inside a function.
Nothing here writes files; Data Docs pages come back as HTML text for ``flows`` to store, and
``reports.validation_gx`` makes them render offline.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandera.polars as pa
import polars as pl

from pipelines.validate.errors import ValidateError
from pipelines.validate.models import GxRunSummary
from pipelines.validate.structure import target_dtype

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["GxRun", "expectations_from_schema", "run_gx"]

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class GxRun:
    """What GX found: one summary and one Data Docs page (HTML text) per suite."""

    summaries: list[GxRunSummary]
    pages: dict[str, str] = field(default_factory=dict)


def _column_expectations(name: str, column: pa.Column) -> tuple[list[dict[str, Any]], list[str]]:
    """Return expectation configs for one column, and the checks with no GX equivalent."""
    configs: list[dict[str, Any]] = [{"type": "expect_column_to_exist", "kwargs": {"column": name}}]
    unmapped: list[str] = []
    if not column.nullable:
        configs.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": name}})
    if column.unique:
        configs.append({"type": "expect_column_values_to_be_unique", "kwargs": {"column": name}})
    is_temporal = isinstance(target_dtype(column), pl.Date | pl.Datetime)
    for check in column.checks:
        stats = dict(check.statistics or {})
        kwargs: dict[str, Any] = {"column": name}
        kind = check.name
        if kind in {"greater_than_or_equal_to", "greater_than"} and not is_temporal:
            kwargs |= {"min_value": stats["min_value"], "strict_min": kind == "greater_than"}
            configs.append({"type": "expect_column_values_to_be_between", "kwargs": kwargs})
        elif kind in {"less_than_or_equal_to", "less_than"} and not is_temporal:
            kwargs |= {"max_value": stats["max_value"], "strict_max": kind == "less_than"}
            configs.append({"type": "expect_column_values_to_be_between", "kwargs": kwargs})
        elif kind == "in_range" and not is_temporal:
            kwargs |= {
                "min_value": stats["min_value"],
                "max_value": stats["max_value"],
                "strict_min": not stats.get("include_min", True),
                "strict_max": not stats.get("include_max", True),
            }
            configs.append({"type": "expect_column_values_to_be_between", "kwargs": kwargs})
        elif kind == "isin":
            kwargs["value_set"] = sorted(stats["allowed_values"], key=str)
            configs.append({"type": "expect_column_values_to_be_in_set", "kwargs": kwargs})
        elif kind == "notin":
            kwargs["value_set"] = sorted(stats["forbidden_values"], key=str)
            configs.append({"type": "expect_column_values_to_not_be_in_set", "kwargs": kwargs})
        elif kind == "equal_to":
            kwargs["value_set"] = [stats["value"]]
            configs.append({"type": "expect_column_values_to_be_in_set", "kwargs": kwargs})
        elif kind in {"str_matches", "str_contains", "str_startswith", "str_endswith"}:
            pattern = stats.get("pattern") or stats.get("string")
            regex = {
                "str_matches": f"^(?:{pattern})",
                "str_contains": str(pattern),
                "str_startswith": f"^{re.escape(str(pattern))}",
                "str_endswith": f"{re.escape(str(pattern))}$",
            }[kind]
            kwargs["regex"] = regex
            configs.append({"type": "expect_column_values_to_match_regex", "kwargs": kwargs})
        elif kind == "str_length":
            kwargs |= {"min_value": stats.get("min_value"), "max_value": stats.get("max_value")}
            configs.append({"type": "expect_column_value_lengths_to_be_between", "kwargs": kwargs})
        else:
            unmapped.append(f"{name}:{check.error or kind}")
    return configs, unmapped


def expectations_from_schema(
    schema: pa.DataFrameSchema,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Translate every check of `schema` that has a GX equivalent into expectation configs.

    Returns
    -------
    tuple[list[dict[str, Any]], list[str]]
        Expectation configs (``{"type": ..., "kwargs": ...}``, JSON-able) and the checks that
        do not map (custom checks, dtypes of temporal ranges), as ``column:check``.
        Dtypes are not translated: pandas dtypes differ from polars ones, and pandera checks
        them before GX runs.
    """
    configs: list[dict[str, Any]] = []
    unmapped: list[str] = []
    for name, column in schema.columns.items():
        column_configs, column_unmapped = _column_expectations(name, column)
        configs += column_configs
        unmapped += column_unmapped
    keys = [schema.unique] if isinstance(schema.unique, str) else list(schema.unique or [])
    if keys:
        configs.append(
            {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": keys}}
        )
    if schema.strict is True:
        configs.append(
            {
                "type": "expect_table_columns_to_match_set",
                "kwargs": {"column_set": list(schema.columns), "exact_match": True},
            }
        )
    unmapped += [f"<frame>:{check.error or check.name}" for check in schema.checks]
    return configs, unmapped


def _to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """Convert for GX; the only polars -> pandas conversion in thresher."""
    return frame.to_pandas()


def _quiet_context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    for name in ["great_expectations", *logging.root.manager.loggerDict]:
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.WARNING)

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _builtin(value: Any) -> Any:
    """Numpy scalars -> Python ones, recursively (GX's renderer chokes on numpy 2 reprs)."""
    if isinstance(value, dict):
        return {key: _builtin(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_builtin(item) for item in value]
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return item()
    return value


def _suite(name: str, configs: list[dict[str, Any]]) -> Any:
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    suite = gx.ExpectationSuite(name=name)
    for config in configs:
        try:
            suite.add_expectation_configuration(
                ExpectationConfiguration(type=config["type"], kwargs=config.get("kwargs", {}))
            )
        except Exception as exc:  # GX raises many types for a bad expectation
            msg = f"suite `{name}`: expectation {config.get('type')!r} is invalid ({exc})"
            raise ValidateError(msg) from exc
    return suite


def run_gx(
    frame: pl.DataFrame,
    schema: pa.DataFrameSchema,
    user_suites: dict[str, list[dict[str, Any]]] | None = None,
    *,
    suite_name: str = "schema",
    render_docs: bool = True,
) -> GxRun:
    """Run the suite translated from `schema`, then each user suite, over `frame` (collected).

    Parameters
    ----------
    frame
        The data; converted to pandas here once.
    schema
        The pandera schema to translate.
    user_suites
        Suite name -> expectation configs (``{"type", "kwargs"}``), e.g. from JSON files.
    suite_name
        Name for the translated suite.
    render_docs
        Also render one Data Docs page per suite (HTML text, still linking GX's CDN assets).

    Returns
    -------
    GxRun
        One summary per suite and, if asked, pages keyed by a file-safe suite name.
    """
    import great_expectations as gx
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    context = _quiet_context()
    batch = (
        context.data_sources.add_pandas("thresher")
        .add_dataframe_asset("frame")
        .add_batch_definition_whole_dataframe("whole")
    )
    translated, unmapped = expectations_from_schema(schema)
    suites = {suite_name: translated} | dict(user_suites or {})
    pandas_frame = _to_pandas(frame)
    summaries: list[GxRunSummary] = []
    pages: dict[str, str] = {}
    for name, configs in suites.items():
        suite = context.suites.add(_suite(name, configs))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"validate-{name}", data=batch, suite=suite)
        )
        outcome = definition.run(
            batch_parameters={"dataframe": pandas_frame}, result_format="SUMMARY"
        )
        failed = sum(1 for result in outcome.results if not result.success)
        summaries.append(
            GxRunSummary(
                suite=name,
                success=bool(outcome.success),
                expectations=len(outcome.results),
                expectations_failed=failed,
                unmapped_checks=unmapped if name == suite_name else [],
            )
        )
        if render_docs:
            for result in outcome.results:
                result.result = _builtin(result.result)
            document = ValidationResultsPageRenderer().render(outcome)
            pages[_SAFE_NAME.sub("_", name)] = DefaultJinjaPageView().render(document)
    return GxRun(summaries=summaries, pages=pages)
