"""Reading a rendered report back as text, the way a reviewer (or a search) sees it: pypdf for the PDF,
python-docx for the Word document (body paragraphs and table cells, in order)."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import docx
from docx.oxml.ns import qn
from pypdf import PdfReader

from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.docx.render import DocxRenderer
from fieldwork.app.exports.docx.styles import new_document
from fieldwork.app.exports.pdf.fonts import coverage
from fieldwork.app.exports.pdf.layout import ReportCanvas, ReportDocument
from fieldwork.app.exports.pdf.render import Renderer
from fieldwork.app.exports.report.build import build_report
from fieldwork.app.exports.report.model import DRAFT_OPTIONS, Audience, Heading, Report, ReportOptions
from fieldwork.app.tasks import Task


def flat(text: str) -> str:
    return " ".join(text.split())


#: Where a page's own text is, between the running header and the footer (points from the bottom).
BODY_BETWEEN = (45, 712)


def pdf_pages(path: Path) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(path).pages]


def pdf_bodies(path: Path) -> list[str]:
    """Each page's own text, without the running header and footer."""
    low, high = BODY_BETWEEN
    pages: list[str] = []
    for page in PdfReader(path).pages:
        kept: list[str] = []

        def keep(
            text: str, cm: list[float], tm: list[float], _font: object, _size: object, kept: list[str] = kept
        ) -> None:
            if low < cm[5] + tm[5] * cm[3] < high:
                kept.append(text)

        page.extract_text(visitor_text=keep)
        pages.append(flat("".join(kept)))
    return pages


def pdf_body(path: Path) -> str:
    """The report's own text as one text: a paragraph continued on the next page reads on."""
    return " ".join(pdf_bodies(path))


def docx_text(source: Path | io.BytesIO) -> str:
    """Every paragraph of the body, table cells included, in document order."""
    body = docx.Document(source).element.body
    paragraphs = body.iter(qn("w:p"))
    return flat(" ".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in paragraphs))


def front(data: ReportData, options: ReportOptions = DRAFT_OPTIONS) -> Report:
    """The report up to Section III: the cover, the contents and Sections I and II, where the wording is."""
    report = build_report(data, Task(), options)
    end = next(n for n, b in enumerate(report.body) if isinstance(b, Heading) and b.title.startswith("Section III"))
    return replace(report, body=report.body[:end])


def render_pdf(report: Report, target: Path) -> str:
    coverage()
    document = ReportDocument(target, report)
    document.build(Renderer().render(report), canvasmaker=ReportCanvas)
    return pdf_body(target)


def render_docx(report: Report) -> str:
    document = new_document()
    DocxRenderer(document, Task()).render(report)
    written = io.BytesIO()
    document.save(written)
    written.seek(0)
    return docx_text(written)


Writer = Callable[[ReportData, Path, Task, ReportOptions], None]


def written_copies(data: ReportData, folder: Path, pdf: Writer, word: Writer) -> dict[tuple[Audience, str], str]:
    """Both copies written as `folder/<audience>.pdf` and `.docx` and read back: (audience, "pdf" or "docx")."""
    texts = {}
    for audience in Audience:
        options = ReportOptions(audience)
        pdf(data, folder / f"{audience}.pdf", Task(), options)
        word(data, folder / f"{audience}.docx", Task(), options)
        texts[audience, "pdf"] = pdf_body(folder / f"{audience}.pdf")
        texts[audience, "docx"] = docx_text(folder / f"{audience}.docx")
    return texts


def libreoffice_pdf(source: Path, folder: Path) -> Path:
    """The Word document converted by LibreOffice headless (with a private profile): it opens without repair."""
    done = subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"HOME": str(folder)},
    )
    assert done.returncode == 0, done.stderr
    return folder / f"{source.stem}.pdf"
