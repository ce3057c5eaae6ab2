"""Reading a population from CSV, streamed: one row in memory, the file hashed on the same pass.

Limits, each refused with its reason before the data can grow: a physical line (checked before the
csv module holds it), a value (Excel's cell limit), the columns, NUL bytes (a UTF-16 or binary file),
text that is not in the stated encoding, broken quoting and rows of another width than the header.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import IO, Any, cast

from app.domain.sampling import PopulationSource
from app.services.population_table import (
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    READ_CHUNK,
    Cell,
    RefusedFile,
    Rows,
    Table,
    has_value,
    split_header,
)

#: Excel's own limit for one cell; given to `csv.field_size_limit` (a process-wide setting).
MAX_CELL_CHARS = 32_767
#: One physical line; checked before the csv module sees it.
MAX_CSV_LINE_CHARS = 1 << 20
SNIFF_CHARS = 64 * 1024
DELIMITERS = ",;\t|"


class _HashingReader(io.RawIOBase):
    """The file's bytes on their way to the decoder: hashed, counted, and refused if they hold NUL."""

    def __init__(self, raw: IO[bytes], name: str) -> None:
        self._raw = raw
        self._name = name
        self.digest = hashlib.sha256()
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if not count:
            return 0
        chunk = memoryview(buffer)[:count].tobytes()  # a memoryview's `in` compares ints, never bytes
        if b"\x00" in chunk:
            raise RefusedFile(self._name, "it contains NUL bytes, so it is not a text CSV (is it UTF-16 or binary?)")
        self.digest.update(chunk)
        self.done += count
        return int(count)

    def finish(self) -> str:
        """Hash whatever the decoder left unread, and return the whole file's SHA-256."""
        buffer = bytearray(READ_CHUNK)
        while self.readinto(buffer):
            pass
        return self.digest.hexdigest()


def _sniff_delimiter(path: Path, encoding: str) -> str:
    """The delimiter that splits the file's first lines into the most rows of one width above 1.

    Not `csv.Sniffer`: its regular expressions take seconds on a crafted sample; this is linear.
    """
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        lines = handle.read(SNIFF_CHARS).splitlines()[: HEADER_SCAN_ROWS * 5]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter) if len(row) > 1]
        except csv.Error:
            continue  # a field over the limit: the reader proper refuses it with the reason
        usual = max(set(widths), key=lambda width: (widths.count(width), width), default=0)
        score = (widths.count(usual), usual)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _line_batches(text: IO[str], name: str) -> Iterator[list[str]]:
    """Physical lines a chunk at a time, refusing one longer than `MAX_CSV_LINE_CHARS` before it is held whole.

    A chunk is split where `readline` would split it (a StringIO with `newline=""` ends lines at LF, CR and
    CRLF, as the file's own reader does), so the csv module sees the same lines; a line cut by the chunk's end
    waits for the next chunk. One resumption per chunk rather than per line: per line, this was most of an
    import's reading time.
    """
    carry = ""
    while chunk := text.read(READ_CHUNK):
        if chunk.endswith("\r"):
            chunk += text.read(1)  # a CRLF cut in two is one line end, not two
        lines = io.StringIO(carry + chunk, newline="").readlines()
        carry = "" if lines[-1].endswith(("\n", "\r")) else lines.pop()
        if len(carry) > MAX_CSV_LINE_CHARS or max(map(len, lines), default=0) > MAX_CSV_LINE_CHARS:
            raise RefusedFile(name, f"a line is longer than {MAX_CSV_LINE_CHARS:,} characters")
        yield lines
    if carry:
        yield [carry]


def _not_text(source: PopulationSource) -> RefusedFile:
    """Bytes the stated encoding cannot read (a wrong --encoding, a binary file, UTF-32 without its mark)."""
    codec = codecs.lookup(source.encoding).name
    label = "UTF-8" if codec.startswith("utf-8") else codec
    return RefusedFile(source.path.name, f"it is not {label} text; save it as CSV UTF-8, or give its encoding")


class _CsvRows:
    """The file's rows as (line number, cells), each checked in one Python step as it is read.

    Until the header is known (`width` None) a row is refused only for too many columns. After it, CSV being a
    rectangular format, a line with another number of values than the header has broken quoting or delimiters and
    is refused, and blank lines are dropped; nearly every row needs one look at its width and first value.
    """

    def __init__(self, text: IO[str], delimiter: str, source: PopulationSource) -> None:
        self.name = source.path.name
        self.source = source
        csv.field_size_limit(MAX_CELL_CHARS)
        self.reader = csv.reader(chain.from_iterable(_line_batches(text, self.name)), delimiter=delimiter, strict=True)
        self.width: int | None = None

    def keep(self, number: int, cells: list[Cell]) -> bool:
        """Whether a row after the header is data: False for a blank one; a row of another width is refused."""
        if not has_value(cells):
            return False
        if len(cells) != self.width:
            raise RefusedFile(self.name, f"line {number} has {len(cells)} values where the header has {self.width}")
        return True

    def __iter__(self) -> Rows:
        reader = self.reader
        rows = cast(Iterator[list[Cell]], reader)  # the csv module's lists of text are cells
        try:
            for cells in rows:
                width = self.width
                if width is None:
                    if len(cells) > MAX_COLUMNS:
                        raise RefusedFile(self.name, f"line {reader.line_num} has more than {MAX_COLUMNS} columns")
                    yield reader.line_num, cells
                # Nearly every row: one look at its width and first value (csv's cells are text: no cast per row).
                elif (len(cells) == width and cells[0].strip()) or self.keep(reader.line_num, cells):  # type: ignore[union-attr]
                    yield reader.line_num, cells
        except csv.Error as exc:
            if "field larger" in str(exc):
                reason = f"a value near line {reader.line_num + 1} is longer than {MAX_CELL_CHARS:,} characters"
            else:
                reason = f"it is not well-formed CSV near line {reader.line_num + 1} ({exc})"
            raise RefusedFile(self.name, reason) from None
        except UnicodeError:
            raise _not_text(self.source) from None


@contextlib.contextmanager
def open_csv(source: PopulationSource) -> Iterator[Table]:
    name = source.path.name
    try:
        delimiter = _sniff_delimiter(source.path, source.encoding)
    except LookupError:
        raise RefusedFile(name, f"{source.encoding!r} is not a text encoding Fieldwork knows") from None
    except UnicodeError:
        raise _not_text(source) from None
    size = source.path.stat().st_size
    with source.path.open("rb") as raw:
        hashing = _HashingReader(raw, name)
        text = io.TextIOWrapper(io.BufferedReader(hashing, READ_CHUNK), encoding=source.encoding, newline="")
        rows = _CsvRows(text, delimiter, source)
        header_row, columns, following, rest = split_header(name, source.header_row, iter(rows))
        rows.width = len(columns)  # from here on, each row is checked against the header as it is read
        yield Table(
            name=name,
            sheet_names=(),
            sheet=None,
            header_row=header_row,
            columns=columns,
            rows=chain([row for row in following if rows.keep(*row)], rest),
            progress=lambda: (hashing.done, size),
            sha256=hashing.finish,
        )
