"""`thresher` command line: each module in this package adds its commands via `register(app)`.

Every `ThresherError` becomes one line `thresher: error: ...` and exit code 2 (or the error's
own code); `--debug` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

import typer

from pipelines.errors import ThresherError

__all__ = ["app", "main"]

app = typer.Typer(
    name="thresher",
    help="Messy tabular data from raw files to reviewed models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    """Messy tabular data from raw files to reviewed models."""
    if debug:
        os.environ["THRESHER_DEBUG"] = "1"


def _register_commands() -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        register = getattr(loaded, "register", None)
        if register is not None:
            register(app)


_register_commands()


def _usage_error_types() -> tuple[type[BaseException], ...]:
    """Click's UsageError, both the public package and the copy typer vendors."""
    import click

    types: list[type[BaseException]] = [click.exceptions.UsageError]
    try:
        from typer._click.exceptions import UsageError as VendoredUsageError
    except ImportError:  # older typer uses click itself
        pass
    else:
        types.append(VendoredUsageError)
    return tuple(types)


def _is_usage_error(exc: BaseException) -> bool:
    return isinstance(exc, _usage_error_types())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; turn our errors into one line on stderr and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("THRESHER_DEBUG") == "1"
    try:
        app(args=args, prog_name="thresher", standalone_mode=False)
    except ThresherError as exc:
        if debug:
            raise
        print(f"thresher: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("thresher: interrupted", file=sys.stderr)
        return 130
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        return int(code or 0)
    except Exception as exc:  # usage errors and anything unexpected: still one line
        if _is_usage_error(exc):
            print(f"thresher: error: {exc.format_message()}", file=sys.stderr)  # type: ignore[attr-defined]
            return 2
        if type(exc).__name__ == "Abort":
            return 1
        if debug:
            raise
        print(
            f"thresher: error: unexpected {type(exc).__name__}: {exc} "
            "(rerun with --debug for the traceback and report it)",
            file=sys.stderr,
        )
        return 3
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
