"""CSV streams in chunks, XLSX is written in write-only mode, and no cell becomes a formula."""

import csv
import datetime as dt
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


def test_csv_guards_the_text_people_typed_and_leaves_other_columns_alone():
    table = Table(
        header=["name", "phone", "change"],
        rows=iter([['=HYPERLINK("x")', "+1 555 0122", "-1.5"], ["Pat Lane", "", None]]),
        text_columns=frozenset({"name", "phone"}),
    )
    rows = list(csv.reader(io.StringIO(b"".join(csv_chunks(table)).decode())))
    assert rows[1] == ['\'=HYPERLINK("x")', "'+1 555 0122", "-1.5"]
    assert rows[2] == ["Pat Lane", "", ""]


def typed_workbook(tmp_path, table):
    path = tmp_path / "typed.xlsx"
    write_file(table, path, extension="xlsx", title="typed")
    return load_workbook(path).active


def test_xlsx_writes_numbers_as_numbers_and_dates_as_dates(tmp_path):
    table = Table(
        header=["day", "pain", "km", "when", "parsed_km", "parsed_when", "none"],
        rows=iter([[3, 2, 1.609, dt.date(2026, 5, 1), "3.2", "2026-05-02", None]]),
        parsed_columns={"parsed_km": float, "parsed_when": dt.date.fromisoformat},
    )
    sheet = typed_workbook(tmp_path, table)
    day, pain, km, when, parsed_km, parsed_when, none = sheet[2]
    for cell in (day, pain, km, parsed_km):
        assert cell.data_type == "n" and not cell.is_date, cell.coordinate
    assert (day.value, km.value, parsed_km.value) == (3, 1.609, 3.2)
    for cell in (when, parsed_when):
        assert cell.is_date and cell.number_format == "yyyy-mm-dd", cell.coordinate
    assert (when.value.date(), parsed_when.value.date()) == (
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 2),
    )
    assert none.value is None


def test_xlsx_text_is_shown_as_typed_and_never_becomes_a_formula(tmp_path):
    typed = ["+1 555 0122", '=HYPERLINK("http://x.example","click")', "@SUM(A1)", "-2", "#N/A"]
    table = Table(
        header=[f"c{i}" for i in range(len(typed) + 1)],
        rows=iter([[*typed, "Pat Lane"]]),
        text_columns=frozenset({"c0", "c1"}),  # guarded in CSV; in XLSX all text is text
    )
    sheet = typed_workbook(tmp_path, table)
    cells = sheet[2]
    assert [cell.value for cell in cells] == [*typed, "Pat Lane"]  # no apostrophe
    assert {cell.data_type for cell in cells} == {"s"}  # no formula, no error value
    assert all(cell.quotePrefix for cell in cells[:-1])  # Excel keeps them text when edited
    assert not cells[-1].quotePrefix


def test_xlsx_keeps_text_with_control_characters_instead_of_failing(tmp_path):
    path = tmp_path / "notes.xlsx"
    table = Table(header=["Notes"], rows=iter([["Sore\x01 after\x0b the hills"]]))
    write_file(table, path, extension="xlsx", title="Logs")
    sheet = load_workbook(path).active
    assert sheet["A2"].value == "Sore after the hills"
