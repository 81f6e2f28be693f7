"""Golden JSON files for report models: compare key by key, print a readable diff, refresh.

`tests/golden/<name>.json` holds the expected report. `check_golden` flattens both sides to
`path -> value` (`columns[3].null_count`), lists every changed, missing and new key, and fails
with that list. Refresh every golden file after an intended change with `make golden`
(`pytest tests/test_golden.py --update-golden`), then review the diff in git.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

__all__ = ["GOLDEN_DIR", "check_golden", "flatten", "golden_diff"]

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"
_MAX_LINES = 40


def flatten(value: object, prefix: str = "") -> dict[str, object]:
    """`{"a": [{"b": 1}]}` -> `{"a[0].b": 1}`; empty containers are kept as leaves."""
    if isinstance(value, dict) and value:
        out: dict[str, object] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def golden_diff(expected: object, actual: object) -> list[str]:
    """One line per differing key: `~ path: old -> new`, `- path: old`, `+ path: new`."""
    old, new = flatten(expected), flatten(actual)
    lines: list[str] = []
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            lines.append(f"- {key}: {old[key]!r}")
        elif key not in old:
            lines.append(f"+ {key}: {new[key]!r}")
        elif old[key] != new[key] or type(old[key]) is not type(new[key]):
            lines.append(f"~ {key}: {old[key]!r} -> {new[key]!r}")
    return lines


def check_golden(name: str, payload: object, *, update: bool) -> None:
    """Compare `payload` (JSON-native) with `tests/golden/<name>.json`, or rewrite it."""
    path = GOLDEN_DIR / f"{name}.json"
    text = json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
    if update:
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
        return
    if not path.is_file():
        pytest.fail(f"golden file {path.name} is missing: run `make golden` and commit it")
    expected = json.loads(path.read_text(encoding="utf-8"))
    lines = golden_diff(expected, json.loads(text))
    if lines:
        shown = lines[:_MAX_LINES]
        more = f"\n... and {len(lines) - _MAX_LINES} more" if len(lines) > _MAX_LINES else ""
        pytest.fail(
            f"{path.name}: {len(lines)} key(s) differ from the golden file "
            "(if intended: `make golden`, then review `git diff tests/golden`):\n"
            + "\n".join(shown)
            + more,
            pytrace=False,
        )
