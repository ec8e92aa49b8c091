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

import contextlib
import csv
import dataclasses
import io
import itertools
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.db import connections
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
    # The CSV's rows as bytes, made by the database itself (`postgres_csv_chunks`), byte for
    # byte what `rows` would give through the csv module; the header still comes from `header`.
    csv_body: Callable[[], Iterator[bytes]] | None = None


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
    if table.csv_body is not None:
        yield buffer.getvalue().encode()
        yield from table.csv_body()
        return
    guarded = [i for i, name in enumerate(table.header) if name in table.text_columns]
    rows = iter(table.rows) if not guarded else guarded_rows(table.rows, guarded)
    while batch := list(itertools.islice(rows, ROWS_PER_WRITE)):
        writer.writerows(batch)
        if buffer.tell() >= CSV_CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


class _CopyStopped(Exception):
    """The reader of a COPY went away (a client closed the download)."""


_COPY_DONE = object()
COPY_QUEUE_CHUNKS = 8  # at most this many chunks wait between PostgreSQL and the response


def postgres_csv_chunks(query: str, params: Sequence, *, using: str = "default") -> Iterator[bytes]:
    """PostgreSQL's own CSV of `query` (`COPY (...) TO STDOUT`), in chunks of about
    CSV_CHUNK_BYTES, with lines ending in CRLF as `csv_chunks` writes them; no Python per row.

    psycopg2 hands COPY data only to a file's `write`, so a thread runs the COPY on this
    connection into a small bounded queue and this generator passes the chunks on as they come:
    memory stays flat, and the first bytes leave before the last row is read. The caller makes
    sure no text cell holds a line break (that CRLF would differ from the csv module's).
    """
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        sql = cursor.mogrify(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", params)
    chunks: queue.Queue = queue.Queue(maxsize=COPY_QUEUE_CHUNKS)
    stop = threading.Event()

    def put(item) -> None:
        while True:
            if stop.is_set():
                raise _CopyStopped
            try:
                chunks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    class Sink:
        def __init__(self):
            self.parts: list[bytes] = []
            self.size = 0

        def write(self, data: bytes) -> None:  # one call per row
            self.parts.append(data)
            self.size += len(data)
            if self.size >= CSV_CHUNK_BYTES:
                self.flush()

        def flush(self) -> None:
            if self.parts:
                put(b"".join(self.parts).replace(b"\n", b"\r\n"))
                self.parts, self.size = [], 0

    def copy() -> None:
        sink = Sink()
        try:
            with raw.cursor() as cursor:
                # A cohort's rows join per-patient arrays whose size the planner cannot judge:
                # it overestimates a hundredfold and JIT-compiles for seconds.
                cursor.execute("SET jit = off")
                try:
                    cursor.copy_expert(sql, sink, size=CSV_CHUNK_BYTES)
                finally:
                    cursor.execute("RESET jit")
            sink.flush()
            put(_COPY_DONE)
        except _CopyStopped:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, who raises it
            with contextlib.suppress(_CopyStopped):
                put(exc)

    thread = threading.Thread(target=copy, name="csv-copy", daemon=True)
    thread.start()
    finished = False
    try:
        while (item := chunks.get()) is not _COPY_DONE:
            if isinstance(item, BaseException):
                finished = True
                raise item
            yield item
        finished = True
    finally:
        if not finished:
            stop.set()
        thread.join()
        if not finished:
            connection.close()  # a COPY stopped half-way leaves the connection unusable


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
