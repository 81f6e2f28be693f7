"""Write the messy-file torture corpus, byte for byte, deterministically.

Usage: ``python tests/data/messy/make_corpus.py [OUT_DIR]`` (default: this folder).
Every file is written from literal bytes or a fixed seed, so running it twice gives identical
output; ``tests/test_ingest_torture.py`` checks that the committed files match this script.
MANIFEST.md (hand-written) says what is wrong in each file and what ingest must do.
"""

from __future__ import annotations

import gzip
import io
import random
import sys
import zipfile
from pathlib import Path


def _lines(*lines: str, eol: str = "\n", final_eol: bool = True) -> str:
    text = eol.join(lines)
    return text + eol if final_eol else text


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


def _ods_cell(kind: str, value: str, text: str) -> str:
    attributes = {
        "float": f'office:value-type="float" office:value="{value}"',
        "string": 'office:value-type="string"',
        "time": f'office:value-type="time" office:time-value="{value}"',
        "date": f'office:value-type="date" office:date-value="{value}"',
    }[kind]
    return f"<table:table-cell {attributes}><text:p>{text}</text:p></table:table-cell>"


def _ods(rows: list[list[tuple[str, str, str]]]) -> bytes:
    """A minimal OpenDocument spreadsheet (one sheet `data`), written by hand."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    body = "".join(
        "<table:table-row>" + "".join(_ods_cell(*cell) for cell in row) + "</table:table-row>"
        for row in rows
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} '
        'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="data">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        stamp = (2020, 1, 1, 0, 0, 0)
        archive.writestr(
            zipfile.ZipInfo("mimetype", stamp), "application/vnd.oasis.opendocument.spreadsheet"
        )
        for name, text in (("content.xml", content), ("META-INF/manifest.xml", manifest)):
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buffer.getvalue()


def corpus() -> dict[str, bytes]:
    """Return {relative path: file bytes} for the whole corpus."""
    files: dict[str, bytes] = {}

    simple = _lines("id,name,city", "1,Zoë,Zürich", "2,José,São Paulo", "3,Ann,Oslo")
    files["bom_utf8.csv"] = b"\xef\xbb\xbf" + _utf8(simple)
    files["utf16_le_bom.csv"] = b"\xff\xfe" + simple.encode("utf-16-le")
    files["utf16_be_bom.csv"] = b"\xfe\xff" + simple.encode("utf-16-be")

    files["cp1252.csv"] = _lines(
        "id,name,note",
        "1,Café,\u201cquoted\u201d text",
        "2,Renée,it\u2019s \u20ac cheap",
        "3,Noël,\u2018single\u2019 \u2013 dash",
        "4,Ann,plain",
    ).encode("cp1252")
    files["latin1.csv"] = _lines(
        "id,name,town", "1,Müller,Köln", "2,Núñez,Cádiz", "3,Ørsted,Århus"
    ).encode("latin-1")

    # Legacy East Asian and Cyrillic code pages (no BOM); each must be detected, not cp1252.
    for name, codec, header, rows in (
        ("big5", "big5", "id,名稱,城市", ["1,王小明,臺北市", "2,陳大文,高雄市", "3,林美麗,臺中市"]),
        (
            "gb18030",
            "gb18030",
            "id,名称,城市",
            ["1,王小明,北京市", "2,陈大文,上海市", "3,林美丽,广州市"],
        ),
        (
            "shift_jis",
            "shift_jis",
            "id,名前,都市",
            ["1,山田太郎,東京都", "2,鈴木花子,大阪府", "3,佐藤次郎,京都府"],
        ),
        (
            "euc_kr",
            "euc_kr",
            "id,이름,도시",
            ["1,김민수,서울특별시", "2,이영희,부산광역시", "3,박지성,대구광역시"],
        ),
        (
            "cp1251",
            "cp1251",
            "id,имя,город",
            [
                "1,Иван Петров,Москва",
                "2,Мария Иванова,Санкт-Петербург",
                "3,Алексей Смирнов,Новосибирск",
            ],
        ),
        (
            "koi8_r",
            "koi8_r",
            "id,имя,город",
            [
                "1,Иван Петров,Москва",
                "2,Мария Иванова,Санкт-Петербург",
                "3,Алексей Смирнов,Новосибирск",
            ],
        ),
    ):
        files[f"{name}.csv"] = _lines(header, *rows).encode(codec)

    # Mostly UTF-8 (many multibyte characters) with one invalid byte sequence on line 12.
    rows = []
    for i in range(1, 21):
        name = "BADMARK" if i == 11 else f"Zoë-{i}-日本"
        rows.append(f"{i},{name},{i * 10}")
    files["mostly_utf8_bad_byte.csv"] = _utf8(_lines("id,name,score", *rows)).replace(
        b"BADMARK", b"bad\xff\xfevalue"
    )

    files["semicolon_decimal_comma.csv"] = _utf8(
        _lines(
            "id;product;price;weight",
            "1;Käse;1.234,5;0,25",
            "2;Brot;12,75;1,5",
            "3;Milch;0,5;1,0",
            "4;Wein;2.000,00;0,75",
            "5;Obst, gemischt;3,20;2,25",
        )
    )
    files["tabs.tsv"] = _utf8(
        _lines(
            "id\tname\tcity\tscore",
            "1\tSmith, John\tParis, FR\t10",
            "2\tDoe, Jane\tRome\t20",
            "3\tLee\tBerlin, DE\t30",
            "4\tKim\tSeoul\t40",
        )
    )
    files["pipes.csv"] = _utf8(
        _lines(
            "id|name|city|score",
            "1|Ann|Paris|1.5",
            "2|Bob|Rome|2.5",
            "3|Cid|Berlin|3.5",
            "4|Dee|Seoul|4.5",
        )
    )
    files["crlf.csv"] = _utf8(
        _lines(
            "id,name,score", "1,ann,10", "2,bob,20", "3,cid,30", "4,dee,40", "5,eve,50", eol="\r\n"
        )
    )
    # Classic Mac OS line endings: CR only, no LF anywhere (a quoted field spans a CR too).
    files["cr_only.csv"] = _utf8(
        _lines("id,name,score", "1,ann,10", '2,"bob, jr",20', "3,cid,30", "4,dee,40", eol="\r")
    )
    # A header with far more fields than the rows under it (rows must not become names).
    files["header_wider_than_data.csv"] = _utf8(
        _lines(",".join(f"h{i}" for i in range(1, 13)), "1,ann", "2,bob", "3,cid")
    )

    # Dialects beyond , ; tab |: each delimiter with a quoted field holding that delimiter.
    for name, sep in (
        ("colon", ":"),
        ("plus", "+"),
        ("question_mark", "?"),
        ("tilde", "~"),
        ("caret", "^"),
    ):
        files[f"{name}.csv"] = _utf8(
            _lines(
                sep.join(("id", "name", "score")),
                sep.join(("1", "ann", "1.5")),
                sep.join(("2", f'"b{sep}b"', "2.5")),
                sep.join(("3", "cid", "3.5")),
                sep.join(("4", "dee", "4.5")),
            )
        )
    files["spaces.txt"] = _utf8(
        _lines("id name score", "1 ann 10", '2 "bob jr" 20', "3 cid 30", "4 dee 40")
    )
    files["single_quotes.csv"] = _utf8(
        _lines("id,name,city", "1,'Smith, John',Paris", "2,'O''Brien',Dublin", "3,Lee,'Rome, IT'")
    )
    # `\` escapes the delimiter and the quote (MySQL SELECT ... INTO OUTFILE style).
    files["backslash_escapes.csv"] = _utf8(
        _lines("code,n,label", "A\\,0,1,B", 'C,2,D\\"x', "E\\,F,3,G", "H,4,I")
    )
    # A space between the delimiter and an opening quote (`1, "2,3",x`).
    files["space_before_quote.csv"] = _utf8(
        _lines("id,name,tag", '1, "Smith, John",x', '2, "Doe, Jane",y', "3, Lee,z")
    )

    # A statistics-office export: title and source lines above the header (one padded with
    # delimiters, as spreadsheets save them), a blank line, the table, and notes below it.
    files["title_lines.csv"] = _utf8(
        _lines(
            "Population by region, 2020",
            "Source: national statistics office,,",
            "",
            "region,population,share",
            "North,1200,0.25",
            "South,2400,0.5",
            "East,1200,0.25",
            "",
            "Note: provisional figures",
            "* excludes overseas territories",
        )
    )
    # No header row: the first line is typed like the rest (numbers under numbers).
    files["headerless.csv"] = _utf8(
        _lines("1,ann,10.5,2020-01-01", "2,bob,20.5,2020-01-02", "3,cid,30.5,2020-01-03")
    )

    # Line 4: too many fields; line 7: too few; line 10: too many (trailing delimiter).
    files["ragged.csv"] = _utf8(
        _lines(
            "id,name,score",
            "1,ann,10",
            "2,bob,20",
            "3,carol,7,extra",
            "4,dan,40",
            "5,eve,50",
            "6,frank",
            "7,gus,70",
            "8,hal,80",
            "9,ivy,90,",
            "10,jo,100",
            "11,kai,110",
        )
    )

    # Line 7 opens a quote that never closes; there is no other quote after it.
    files["unterminated_quote.csv"] = _utf8(
        _lines(
            "id,name,score",
            "1,ann,10",
            "2,bob,20",
            "3,cid,30",
            "4,dan,40",
            "5,eve,50",
            '6,"frank,60',
            "7,gus,70",
            "8,hal,80",
            "9,ivy,90",
            "10,jo,100",
            "11,kai,110",
            "12,lu,120",
        )
    )

    # Line 4, the last line, opens a quote and the file ends without a newline.
    files["unterminated_quote_at_eof.csv"] = _utf8(
        _lines("id,name,score", "1,ann,10", "2,bob,20", '3,cid,"30', final_eol=False)
    )

    # Records start on lines 2, 3, 6, 7, 9 (quoted newlines inside records 2 and 4).
    files["quoted_fields.csv"] = _utf8(
        _lines(
            "id,name,note",
            '1,"Smith, John","He said ""hi"""',
            '2,"Doe, Jane","line one',
            "line two",
            'line three"',
            '3,plain,"a, b, and c"',
            '4,"multi',
            'line",""""',
            "5,last,end",
        )
    )

    nul_rows = [f"{i},name{i},{i}" for i in range(1, 11)]
    nul_rows[3] = "4,na\x00me4,4"  # line 5
    files["nul_byte.csv"] = _utf8(_lines("id,name,score", *nul_rows))

    # Blank lines at 3, 6, 7, 10 and two trailing ones (12, 13); records on 2, 4, 5, 8, 9, 11.
    files["blank_lines.csv"] = _utf8(
        _lines(
            "id,name",
            "1,ann",
            "",
            "2,bob",
            "3,cid",
            "",
            "",
            "4,dan",
            "5,eve",
            "",
            "6,fay",
            "",
            "",
        )
    )
    files["only_blank_lines.csv"] = b"\n\n\n\n"

    files["whitespace_padding.csv"] = _utf8(
        _lines(
            "  id , name ,  score  ",
            "1,  alice  , 42 ",
            "2,bob,7",
            "3,   carol,  13",
            "4,dave   ,99",
        )
    )

    files["messy_headers.csv"] = _utf8(
        _lines(
            "Name,,Name,1stFlrSF,Culmen Length (mm),studyName,Delta 15 N (o/oo),   ,Name,SalePrice",
            "a,b,c,1,39.1,PAL0708,8.9,x,d,100",
            "e,f,g,2,40.3,PAL0708,8.6,y,h,200",
        )
    )

    files["null_tokens.csv"] = _utf8(
        _lines(
            "id,value,label",
            "1,10,alpha",
            "2,NA,NA",
            "3,N/A,beta",
            "4,null,NULL",
            "5,None,gamma",
            "6,?,?",
            "7,-,delta",
            "8,nan,NaN",
            "9,#N/A,epsilon",
            "10,  na  ,zeta",
            "11,20,eta",
            "12,,theta",
            "13,30,",
        )
    )
    files["custom_null_tokens.csv"] = _utf8(
        _lines("id,reading", "1,5", "2,unknown", "3,7", "4,unknown", "5,9", "6,11")
    )

    files["numbers_formats.csv"] = _utf8(
        _lines(
            "id,amount_usd,price_eur,price_gbp,population,rate,balance,mixed",
            '1,$5.00,€12.00,£3.50,"1,234",12%,100,1',
            '2,"$1,234.50",€0.99,£10.00,"12,345,678",12.5%,(123),2.5',
            "3,$0.99,€7.50,£0.05,999,0%,50,3",
            '4,$10.00,€100.00,£1.00,"2,000",100%,(7),4',
            '5,"$2,000.00",€1.10,£2.20,"10,000",3.25%,0,5',
            "6,$3.30,€3.00,£4.40,42,50%,8,6",
        )
    )

    # 100 data rows (lines 2..101).  measurement: 1 bad value (line 58) -> Float64 + 1 issue.
    # two_bad: 2 bad of 100 (2% = tolerance) -> Int64 + 2 issues (lines 21, 81).
    # three_bad: 3 bad of 100 -> stays String.  code: last 30 values text -> stays String.
    rows = []
    for i in range(1, 101):
        line = i + 1
        measurement = "oops" if line == 58 else f"{i * 1.5:.1f}"
        two_bad = "x" if line in (21, 81) else str(i * 3)
        three_bad = "bad" if line in (11, 51, 91) else str(i)
        code = f"T{i}" if i > 70 else str(1000 + i)
        rows.append(f"{i},{measurement},{two_bad},{three_bad},{code}")
    files["type_tolerance.csv"] = _utf8(_lines("id,measurement,two_bad,three_bad,code", *rows))

    files["booleans.csv"] = _utf8(
        _lines(
            "id,yes_no,y_n,true_false,t_f,one_zero",
            "1,Yes,y,true,t,1",
            "2,No,N,FALSE,F,0",
            "3,yes,Y,True,T,1",
            "4,NO,n,false,f,0",
            "5,YES,y,TRUE,t,1",
        )
    )

    files["dates.csv"] = _utf8(
        _lines(
            "id,iso,us,eu,ambiguous,month",
            "1,2018-01-31,01/31/2018,31/01/2018,01/02/2018,Jan-2018",
            "2,2019-12-25,12/25/2019,25/12/2019,03/04/2019,Feb-2019",
            "3,2020-02-29,02/03/2020,02/03/2020,12/11/2020,Dec-2020",
            "4,2021-07-04,07/04/2021,04/07/2021,05/06/2021,Jul-2021",
            "5,2017-11-30,11/30/2017,30/11/2017,07/08/2017,Nov-2017",
        )
    )
    # Two-digit years (US slashes and EU dots), and ISO dates whose year really is 2.
    files["two_digit_years.csv"] = _utf8(
        _lines(
            "id,us,eu,ancient",
            "1,12/28/02,28.12.02,0002-12-28",
            "2,01/15/99,15.01.99,0002-01-15",
            "3,7/4/68,04.07.68,0002-07-04",
            "4,2/13/69,13.02.69,0002-02-13",
        )
    )
    files["datetimes.csv"] = _utf8(
        _lines(
            "id,ts_space,ts_t",
            "1,2013-08-13 06:03:42,2013-08-13T06:03:42",
            "2,2014-01-01 00:00:00,2014-01-01T00:00:00",
            "3,,2015-06-30T23:59:59",
            "4,2016-02-29 12:30:00,",
        )
    )

    # 60 data rows (lines 2..61); one bad value per typed column.
    rows = []
    for i in range(1, 61):
        line = i + 1
        day = "TBD" if line == 31 else f"2020-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}"
        stamp = "later" if line == 41 else f"2021-03-{(i % 28) + 1:02d} 10:{i % 60:02d}:00"
        flag = "maybe" if line == 51 else ("yes" if i % 2 else "no")
        amount = "n/k" if line == 21 else str(i * 7)
        rows.append(f"{i},{day},{stamp},{flag},{amount}")
    files["cell_issue_types.csv"] = _utf8(_lines("id,day,stamp,flag,amount", *rows))

    plain = _lines("id,name,score", "1,ann,1.5", "2,bob,2.5", "3,cid,3.5", "4,dee,4.5", "5,eve,5.5")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as handle:
        handle.write(_utf8(plain))
    files["compressed.csv.gz"] = buffer.getvalue()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("inner.csv", date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, _utf8(_lines("id,name", "1,ann", "2,bob", "3,cid", "4,dee")))
    files["archive.zip"] = buffer.getvalue()

    files["glob/part_1.csv"] = _utf8(_lines("id,name,score", "1,ann,10", "2,bob,20", "3,cid,30"))
    files["glob/part_2.csv"] = _utf8(
        _lines("id,name,score", "4,dee,40", "5,eve,50,extra", "6,fay,60", "7,gus,70", "8,hal,80")
    )

    files["ndjson_bad_line.ndjson"] = _utf8(
        _lines(
            '{"id": 1, "name": "ann", "score": 1.5}',
            '{"id": 2, "name": "bob", "score": 2.5}',
            '{"id": 3, "name": "cid", "score": 3.5}',
            '{"id": 4, "name": "dan", "score": ',
            '{"id": 5, "name": "eve", "score": 5.5}',
            '{"id": 6, "name": "fay", "score": 6.5}',
        )
    )

    # OpenDocument spreadsheet: times of day and durations (ISO `PT09H30M15S` cells), dates.
    header = [("string", "", name) for name in ("id", "clock", "took", "day", "name")]
    sheet = [header]
    for i in range(1, 5):
        sheet.append(
            [
                ("float", str(i), str(i)),
                ("time", f"PT{8 + i:02d}H30M15S", f"{8 + i}:30:15"),
                ("time", f"PT{30 + i}H00M00S", f"{30 + i}:00:00"),
                ("date", f"2020-01-0{i}", f"2020-01-0{i}"),
                ("string", "", f"n{i}"),
            ]
        )
    files["spreadsheet.ods"] = _ods(sheet)

    files["empty.csv"] = b""
    files["header_only.csv"] = _utf8(_lines("id,name,score"))

    rng = random.Random(20261121)
    garbage = bytearray(rng.randbytes(4096))
    for position in range(0, len(garbage), 97):
        garbage[position] = 0
    files["garbage.csv"] = bytes(garbage)
    # A PNG signature and IHDR chunk followed by fixed noise, renamed .csv.
    files["image_png.csv"] = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
        + random.Random(7).randbytes(1024)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("word/document.xml", date_time=(2020, 1, 1, 0, 0, 0))
        archive.writestr(info, b"<w:document/>")
    files["document.docx"] = buffer.getvalue()
    files["report.pdf"] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    return files


def main(argv: list[str]) -> None:
    """Write the corpus into argv[1] or next to this script."""
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent
    for relative, payload in sorted(corpus().items()):
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload)


if __name__ == "__main__":
    main(sys.argv)
