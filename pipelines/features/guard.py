"""The dtype guard in front of LightGBM, which aborts the whole process on text columns.

LightGBM 4.7 given a polars String, Categorical or Enum column does not raise: it aborts
Python (`Unsupported Arrow type`, see STACK.md). Call `ensure_numeric_frame` on every frame
before it reaches LightGBM.
"""

from __future__ import annotations

import polars as pl

from pipelines.features.errors import FeatureDtypeError

__all__ = ["ensure_numeric_frame"]


def ensure_numeric_frame(frame: pl.DataFrame, *, where: str = "LightGBM input") -> pl.DataFrame:
    """Return `frame` unchanged when every column is numeric; raise naming the others.

    Raises
    ------
    FeatureDtypeError
        One line listing every non-numeric column with its dtype.
    """
    bad = [(name, dtype) for name, dtype in frame.schema.items() if not dtype.is_numeric()]
    if bad:
        listed = ", ".join(f"`{name}` ({dtype})" for name, dtype in bad[:10])
        more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        msg = (
            f"{where}: expected only numeric columns, got {len(bad)} that are not: {listed}"
            f"{more}; pass the frame through the fitted FeaturePipeline first"
        )
        raise FeatureDtypeError(msg)
    return frame
