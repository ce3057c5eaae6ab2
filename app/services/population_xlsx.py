"""Reading a population from XLSX safely: the zip directory checked first, then openpyxl read-only over defusedxml.

A zip bomb is refused from the directory alone, before a byte is inflated (Python's zipfile never
inflates a part past the size its directory declares): too many parts, too much in all, a part
compressed like a bomb, or an XML part larger than openpyxl should parse whole. openpyxl then reads
in read-only mode through defusedxml, which refuses entity declarations outright (an entity bomb); when
lxml is installed (python-docx needs it) openpyxl parses the workbook's small parts with lxml instead,
which resolves no entity and stops an entity bomb itself: that refusal reads the same.
Memory: one row, plus openpyxl's shared-string table, which `MAX_SHARED_STRINGS_BYTES` bounds.
"""

from __future__ import annotations

import contextlib
import hashlib
import zipfile
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import IO, Any

from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.population_table import (
    MAX_COLUMNS,
    READ_CHUNK,
    RefusedFile,
    Rows,
    Table,
    has_value,
    split_header,
)

#: Excel's last row: openpyxl fills gaps with empty rows, so a sheet claiming row 10^9 is refused.
MAX_SHEET_ROW = 1_048_576
MAX_ZIP_ENTRIES = 10_000
MAX_XLSX_UNPACKED_BYTES = 2 << 30
#: openpyxl parses the workbook's other XML parts whole, and holds the shared strings in memory.
MAX_XLSX_PART_BYTES = 64 << 20
MAX_SHARED_STRINGS_BYTES = 256 << 20
#: Real worksheets compress about 10:1; a zip bomb about 1000:1. Small parts are exempt.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM_BYTES = 1 << 20


def _require_defusedxml() -> None:
    """openpyxl parses through defusedxml only when it is importable and not switched off by the environment."""
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        raise ValidationError(
            "Workbooks cannot be imported safely here: defusedxml is missing or disabled (OPENPYXL_DEFUSEDXML)."
        )


def hash_handle(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(READ_CHUNK):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def _check_archive(handle: IO[bytes], name: str) -> None:
    """Refuse a zip bomb from its directory alone, before a byte is inflated."""
    try:
        with zipfile.ZipFile(handle) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise RefusedFile(
            name, "it is not an XLSX workbook (an old .xls, or protected by a password? save it as .xlsx without one)"
        ) from None
    handle.seek(0)
    if len(parts) > MAX_ZIP_ENTRIES:
        raise RefusedFile(name, f"the workbook holds {len(parts):,} parts, more than {MAX_ZIP_ENTRIES:,}")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise RefusedFile(name, f"it unpacks to {unpacked:,} bytes, more than {MAX_XLSX_UNPACKED_BYTES:,}")
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size >= RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise RefusedFile(name, f"{part.filename} is compressed {ratio:,.0f} to 1, which is how a zip bomb looks")
        limit = _part_limit(part.filename)
        if limit is not None and part.file_size > limit:
            raise RefusedFile(name, f"{part.filename} unpacks to {part.file_size:,} bytes, more than {limit:,}")


def _part_limit(filename: str) -> int | None:
    if filename.startswith("xl/worksheets/") and filename.endswith(".xml"):
        return None
    if filename == "xl/sharedStrings.xml":
        return MAX_SHARED_STRINGS_BYTES
    return MAX_XLSX_PART_BYTES if filename.endswith((".xml", ".rels")) else None


def _lxml_entity_error(error: BaseException) -> bool:
    try:
        from lxml.etree import XMLSyntaxError
    except ImportError:
        return False
    return isinstance(error, XMLSyntaxError) and "entit" in str(error).lower()


def _unreadable(name: str, exc: BaseException) -> RefusedFile:
    """The refusal for whatever openpyxl raised; it wraps parser errors, so the whole chain is searched."""
    from defusedxml import DefusedXmlException

    innermost = exc
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, DefusedXmlException) or _lxml_entity_error(cause):
            return RefusedFile(name, "it declares XML entities, which is how an entity bomb looks")
        innermost = cause
        cause = cause.__cause__ or cause.__context__
    detail = (str(innermost).splitlines() or [""])[0][:160].rstrip(".")
    return RefusedFile(name, f"it cannot be read as an XLSX workbook ({type(innermost).__name__}: {detail})")


def _xlsx_rows(name: str, sheet: Any, counter: list[int]) -> Rows:
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_SHEET_ROW:
                raise RefusedFile(name, f"the sheet claims rows past Excel's last row ({MAX_SHEET_ROW:,})")
            if len(values) > MAX_COLUMNS and any(v is not None for v in values[MAX_COLUMNS:]):
                raise RefusedFile(name, f"row {number} has more than {MAX_COLUMNS} columns")
            counter[0] = number
            cells = list(values[:MAX_COLUMNS])
            while cells and cells[-1] is None:
                cells.pop()
            yield number, cells
    except RefusedFile:
        raise
    except Exception as exc:
        raise _unreadable(name, exc) from None


def _pick_sheet(name: str, workbook: Any, wanted: str | None) -> Any:
    if wanted is None:
        if not workbook.worksheets:
            raise RefusedFile(name, "it has no worksheet")
        return workbook.worksheets[0]
    if wanted not in workbook.sheetnames:
        raise RefusedFile(name, f"it has no sheet named {wanted!r} (it has {', '.join(workbook.sheetnames)})")
    sheet = workbook[wanted]
    if not hasattr(sheet, "iter_rows"):
        raise RefusedFile(name, f"{wanted!r} is a chart, not a table")
    return sheet


def _padded(width: int, rows: Rows, name: str) -> Rows:
    """The rows after the header without blank rows. A worksheet stores no trailing empty cells: pad to the
    header; a value beyond it is refused."""
    for number, cells in rows:
        if not has_value(cells):
            continue
        if len(cells) > width:
            raise RefusedFile(name, f"row {number} has a value beyond the last named column")
        yield number, cells + [None] * (width - len(cells))


class Workbook:
    """A workbook checked, hashed and loaded once; its sheets read one after another (`table`).

    openpyxl reads every sheet of a read-only workbook through once when it loads it (to size a sheet that
    does not state its dimensions), so a file whose sheets are all wanted is loaded once, not once a sheet."""

    def __init__(self, name: str, sha256: str, book: Any) -> None:
        self.name, self.sha256, self.book = name, sha256, book
        self.sheet_names: tuple[str, ...] = tuple(book.sheetnames)

    @contextlib.contextmanager
    def table(self, source: PopulationSource) -> Iterator[Table]:
        name = self.name
        sheet = _pick_sheet(name, self.book, source.sheet)
        expected = min(sheet.max_row or 0, MAX_SHEET_ROW)
        sheet.reset_dimensions()  # a stale dimension would make openpyxl stop early, silently
        counter = [0]
        raw = _xlsx_rows(name, sheet, counter)
        header_row, columns, following, rest = split_header(name, source.header_row, raw)
        yield Table(
            name=name,
            sheet_names=self.sheet_names,
            sheet=sheet.title,
            header_row=header_row,
            columns=columns,
            rows=_padded(len(columns), chain(following, rest), name),
            progress=lambda: (counter[0], max(expected, counter[0])),
            sha256=lambda: self.sha256,
        )


@contextlib.contextmanager
def open_workbook(path: Path) -> Iterator[Workbook]:
    import openpyxl

    _require_defusedxml()
    name = path.name
    with path.open("rb") as handle:
        sha256 = hash_handle(handle)
        _check_archive(handle, name)
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:
            raise _unreadable(name, exc) from None
        try:
            yield Workbook(name, sha256, book)
        finally:
            book.close()
