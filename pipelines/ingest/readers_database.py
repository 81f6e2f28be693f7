"""Readers for SQLite files and PostgreSQL servers, through connectorx into polars.

Both take a table name or a query from `IngestOptions`; results keep the database's types and
column names, and `line_numbers` are 1-based result row numbers. Each reader collects.
"""

from __future__ import annotations

import socket
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import polars as pl

from pipelines.errors import SourceError
from pipelines.ingest.models import IngestOptions
from pipelines.ingest.raw import RawRead, row_numbers

__all__ = ["mask_password", "quote_identifier", "read_postgres", "read_sqlite"]

_SQLITE_PREFIX = "sqlite://"
_POSTGRES_SCHEMES = ("postgresql", "postgres")
_CONNECT_TIMEOUT_SECONDS = 10
_MASK = "***"


def quote_identifier(name: str) -> str:
    """Quote a SQL identifier with double quotes, doubling any quote inside it.

    Parameters
    ----------
    name
        A table or column name, as the database spells it.

    Returns
    -------
    str
        The quoted identifier, safe to splice into SQL.
    """
    return '"' + name.replace('"', '""') + '"'


def _first_line(error: BaseException) -> str:
    """Return the first non-empty line of an error's text, or its type name."""
    for line in str(error).splitlines():
        if line.strip():
            return line.strip()
    return type(error).__name__


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_path(target: str) -> Path:
    """Resolve a file path or `sqlite:///...` URI to an existing, absolute database path."""
    if not target.startswith("sqlite:"):
        candidates = [Path(target)]
    else:
        rest = target.removeprefix(_SQLITE_PREFIX).removeprefix("sqlite:")
        # `sqlite:///abs/path` and `sqlite:////abs/path` are absolute; `sqlite:///rel` may
        # also mean a path relative to the working directory.
        absolute = Path("/" + rest.lstrip("/"))
        candidates = [absolute] if rest.startswith("//") else [absolute, Path(rest.lstrip("/"))]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    tried = " or ".join(f"`{candidate}`" for candidate in candidates)
    msg = f"{target}: SQLite database not found (looked for {tried}); check the path"
    raise SourceError(msg)


def _sqlite_tables(path: Path) -> list[str]:
    """List the user tables of a SQLite file, opened read-only."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
            rows = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchall()
    except sqlite3.DatabaseError as error:
        msg = f"{path}: not a readable SQLite database ({_first_line(error)}); check the file"
        raise SourceError(msg) from error
    return [str(row[0]) for row in rows]


def _sqlite_query(path: Path, options: IngestOptions) -> str:
    """Return the query to run: the user's, or a select of the named or only table."""
    if options.query is not None:
        return options.query
    tables = _sqlite_tables(path)
    table = options.table
    if table is None:
        if len(tables) == 1:
            table = tables[0]
        elif not tables:
            msg = f"{path}: SQLite database has no tables; pick another file or pass --query"
            raise SourceError(msg)
        else:
            listed = ", ".join(f"`{name}`" for name in tables)
            msg = f"{path}: several tables ({listed}); pass --table or --query"
            raise SourceError(msg)
    elif table not in tables:
        listed = ", ".join(f"`{name}`" for name in tables) or "none"
        msg = f"{path}: no table `{table}`; tables are {listed}; pass one with --table"
        raise SourceError(msg)
    return f"SELECT * FROM {quote_identifier(table)}"


def _sqlite_as_text(path: Path, query: str) -> pl.DataFrame:
    """Run a query with Python's sqlite3 and return every column as text (nulls kept)."""
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
        cursor = connection.execute(query)
        names = [str(column[0]) for column in cursor.description or ()]
        rows = cursor.fetchall()

    def as_text(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, bytes):
            return value.hex()
        return str(value)

    columns = {name: [as_text(row[index]) for row in rows] for index, name in enumerate(names)}
    return pl.DataFrame(columns, schema=dict.fromkeys(names, pl.String))


def read_sqlite(target: str, options: IngestOptions) -> RawRead:
    """Read a table or query result from a SQLite file; collects the result.

    Parameters
    ----------
    target
        A file path (`.db`, `.sqlite`, `.sqlite3`) or a `sqlite:///path` URI.
    options
        `options.query` or `options.table`; with neither, the database's only table is read.

    Returns
    -------
    RawRead
        The result with connectorx's types. When connectorx cannot type a column (SQLite
        allows mixed values, e.g. ints and text in one column), the whole result is read again
        with `sqlite3` as text and a note says so.

    Raises
    ------
    SourceError
        The file is missing or not SQLite, the table is missing or ambiguous, or the query fails.
    """
    path = _sqlite_path(target)
    query = _sqlite_query(path, options)
    notes: tuple[str, ...] = ()
    try:
        data = pl.read_database_uri(query, _SQLITE_PREFIX + str(path), engine="connectorx")
    except Exception as error:  # connectorx raises RuntimeError, sometimes others
        try:
            data = _sqlite_as_text(path, query)
        except sqlite3.Error as sqlite_error:
            msg = f"{path}: query failed ({_first_line(sqlite_error)}); check --table or --query"
            raise SourceError(msg) from sqlite_error
        notes = (
            f"connectorx could not type the result ({_first_line(error)}); "
            "every column was read as text with sqlite3",
        )
    return RawRead(
        data=data,
        line_numbers=row_numbers(data.height),
        source_file=str(path),
        format="sqlite",
        notes=notes,
    )


# --- PostgreSQL ------------------------------------------------------------------------------


def mask_password(uri: str) -> str:
    """Return the URI with any password replaced by `***`, for messages and logs.

    Parameters
    ----------
    uri
        A database URI such as `postgresql://user:secret@host:5432/db`.

    Returns
    -------
    str
        The same URI with the password masked; unchanged when it has none.
    """
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:{_MASK}@{host}"))


def _postgres_table_sql(table: str) -> str:
    """Select every row of a table; `schema.table` is split and each part quoted."""
    parts = table.split(".", maxsplit=1)
    return "SELECT * FROM " + ".".join(quote_identifier(part) for part in parts)


def _with_connect_timeout(uri: str) -> str:
    """Add `connect_timeout` to a Postgres URI unless it already has one."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "connect_timeout" for key, _ in query):
        return uri
    query.append(("connect_timeout", str(_CONNECT_TIMEOUT_SECONDS)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _check_reachable(uri: str) -> None:
    """Fail fast when a TCP host does not answer (connectorx's pool retries for 30 s)."""
    parts = urlsplit(uri)
    host = parts.hostname
    if not host or host.startswith("/") or host.startswith("%2f"):
        return  # a Unix socket directory or libpq default: let the driver decide
    try:
        port = parts.port or 5432
    except ValueError as error:
        msg = f"{mask_password(uri)}: invalid port in the URI; write it as host:port"
        raise SourceError(msg) from error
    try:
        with socket.create_connection((host, port), timeout=_CONNECT_TIMEOUT_SECONDS):
            pass
    except OSError as error:
        msg = (
            f"{mask_password(uri)}: cannot connect to {host}:{port} ({error.strerror or error}); "
            "check the host/port and that the server is running"
        )
        raise SourceError(msg) from error


def _postgres_failure(uri: str, error: BaseException, what: str) -> SourceError:
    """Turn a connectorx error into one masked line saying what failed and what to do."""
    password = urlsplit(uri).password
    detail = _first_line(error)
    if password:
        detail = detail.replace(password, _MASK)
    lowered = detail.lower()
    if "password authentication failed" in lowered or "no pg_hba.conf entry" in lowered:
        advice = "check the user name and password, and the server's pg_hba.conf"
    elif "does not exist" in lowered and "database" in lowered:
        advice = "check the database name at the end of the URI"
    elif "does not exist" in lowered:
        advice = "check the table name (schema.table) or the query"
    elif "connect" in lowered or "timed out" in lowered:
        advice = "check the host/port and that the server is running"
    else:
        advice = "check the URI and the table name or query"
    return SourceError(f"{mask_password(uri)}: {what} failed ({detail}); {advice}")


def read_postgres(uri: str, options: IngestOptions) -> RawRead:
    """Read a table or query result from PostgreSQL through connectorx; collects the result.

    Parameters
    ----------
    uri
        A `postgresql://` or `postgres://` URI; a `connect_timeout` is added when absent.
    options
        `options.query`, or `options.table` (may be `schema.table`); one is required.

    Returns
    -------
    RawRead
        The result with the server's types; `source_file` is the URI with the password masked.

    Raises
    ------
    SourceError
        No table or query, unreachable server, failed authentication, missing table, failed
        query. Messages never show the password.
    """
    scheme = urlsplit(uri).scheme
    if scheme not in _POSTGRES_SCHEMES:
        msg = f"{mask_password(uri)}: not a PostgreSQL URI; write postgresql://user@host:port/db"
        raise SourceError(msg)
    if options.query is not None:
        query, what = options.query, "query"
    elif options.table is not None:
        query, what = _postgres_table_sql(options.table), f"reading table `{options.table}`"
    else:
        msg = f"{mask_password(uri)}: no table or query given; pass --table or --query"
        raise SourceError(msg)
    _check_reachable(uri)
    connection_uri = _with_connect_timeout(uri).replace("postgres://", "postgresql://", 1)
    try:
        data = pl.read_database_uri(query, connection_uri, engine="connectorx")
    except Exception as error:  # connectorx raises RuntimeError, sometimes others
        raise _postgres_failure(uri, error, what) from error
    return RawRead(
        data=data,
        line_numbers=row_numbers(data.height),
        source_file=mask_password(uri),
        format="postgres",
    )
