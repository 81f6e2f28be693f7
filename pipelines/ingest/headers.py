"""Column-name repair: snake_case, trimmed, blanks filled, duplicates numbered, valid names."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["column_names", "normalized_names", "snake_case", "unique_names"]

_CAMEL_LOWER_UPPER = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_CAMEL_ACRONYM = re.compile(r"(?<=[A-Z])(?=[A-Z][a-z])")
_DIGIT_THEN_UPPER = re.compile(r"(?<=[0-9])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[\W_]+")


def snake_case(name: str) -> str:
    """`Culmen Length (mm)` -> `culmen_length_mm`, `studyName` -> `study_name`; may be empty.

    Accents are dropped (`Zoë` -> `zoe`); letters without an ASCII form are kept (`名稱`,
    `город`), so names in other scripts do not collapse to `column_N`.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    text = unicodedata.normalize("NFKC", bare).strip()  # recompose Hangul and the like
    text = _CAMEL_ACRONYM.sub("_", text)
    text = _CAMEL_LOWER_UPPER.sub("_", text)
    text = _DIGIT_THEN_UPPER.sub("_", text)
    text = _NON_WORD.sub("_", text)
    return text.strip("_").lower()


def unique_names(bases: list[str]) -> list[str]:
    """`bases` in order, blanks as `column_<position>`, repeats numbered `name_2`, `name_3`."""
    result: list[str] = []
    seen: set[str] = set()
    next_suffix: dict[str, int] = {}  # per base, so many repeats stay linear
    for position, name in enumerate(bases, start=1):
        base = name or f"column_{position}"
        candidate, suffix = base, next_suffix.get(base, 2)
        while candidate in seen:
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        next_suffix[base] = suffix
        seen.add(candidate)
        result.append(candidate)
    return result


def normalized_names(names: list[str]) -> list[str]:
    """Unique, valid snake_case names for `names`, in order.

    Blank names become `column_<position>`; names starting with a digit get a `col_` prefix;
    repeats become `name_2`, `name_3`.
    """
    bases = []
    for position, original in enumerate(names, start=1):
        base = snake_case(original) or f"column_{position}"
        bases.append(f"col_{base}" if base[0].isdigit() else base)
    return unique_names(bases)


def column_names(originals: list[str], *, normalize: bool) -> list[str]:
    """The names a source's columns get: normalised, or kept as the source has them."""
    return normalized_names(originals) if normalize else list(originals)
