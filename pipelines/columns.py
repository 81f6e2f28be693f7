"""Column names as the user knows them: accept a source file's name or the normalised one.

Ingest normalises headers (`Culmen Length (mm)` -> `culmen_length_mm`). Users name columns the
way they see them in the file, so every place that takes a column name resolves it here, once,
against the frame's actual columns and ingest's header mapping.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pipelines.errors import ColumnNotFoundError
from pipelines.ingest.headers import snake_case

__all__ = ["ColumnNames"]


@dataclass(frozen=True)
class ColumnNames:
    """The frame's column names plus where each came from in the source.

    Parameters
    ----------
    columns
        The frame's (normalised) column names, in order.
    originals
        Normalised name -> the name as written in the source file (ingest's header mapping,
        inverted). Columns missing here were not renamed.
    """

    columns: tuple[str, ...]
    originals: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_header_mapping(
        cls, columns: Iterable[str], header_mapping: Mapping[str, str] | None = None
    ) -> ColumnNames:
        """Build from ingest's `header_mapping` (original -> normalised)."""
        originals: dict[str, str] = {}
        for original, normalised in (header_mapping or {}).items():
            # a repeated original is recorded as "name (column N)": show the plain name
            plain = original.rsplit(" (column ", 1)[0] if original.endswith(")") else original
            originals.setdefault(normalised, plain)
        return cls(tuple(columns), originals)

    def original(self, name: str) -> str:
        """The source file's name for column `name` (itself when it was not renamed)."""
        return self.originals.get(name, name)

    def label(self, name: str) -> str:
        """`name` with its original beside it when they differ: `survived (Survived)`."""
        original = self.original(name)
        return name if original == name else f"{name} ({original})"

    def resolve(self, name: str, *, role: str = "column") -> str:
        """The frame's column for `name`, given as in the source file or as normalised.

        Raises
        ------
        ColumnNotFoundError
            One line naming the role, what was asked, and the closest existing names.
        """
        if name in self.columns:
            return name
        matches = [column for column, original in self.originals.items() if original == name]
        if not matches:
            matches = [
                column
                for column, original in self.originals.items()
                if original.strip().casefold() == name.strip().casefold()
            ]
        if not matches:
            snake = snake_case(name)
            matches = [column for column in self.columns if column in (snake, f"col_{snake}")]
        if len(matches) >= 1 and matches[0] in self.columns:
            return matches[0]
        known = [*self.columns, *(self.originals[c] for c in self.columns if c in self.originals)]
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = (
            f"did you mean {', '.join(f'`{c}`' for c in close)}?"
            if close
            else "check the spelling against the file's header"
        )
        msg = f"{role} `{name}` is not a column of the data ({len(self.columns)} columns): {hint}"
        raise ColumnNotFoundError(msg)

    def resolve_all(self, names: Iterable[str], *, role: str = "column") -> tuple[str, ...]:
        """Resolve every name; one error listing all that are missing."""
        resolved: list[str] = []
        missing: list[str] = []
        for name in names:
            try:
                resolved.append(self.resolve(name, role=role))
            except ColumnNotFoundError:
                missing.append(name)
        if missing:
            if len(missing) == 1:
                self.resolve(missing[0], role=role)
            listed = ", ".join(f"`{m}`" for m in missing)
            msg = f"{role}s {listed} are not columns of the data: check them against the header"
            raise ColumnNotFoundError(msg)
        return tuple(resolved)
