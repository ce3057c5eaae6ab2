"""Counting two columns' pairs (`Table.pair_counts`) gives what counting the checked rows gives, refusals included.

The CSV reader splits plain chunks in C and gives any other chunk to the csv module; small chunks make a file of a
few hundred rows alternate between the two, with quoted fields and records cut by a chunk's end.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.services import population_csv, population_files
from fieldwork.app.services.fairness import reperform
from fieldwork.app.services.population_files import open_table
from fieldwork.app.services.population_table import Pair, RefusedFile

HEADER = "Applicant,Decided,Group,Note,Result\r\n"
GROUP, RESULT = 2, 4

#: Lines that need the csv module, each put among plain lines at several places in a file.
TRICKY = [
    '"Q-1",2026-03-01,A,"Smith, J",Hired\r\n',  # quoted values, a comma inside one
    'Q-2,2026-03-01,"B, north","a note\r\nacross lines",Rejected\r\n',  # a quoted line end (CRLF)
    'Q-3,2026-03-01,C,"one\nmore ""quoted"" line",hired\n',  # a quoted LF, doubled quotes, an LF line end
    "\r\n",  # a blank line
    ",,,,\r\n",  # a line of delimiters only: blank
    " , ,\t, , \r\n",  # a line of spaces only: blank
    "Q-4,2026-03-01,,a note,Hired\r\n",  # no group
    "Q-5,2026-03-01,D,,  \r\n",  # an outcome of spaces
    ",2026-03-01,,filled,\r\n",  # group and outcome both blank, the row not
    ",2026-03-01,E,no applicant, HIRED \r\n",  # a blank first value
    "Q-6,2026-03-01,Café,naïve,Rejected\r",  # an old Mac line end
    "Q-7,2026-03-01,女性,,Hired\n",
]


def plain(n: int) -> str:
    group = "ABCDE"[n % 5]
    outcome = ["Hired", "Rejected", "hired", " Rejected", "Withdrawn"][n % 7 % 5]
    return f"P-{n:04d},2026-03-{1 + n % 28:02d},{group},plain note {n},{outcome}\r\n"


def decisions(tmp_path: Path, lines: list[str], bom: bool = True, end: str = "") -> Path:
    path = tmp_path / "decisions.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + (HEADER + "".join(lines) + end).encode("utf-8"))
    return path


def mixed_lines() -> list[str]:
    lines = [plain(n) for n in range(400)]
    for place in (0, 37, 150, 151, 399):
        lines[place:place] = TRICKY
    return lines


def split_counts(path: Path) -> Counter[Pair]:
    with open_table(PopulationSource(path)) as table:
        return sum(table.pair_counts(GROUP, RESULT), Counter())


def row_counts(path: Path) -> Counter[Pair]:
    """The same count from the checked rows: the table without the reader's own counter."""
    with open_table(PopulationSource(path)) as table:
        return sum(dataclasses.replace(table, counter=None).pair_counts(GROUP, RESULT), Counter())


@pytest.fixture
def split_chunks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each chunk after the header was split (True) or read by the csv module (False)."""
    found: list[bool] = []
    split = population_csv._CsvRows._split_counts

    def watched(self: Any, chunk: str, first: int, second: int) -> Counter[Pair] | None:
        counts = split(self, chunk, first, second)
        found.append(counts is not None)
        return counts

    monkeypatch.setattr(population_csv._CsvRows, "_split_counts", watched)
    return found


@pytest.mark.parametrize("chunk", [7, 64, 100, 333, 4096, 1 << 20])
def test_the_pairs_are_those_of_the_checked_rows_whatever_the_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split_chunks: list[bool], chunk: int
) -> None:
    monkeypatch.setattr(population_csv, "READ_CHUNK", chunk)
    path = decisions(tmp_path, mixed_lines(), end="Z-1,2026-03-31,A,last line without an end,Hired")
    counted = split_counts(path)
    assert counted == row_counts(path)
    assert counted.total() == 400 + 5 * 9 + 1  # the plain rows, the tricky ones less the three blank, the last
    assert counted[("B, north", "Rejected")] == 5 and counted[("", "")] == 5 and counted[("女性", "Hired")] == 5
    if chunk < 1 << 20:
        assert True in split_chunks and False in split_chunks  # both ways were taken


def test_a_plain_file_is_split_chunk_by_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split_chunks: list[bool]
) -> None:
    monkeypatch.setattr(population_csv, "READ_CHUNK", 256)
    path = decisions(tmp_path, [plain(n) for n in range(500)], bom=False)
    assert (
        split_counts(path)
        == row_counts(path)
        == Counter((line.split(",")[GROUP], line.rstrip("\r\n").split(",")[RESULT]) for line in map(plain, range(500)))
    )
    assert len(split_chunks) > 50 and all(split_chunks)


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters_are_split_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split_chunks: list[bool], delimiter: str
) -> None:
    monkeypatch.setattr(population_csv, "READ_CHUNK", 256)
    lines = [line.replace(",", delimiter) for line in [HEADER, *mixed_lines()]]
    path = tmp_path / "decisions.csv"
    path.write_text("".join(lines), encoding="utf-8", newline="")
    counted = split_counts(path)
    assert counted == row_counts(path) and counted[(f"B{delimiter} north", "Rejected")] == 5
    assert counted.total() == 400 + 5 * 9 and True in split_chunks


@pytest.mark.parametrize("chunk", [40, 64, 100, 333])
def test_blank_rows_among_plain_lines_are_left_out_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split_chunks: list[bool], chunk: int
) -> None:
    monkeypatch.setattr(population_csv, "READ_CHUNK", chunk)
    lines = [plain(n) for n in range(300)]
    for place in range(10, 300, 30):
        lines[place:place] = [",,,,\r\n", " , ,\t, , \n", ",2026-03-01,,filled,\r\n"]
    path = decisions(tmp_path, lines)
    counted = split_counts(path)
    assert counted == row_counts(path)
    assert counted.total() == 310 and counted[("", "")] == 10
    assert True in split_chunks


def test_the_figures_are_the_same_with_and_without_splitting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(population_csv, "READ_CHUNK", 64)
    path = decisions(tmp_path, mixed_lines())
    split = reperform(PopulationSource(path), "Group", "Result", ["hired"])
    monkeypatch.setattr(population_csv._CsvRows, "_split_counts", lambda *_: None)
    assert reperform(PopulationSource(path), "Group", "Result", ["hired"]) == split
    assert split.left_out == 5 * 3 and split.decisions == 400 + 5 * 6


def refusal(count: Any, path: Path) -> str:
    with pytest.raises(RefusedFile) as refused:
        count(path)
    return str(refused.value)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("Q-9,2026-03-01,A,Hired\r\n", "line 252 has 4 values where the header has 5"),
        ("Q-9,2026-03-01,A,a,b,Hired\r\n", "line 252 has 6 values where the header has 5"),
        ("Q-9,2026-03-01,A,Hired\r\nQ-10,2026-03-01,A,a,b,Hired\r\n", "line 252 has 4 values"),  # 9 in two lines
        ("Q-9,2026-03-01,A," + "x" * 40_000 + ",Hired\r\n", "a value near line 253 is longer than 32,767"),
        ('Q-9,2026-03-01,A,"never closed,Hired\r\n', "not well-formed CSV near line 403 (unexpected end of data)"),
    ],
)
def test_a_bad_line_after_plain_chunks_is_refused_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str, reason: str
) -> None:
    monkeypatch.setattr(population_csv, "READ_CHUNK", 512)
    lines = [plain(n) for n in range(400)]
    lines.insert(250, bad)
    path = decisions(tmp_path, lines)
    message = refusal(split_counts, path)
    assert reason in message and message == refusal(row_counts, path)


def test_a_long_line_is_refused_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(population_csv, "READ_CHUNK", 4096)
    monkeypatch.setattr(population_csv, "MAX_CSV_LINE_CHARS", 10_000)
    lines = [plain(n) for n in range(400)]
    lines.insert(300, "Q-9,2026-03-01,A," + ",".join(["y" * 3_000] * 4) + "\r\n")
    path = decisions(tmp_path, lines)
    message = refusal(split_counts, path)
    assert "a line is longer than 10,000 characters" in message and message == refusal(row_counts, path)


def test_bytes_that_are_not_text_are_refused_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(population_csv, "READ_CHUNK", 512)
    path = decisions(tmp_path, [plain(n) for n in range(400)])
    data = path.read_bytes()
    bad = tmp_path / "latin.csv"
    bad.write_bytes(data[:15_000] + "Müller".encode("latin-1") + data[15_000:])
    nul = tmp_path / "nul.csv"
    nul.write_bytes(data[:15_000] + b"\x00" + data[15_000:])
    for path, reason in ((bad, "it is not UTF-8 text"), (nul, "it contains NUL bytes")):
        message = refusal(split_counts, path)
        assert reason in message and message == refusal(row_counts, path)


def test_the_row_limit_holds_for_counted_pairs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(population_csv, "READ_CHUNK", 512)
    monkeypatch.setattr(population_files, "MAX_ROWS", 300)
    path = decisions(tmp_path, [plain(n) for n in range(301)])
    message = refusal(split_counts, path)
    assert "it holds more than 300 rows" in message and message == refusal(row_counts, path)
    assert split_counts(decisions(tmp_path, [plain(n) for n in range(300)])).total() == 300
