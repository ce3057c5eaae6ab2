"""A CSV read a chunk at a time gives the same rows and line numbers as one read line by line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.services import population_csv
from fieldwork.app.services.population_files import open_table
from fieldwork.app.services.population_table import RefusedFile

TRICKY = (
    "Ref,Note\r\n"
    'A,"a note\r\nacross lines"\r\n'
    "B,old Mac line end\r"
    "C,plain\n"
    "\n"
    ",\n"
    'D,"quoted, with comma"\n'
    "E,last line without an end"
)


def rows_of(path: Path) -> list[tuple[int, list[object]]]:
    with open_table(PopulationSource(path)) as table:
        return list(table.rows)


def expected_rows() -> list[list[str]]:
    """What the csv module makes of the text read whole, blank lines left out."""
    found = csv.reader(io.StringIO(TRICKY, newline=""))
    return [row for row in found if any(cell.strip() for cell in row)][1:]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 11, 1 << 20])
def test_chunk_boundaries_never_change_the_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(population_csv, "READ_CHUNK", chunk)
    path = tmp_path / "tricky.csv"
    path.write_bytes(TRICKY.encode("utf-8"))
    rows = rows_of(path)
    assert [cells for _, cells in rows] == expected_rows()
    assert [number for number, _ in rows] == [3, 4, 5, 8, 9]  # a record's last physical line, as csv counts


def test_a_long_line_is_refused_whatever_the_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(population_csv, "READ_CHUNK", 4096)
    monkeypatch.setattr(population_csv, "MAX_CSV_LINE_CHARS", 10_000)
    path = tmp_path / "long.csv"
    path.write_text("Ref,Note\nA," + "y" * 10_001 + "\nB,short\n", encoding="utf-8")
    with pytest.raises(RefusedFile, match="a line is longer than 10,000 characters"):
        rows_of(path)
