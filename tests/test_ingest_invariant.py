"""Property test: whatever a messy CSV looks like, ingest accounts for every record once.

Hypothesis writes CSV files from random rows (quoted fields with commas, newlines and `""`
escapes, null tokens, multibyte text), plants defects on known lines (too many / too few
fields, a NUL byte, an invalid UTF-8 byte, a quote that never closes on the last record) and
scatters blank lines. Because the file is
built line by line, the test knows the first physical line of every record and which of them
are defective, and checks ingest's accounting against that.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SAFE_CHARS = "abcxyz019 .éü日"
NULL_TOKENS = ["NA", "N/A", "null", "None", "?", "-", "nan", "#N/A", ""]
BAD_BYTE_MARK = "\ue000"  # replaced by an invalid UTF-8 byte after encoding
EXPECTED_REASON = {
    "too_many": "too_many_fields",
    "too_few": "too_few_fields",
    "nul": "nul_byte",
    "bad_bytes": "undecodable_bytes",
    "unterminated": "unterminated_quote",
}
KINDS = ["ok"] * 6 + ["blank", "blank", "too_many", "too_few", "nul", "bad_bytes"]
MAX_PER_FILE = {"nul": 2, "bad_bytes": 2}

plain_fields = st.text(alphabet=SAFE_CHARS, max_size=6)
word_fields = st.text(alphabet="abcxyz019éü", min_size=1, max_size=6)
quoted_fields = st.text(alphabet=SAFE_CHARS + ',"\n', max_size=10).map(
    lambda text: '"' + text.replace('"', '""') + '"'
)
fields = st.one_of(plain_fields, st.sampled_from(NULL_TOKENS), quoted_fields)


@dataclass(frozen=True)
class MessyFile:
    """A generated file and what ingest must make of it."""

    payload: bytes
    records: list[tuple[int, str]]  # (first physical line, kind), in file order
    blank_lines: int


@st.composite
def messy_files(draw: st.DrawFn) -> MessyFile:
    columns = draw(st.integers(min_value=2, max_value=5))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    extra = draw(st.lists(st.sampled_from(KINDS), max_size=25))
    for kind, limit in MAX_PER_FILE.items():
        while extra.count(kind) > limit:
            extra[extra.index(kind)] = "ok"
    items = draw(st.permutations(["ok", "ok", "ok", *extra]))

    lines = [",".join(f"c{i}" for i in range(columns))]
    line_number = 2  # next physical line; the header is line 1
    records: list[tuple[int, str]] = []
    blank_lines = 0
    for kind in items:
        if kind == "blank":
            lines.append("")
            blank_lines += 1
            line_number += 1
            continue
        if kind == "too_many":
            width = columns + draw(st.integers(min_value=1, max_value=3))
        elif kind == "too_few":
            width = draw(st.integers(min_value=1, max_value=columns - 1))
        else:
            width = columns
        row = [draw(fields) for _ in range(width)]
        if kind == "too_few":
            row[0] = draw(word_fields)  # a lone field must not make the line look blank
        elif kind == "nul":
            row[0] = draw(word_fields) + "\x00" + draw(word_fields)
        elif kind == "bad_bytes":
            row[0] = draw(word_fields) + BAD_BYTE_MARK + draw(word_fields)
        text = ",".join(row)
        lines.append(text)
        records.append((line_number, kind))
        line_number += 1 + text.count("\n")

    if draw(st.booleans()):
        # a quote that opens on the last record and never closes (no quote can follow it)
        # (plain fields only: a closed multi-line quote before it would blur which line it is)
        unquoted = st.one_of(plain_fields, st.sampled_from(NULL_TOKENS))
        row = [draw(unquoted) for _ in range(columns - 1)]
        text = ",".join([*row, '"' + draw(word_fields)])
        lines.append(text)
        records.append((line_number, "unterminated"))
        items.append("unterminated")
    body = eol.join(lines)
    final_eol = items[-1] == "blank" or draw(st.booleans())
    if final_eol:
        body += eol
    payload = body.encode("utf-8").replace(BAD_BYTE_MARK.encode("utf-8"), b"\xff")
    return MessyFile(payload=payload, records=records, blank_lines=blank_lines)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(messy=messy_files(), chunk_bytes=st.sampled_from([8, 61, 256, 128 * 1024 * 1024]))
def test_every_record_accounted_for_once(messy: MessyFile, chunk_bytes: int) -> None:
    from pipelines.ingest import IngestOptions, ingest

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "messy.csv"
        path.write_bytes(messy.payload)
        result = ingest(path, options=IngestOptions(add_line_numbers=True, chunk_bytes=chunk_bytes))

    report = result.report
    assert report.rows_read == report.rows_ok + report.rows_quarantined
    assert report.rows_ok == result.data.height
    assert report.rows_quarantined == result.quarantine.height
    assert report.rows_read == len(messy.records)
    assert report.blank_lines_skipped == messy.blank_lines

    expected_lines = [line for line, _ in messy.records]
    data_lines = result.data["_source_line"].to_list()
    quarantine_lines = result.quarantine["_source_line"].to_list()
    assert sorted(data_lines + quarantine_lines) == expected_lines  # each record exactly once

    kinds = dict(messy.records)
    reasons = dict(zip(quarantine_lines, result.quarantine["_reason"].to_list(), strict=True))
    for line, reason in reasons.items():
        assert kinds[line] != "ok", f"line {line} had no defect but was quarantined ({reason})"
        assert reason == EXPECTED_REASON[kinds[line]], (line, kinds[line], reason)
    decoded_as_utf8 = (report.encoding or "").lower().replace("-", "").startswith("utf8")
    must_quarantine = {"too_many", "too_few", "nul", "unterminated"}
    if decoded_as_utf8:
        must_quarantine.add("bad_bytes")
    for line, kind in messy.records:
        if kind in must_quarantine:
            assert line in reasons, f"line {line} ({kind}) was not quarantined"
