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
from collections import Counter
from collections.abc import Iterator
from functools import partial
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, cast

from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.services.population_table import (
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    READ_CHUNK,
    Cell,
    Pair,
    RefusedFile,
    RowCells,
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
#: Marks line ends in a chunk split on the delimiter (`_CsvRows._split_counts`): NUL is never in the text.
_LINE_END = "\x00"


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


def _text_chunks(text: IO[str], name: str) -> Iterator[str]:
    """The text a chunk at a time, each cut after its last line end (the last chunk of a file may have none).

    The cut is where `readline` would split (LF, CR and CRLF, as a StringIO with `newline=""` does); the line
    cut by a chunk's end waits for the next chunk, and is refused once longer than `MAX_CSV_LINE_CHARS`.
    """
    carry = ""
    while chunk := text.read(READ_CHUNK):
        if chunk.endswith("\r"):
            chunk += text.read(1)  # a CRLF cut in two is one line end, not two
        chunk = carry + chunk
        cut = max(chunk.rfind("\n"), chunk.rfind("\r")) + 1
        chunk, carry = chunk[:cut], chunk[cut:]
        if len(carry) > MAX_CSV_LINE_CHARS:
            raise _long_line(name)
        if chunk:
            yield chunk
    if carry:
        yield carry


def _lines_of(chunk: str, name: str) -> list[str]:
    """A chunk's physical lines, as the file's own reader would split them; a line too long is refused.

    One resumption per chunk rather than per line: per line, this was most of an import's reading time.
    """
    lines = io.StringIO(chunk, newline="").readlines()
    if max(map(len, lines), default=0) > MAX_CSV_LINE_CHARS:
        raise _long_line(name)
    return lines


def _long_line(name: str) -> RefusedFile:
    return RefusedFile(name, f"a line is longer than {MAX_CSV_LINE_CHARS:,} characters")


def _lines_shorter_than(marked: str, limit: int) -> bool:
    """Whether every line of a marked chunk (`_CsvRows._split_counts`) is shorter than `limit`, else maybe not.

    A line of `limit` characters or more covers a whole window of `limit // 2` characters at a multiple of that,
    so it is enough that each of those windows holds a line end: a few searches a chunk, not a step a line.
    """
    size = limit // 2
    return all(marked.find(_LINE_END, start, start + size) >= 0 for start in range(0, len(marked) - size + 1, size))


def _not_text(source: PopulationSource) -> RefusedFile:
    """Bytes the stated encoding cannot read (a wrong --encoding, a binary file, UTF-32 without its mark)."""
    codec = codecs.lookup(source.encoding).name
    label = "UTF-8" if codec.startswith("utf-8") else codec
    return RefusedFile(source.path.name, f"it is not {label} text; save it as CSV UTF-8, or give its encoding")


class _CsvRows:
    """The file's rows as (line number, cells), each checked in one Python step as it is read (`checked`).

    Until the header is known (`width` None) a row is refused only for too many columns. After it, CSV being a
    rectangular format, a line with another number of values than the header has broken quoting or delimiters and
    is refused, and blank lines are dropped; nearly every row needs one look at its width and first value.

    Or, after the header, a count of the pairs of values in two columns (`pair_counts`), the same as counting the
    checked rows would give, refusals included.
    """

    def __init__(self, text: IO[str], delimiter: str, source: PopulationSource) -> None:
        self.name = source.path.name
        self.source = source
        self.delimiter = delimiter
        self.chunks = _text_chunks(text, self.name)
        self.returned: str | None = None  # a chunk `pair_counts` hands back to the csv reader
        self.fed = 0  # lines given to the csv reader
        self.split = 0  # lines counted by `pair_counts` without the reader: they come before its `line_num`
        csv.field_size_limit(MAX_CELL_CHARS)
        self.reader = csv.reader(chain.from_iterable(self._feed()), delimiter=delimiter, strict=True)
        self.width: int | None = None
        self.checked = self._checked()

    def _feed(self) -> Iterator[list[str]]:
        while (chunk := self.returned or next(self.chunks, None)) is not None:
            self.returned = None
            lines = _lines_of(chunk, self.name)
            self.fed += len(lines)
            yield lines

    def line(self, read: int) -> int:
        """The file's line number of the reader's `read`-th line."""
        return read + self.split

    def keep(self, read: int, cells: list[Cell]) -> bool:
        """Whether a row after the header is data: False for a blank one; a row of another width is refused."""
        if not has_value(cells):
            return False
        if len(cells) != self.width:
            line = self.line(read)
            raise RefusedFile(self.name, f"line {line} has {len(cells)} values where the header has {self.width}")
        return True

    def _checked(self) -> Rows:
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
            line = self.line(reader.line_num + 1)
            if "field larger" in str(exc):
                reason = f"a value near line {line} is longer than {MAX_CELL_CHARS:,} characters"
            else:
                reason = f"it is not well-formed CSV near line {line} ({exc})"
            raise RefusedFile(self.name, reason) from None
        except UnicodeError:
            raise _not_text(self.source) from None

    def pair_counts(self, kept: list[RowCells], first: int, second: int) -> Iterator[Counter[Pair]]:
        """How many rows after the header hold each pair of values in two columns, a chunk at a time (`kept`:
        the rows read while looking for the header).

        A chunk with nothing for the csv module to do (no quote, LF or CRLF line ends, the header's width on every
        line, no value near the limit, no pair of blanks) is split in C (`_split_counts`), with no Python step
        a row (a million decisions: 0.9 s of processor time instead of 1.2 s, `benchmarks/fairness.py`). Any
        other chunk is given back to the csv reader and counted from the checked rows, to a chunk's end where a
        record ends, so the counts and the refusals are those of `rows`.
        """
        pick = itemgetter(first, second)
        yield Counter(map(pick, map(itemgetter(1), kept)))
        if self.reader.line_num < self.fed:
            yield self._checked_counts(pick)  # the rest of the chunk the header was found in
        try:
            for chunk in self.chunks:
                counts = self._split_counts(chunk, first, second)
                if counts is None:
                    self.returned = chunk
                    counts = self._checked_counts(pick)
                yield counts
        except UnicodeError:
            raise _not_text(self.source) from None

    def _checked_counts(self, pick: itemgetter[Any]) -> Counter[Pair]:
        """The checked rows' pairs, up to the end of a chunk where a record ends (or of the file)."""
        counts: Counter[Pair] = Counter()
        for _, cells in self.checked:
            counts[pick(cells)] += 1
            if self.reader.line_num == self.fed:
                break
        return counts

    def _split_counts(self, chunk: str, first: int, second: int) -> Counter[Pair] | None:
        """A chunk's pairs, from splitting it on line ends and delimiters, or None if it needs the csv reader.

        Each line end becomes a NUL (never in the text: `_HashingReader` refuses it) and a delimiter, so one split
        makes the values, each line's last one marked; every line has the header's width exactly when the marks
        are all at the places a width apart (a mark can only end a value).
        """
        if '"' in chunk:
            return None
        width, delimiter = cast(int, self.width), self.delimiter
        mark = _LINE_END + delimiter
        marked = chunk.replace("\r\n", mark).replace("\n", mark)
        if "\r" in marked:
            return None
        if not marked.endswith(mark):
            marked += mark  # the file's last line, without a line end
        if not _lines_shorter_than(marked, MAX_CELL_CHARS):
            return None  # a value (or a line) may be too long: the reader and `_lines_of` say which
        rows = marked.count(_LINE_END)
        cells = marked.split(delimiter)
        del cells[-1]  # what follows the last line end
        if len(cells) != rows * width or "".join(cells[width - 1 :: width]).count(_LINE_END) != rows:
            return None
        counts: Counter[Pair] = Counter()
        for (one, other), count in Counter(zip(cells[first::width], cells[second::width], strict=True)).items():
            one, other = one.removesuffix(_LINE_END), other.removesuffix(_LINE_END)
            if not (one.strip() or other.strip()):
                return None  # a row that may be blank, which the checked rows leave out
            counts[one, other] += count
        self.split += rows
        return counts


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
        header_row, columns, following, rest = split_header(name, source.header_row, rows.checked)
        rows.width = len(columns)  # from here on, each row is checked against the header as it is read
        kept = [row for row in following if rows.keep(*row)]
        yield Table(
            name=name,
            sheet_names=(),
            sheet=None,
            header_row=header_row,
            columns=columns,
            rows=chain(kept, rest),
            progress=lambda: (hashing.done, size),
            sha256=hashing.finish,
            counter=partial(rows.pair_counts, kept),
        )
