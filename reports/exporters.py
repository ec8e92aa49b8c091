"""Writing a table as CSV (streamed or to a file) or XLSX (to a file), in flat memory.

A `Table` is a header and an iterator of rows; nothing here ever holds more than one chunk of
rows. CSV goes out in chunks of about 64 KB, straight into a streaming response or a file;
XLSX is written by openpyxl's write-only workbook, which streams rows to disk as they come.
Text cells that a spreadsheet would read as a formula are quoted (`safe_text`).
"""

import csv
import dataclasses
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

CSV_CHUNK_BYTES = 64 * 1024
ROWS_PER_WRITE = 1000
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header row
PROGRESS_EVERY_ROWS = 2000

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclasses.dataclass
class Table:
    header: Sequence[str]
    rows: Iterator[Sequence]
    total: int | None = None  # rows expected, for progress; None when unknown


class TooManyRows(Exception):
    """The table is larger than the format can hold."""


def safe_text(value: str) -> str:
    """Text a spreadsheet will show as text: a leading =, +, -, @ would start a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The table as UTF-8 CSV in chunks of about CSV_CHUNK_BYTES, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    rows = iter(table.rows)
    while batch := list(itertools.islice(rows, ROWS_PER_WRITE)):
        writer.writerows(batch)
        if buffer.tell() >= CSV_CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def counted(rows: Iterable, on_progress: Callable[[int], None]) -> Iterator:
    """`rows` unchanged, calling `on_progress(rows so far)` every PROGRESS_EVERY_ROWS rows."""
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007 - count is read after the loop
        if count % PROGRESS_EVERY_ROWS == 0:
            on_progress(count)
        yield row
    on_progress(count)


def write_csv(table: Table, path: Path) -> None:
    with path.open("wb") as file:
        for chunk in csv_chunks(table):
            file.write(chunk)


def write_xlsx(table: Table, path: Path, *, title: str) -> None:
    if table.total is not None and table.total > XLSX_MAX_ROWS:
        raise TooManyRows(f"{table.total:,} rows: more than a spreadsheet holds. Export as CSV.")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header = []
    for name in table.header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    sheet.freeze_panes = "A2"
    for row in table.rows:
        sheet.append(row)
    workbook.save(path)


def write_file(table: Table, path: Path, *, extension: str, title: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if extension == "xlsx":
        write_xlsx(table, path, title=title)
    else:
        write_csv(table, path)
