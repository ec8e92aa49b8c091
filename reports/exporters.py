"""Writing a table as CSV (streamed or to a file) or XLSX (to a file), in flat memory.

A `Table` is a header and an iterator of rows; nothing here ever holds more than one chunk of
rows. CSV goes out in chunks of about 64 KB, straight into a streaming response or a file;
XLSX is written by openpyxl's write-only workbook, which streams rows to disk as they come.

No cell ever becomes a formula, by each format's own means. In CSV, the text people typed (the
table's `text_columns`: names, e-mails, phones) gets an apostrophe before a leading = + - @
(`safe_text`), since a spreadsheet opening a CSV reads such text as a formula. In XLSX a cell's
type is written down, so text is written as an explicit string (with Excel's quote-prefix style
where it starts like a formula, so editing it keeps it text) and shows exactly as typed; numbers
and dates are written as numbers and dates, including the columns a table gives as text for the
CSV's speed (`parsed_columns`).
"""

import csv
import dataclasses
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
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
    # Columns of text people typed (names, contacts): the CSV guards them against formulas.
    text_columns: frozenset[str] = frozenset()
    # Columns given as text to keep the CSV fast (ISO dates, decimals), and how to read each
    # back into the date or number an XLSX cell holds.
    parsed_columns: Mapping[str, Callable[[str], Any]] = dataclasses.field(default_factory=dict)


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
    guarded = [i for i, name in enumerate(table.header) if name in table.text_columns]
    rows = iter(table.rows) if not guarded else guarded_rows(table.rows, guarded)
    while batch := list(itertools.islice(rows, ROWS_PER_WRITE)):
        writer.writerows(batch)
        if buffer.tell() >= CSV_CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def guarded_rows(rows: Iterable[Sequence], columns: list[int]) -> Iterator[list]:
    """`rows` with `safe_text` applied to the text in `columns`: for CSV only."""
    for row in rows:
        for i in columns:
            value = row[i]
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                row = list(row)  # copied only when a cell changes: the export's loop is tight
                row[i] = safe_text(value)
        yield row


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
    parsers = [table.parsed_columns.get(name) for name in table.header]
    for row in table.rows:
        sheet.append(
            [xlsx_cell(sheet, value, parse) for value, parse in zip(row, parsers, strict=True)]
        )
    workbook.save(path)


def xlsx_cell(sheet, value, parse: Callable[[str], Any] | None = None):
    """What to append for one value: numbers and dates as they are (openpyxl gives dates a
    yyyy-mm-dd format), text `parse`d where the table says so, and text that openpyxl would
    take for a formula or an error value as an explicit string cell."""
    if not isinstance(value, str):
        return value
    if parse is not None:
        return parse(value) if value else None
    # Control characters (a pasted note can hold them) cannot be stored in XLSX at all; without
    # them the rest of the text is kept rather than the whole export failing.
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_STARTS) or value in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl made "=..." a formula: a string cell is only ever text
        cell.quotePrefix = True  # and Excel keeps it text when someone edits it
        return cell
    return value


def write_file(table: Table, path: Path, *, extension: str, title: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if extension == "xlsx":
        write_xlsx(table, path, title=title)
    else:
        write_csv(table, path)
