"""Small helpers that format values inside alert sentences."""

from __future__ import annotations

__all__ = ["code", "percent"]


def percent(share: float) -> str:
    """`0.843` -> `84.3%`, never rounding a near-total share up to 100%."""
    return f"{share:.1%}" if share < 0.999 or share == 1 else ">99.9%"


def code(value: str, limit: int = 40) -> str:
    """A value in backticks (shown as code in reports), shortened with an ellipsis."""
    return f"`{value if len(value) <= limit else value[: limit - 1] + '…'}`"
