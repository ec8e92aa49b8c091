"""CSV streams in chunks, XLSX is written in write-only mode, and no cell becomes a formula."""

import csv
import io

from openpyxl import load_workbook

from reports.exporters import Table, counted, csv_chunks, safe_text, write_file


def many_rows(n):
    return ([i, f"name {i}", i * 1.5] for i in range(n))


def test_csv_streams_in_chunks_without_holding_the_whole_table():
    chunks = csv_chunks(Table(header=["n", "name", "x"], rows=many_rows(50_000)))
    first = next(chunks)
    assert 64 * 1024 <= len(first) < 200 * 1024
    rest = b"".join(chunks)
    rows = list(csv.reader(io.StringIO((first + rest).decode())))
    assert rows[0] == ["n", "name", "x"] and len(rows) == 50_001
    assert rows[-1] == ["49999", "name 49999", "74998.5"]


def test_an_empty_table_is_just_its_header():
    assert b"".join(csv_chunks(Table(header=["a", "b"], rows=iter([])))) == b"a,b\r\n"


def test_text_that_would_start_a_formula_is_quoted():
    assert safe_text('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert safe_text("+44 20 7946 0000") == "'+44 20 7946 0000"
    assert safe_text("Pat Lane") == "Pat Lane"


def test_progress_is_reported_as_rows_go_by(tmp_path):
    seen = []
    rows = list(counted(many_rows(4500), seen.append))
    assert len(rows) == 4500 and seen == [2000, 4000, 4500]


def test_xlsx_has_a_bold_header_and_every_row(tmp_path):
    path = tmp_path / "out" / "export.xlsx"
    table = Table(header=["n", "name", "x"], rows=many_rows(3))
    write_file(table, path, extension="xlsx", title="t")
    sheet = load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values == [("n", "name", "x"), (0, "name 0", 0), (1, "name 1", 1.5), (2, "name 2", 3)]
    assert sheet["A1"].font.bold
