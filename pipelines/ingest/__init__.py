"""Ingest stage: any messy file or database table in, a repaired polars frame out, nothing lost."""

from pipelines.ingest.api import ingest
from pipelines.ingest.models import (
    ColumnReport,
    IngestOptions,
    IngestReport,
    IngestResult,
)
from pipelines.ingest.streaming import ingest_to_parquet

__all__ = [
    "ColumnReport",
    "IngestOptions",
    "IngestReport",
    "IngestResult",
    "ingest",
    "ingest_to_parquet",
]
