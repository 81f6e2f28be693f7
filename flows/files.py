"""Small file writers shared by every stage's output code."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["write_json"]


def write_json(payload: object, path: Path, *, sort_keys: bool = True) -> Path:
    """Write JSON (keys sorted unless the payload's order is meaningful) plus a newline."""
    text = json.dumps(payload, indent=2, sort_keys=sort_keys, default=str)
    path.write_text(text + "\n", "utf-8")
    return path
