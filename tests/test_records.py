"""The record scanner on literal buffers: every record lands once, with its own line number."""

from __future__ import annotations

from pipelines.ingest.records import ScanResult, scan_records


def scan(buf: bytes, expected: int = 3, *, final: bool = True) -> ScanResult:
    return scan_records(
        buf, delimiter=",", quote='"', expected_fields=expected, first_line=2, final=final
    )


def good_lines(result: ScanResult) -> list[int]:
    _, _, lines = result.good_spans()
    return sorted([int(x) for x in lines] + [r.line for r in result.parsed])


def test_defects_are_judged_on_their_own_lines() -> None:
    buf = (
        b'1,2,3\n4,5\n\n6,"a,b",7\r\n8,"x\ny",9\n10,11,12,13\n14,"oops,15\n16,17,18\n'
        b'19,5" x,z\n20,\x00,1\n21,22,23'
    )
    result = scan(buf)
    assert good_lines(result) == [2, 5, 6, 10, 11, 13]
    assert [(b.line, b.reason) for b in result.bad] == [
        (3, "too_few_fields"),
        (8, "too_many_fields"),
        (9, "unterminated_quote"),
        (12, "nul_byte"),
    ]
    assert result.blank_lines == 1
    assert result.consumed == len(buf)


def test_not_final_stops_before_an_open_record() -> None:
    buf = b'1,2,3\n4,"open\n'
    result = scan(buf, final=False)
    assert result.consumed == len(b"1,2,3\n")
    assert good_lines(result) == [2]


def test_many_stray_quotes_fall_back_to_python_and_keep_every_row() -> None:
    rows = [f'{i},{i}" pipe,x'.encode() for i in range(200)]
    buf = b"\n".join(rows) + b"\n"
    result = scan(buf)
    assert not result.bad
    assert good_lines(result) == list(range(2, 202))
    assert result.parsed[-1].fields == ["199", '199" pipe', "x"]
    assert result.consumed == len(buf)


def test_python_fallback_quarantines_bad_bytes_with_exact_offsets() -> None:
    rows = [f'{i},{i}" pipe,x'.encode() for i in range(100)]
    rows[80] = b'80,\xff\xfe" pipe,x'
    buf = b"\n".join(rows) + b"\n"
    result = scan(buf)
    assert [(b.line, b.reason) for b in result.bad] == [(82, "undecodable_bytes")]
    assert "\\xff" in result.bad[0].raw
    assert len(good_lines(result)) == 99
    assert result.consumed == len(buf)
