"""Load what the stage is given by name: a pandera model from `module:Model`, a policy file."""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pandera.polars as pa
import yaml
from pydantic import ValidationError

from pipelines.validate.errors import PolicyError, SchemaRefError
from pipelines.validate.models import ValidationPolicy

__all__ = ["SchemaLike", "load_policy", "resolve_schema", "schema_name"]

SchemaLike = type[pa.DataFrameModel] | pa.DataFrameSchema | str


def _import_module(module_ref: str, reference: str) -> Any:
    if module_ref.endswith(".py") or "/" in module_ref:
        path = Path(module_ref)
        if not path.is_file():
            msg = f"schema `{reference}`: file `{path}` not found; pass `path/to/file.py:Model`"
            raise SchemaRefError(msg)
        spec = importlib.util.spec_from_file_location(f"_thresher_schema_{path.stem}", path)
        if spec is None or spec.loader is None:
            msg = f"schema `{reference}`: `{path}` is not an importable Python file"
            raise SchemaRefError(msg)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # pandera resolves annotations through sys.modules
        spec.loader.exec_module(module)
        return module
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.append(cwd)  # so `schemas.mine:Model` written by infer-schema imports from here
    try:
        return importlib.import_module(module_ref)
    except ImportError as exc:
        msg = (
            f"schema `{reference}`: cannot import module `{module_ref}` ({exc}); "
            "pass `package.module:Model` importable from the current folder"
        )
        raise SchemaRefError(msg) from exc


def resolve_schema(schema: SchemaLike) -> pa.DataFrameSchema:
    """Turn a model class, a schema, or a `module:Model` / `file.py:Model` string into a schema."""
    if isinstance(schema, pa.DataFrameSchema):
        return schema
    if isinstance(schema, str):
        module_ref, sep, attribute = schema.partition(":")
        if not sep or not module_ref or not attribute:
            msg = f"schema `{schema}` must look like `module:Model` (schemas.penguins:PenguinsRaw)"
            raise SchemaRefError(msg)
        module = _import_module(module_ref, schema)
        if not hasattr(module, attribute):
            msg = f"schema `{schema}`: module `{module_ref}` has no `{attribute}`; check the name"
            raise SchemaRefError(msg)
        return resolve_schema(getattr(module, attribute))
    if isinstance(schema, type) and issubclass(schema, pa.DataFrameModel):
        return schema.to_schema()
    msg = f"schema must be a pandera polars DataFrameModel or DataFrameSchema, got {schema!r}"
    raise SchemaRefError(msg)


def schema_name(schema: SchemaLike) -> str:
    """Return a readable name for the schema, for reports."""
    if isinstance(schema, str):
        return schema
    if isinstance(schema, type):
        return f"{schema.__module__}:{schema.__name__}"
    return schema.name or "DataFrameSchema"


def load_policy(path: Path | None) -> ValidationPolicy:
    """Read a YAML or JSON policy file; ``None`` gives the default policy."""
    if path is None:
        return ValidationPolicy()
    if not path.is_file():
        msg = f"policy file `{path}` not found: pass a YAML/JSON file or leave --policy out"
        raise PolicyError(msg)
    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        msg = f"policy file `{path}` cannot be parsed: {exc}".replace("\n", " ")
        raise PolicyError(msg) from exc
    try:
        return ValidationPolicy.model_validate(raw or {})
    except ValidationError as exc:
        problems = "; ".join(
            f"`{'.'.join(str(p) for p in err['loc'])}`: {err['msg']}" for err in exc.errors()
        )
        msg = f"policy file `{path}` is invalid: {problems}"
        raise PolicyError(msg) from exc
