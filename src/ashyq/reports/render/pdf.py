"""PDF: WeasyPrint prints the HTML of the report, with page numbers and a linked contents."""

from __future__ import annotations

import logging

from ashyq.reports.model import Report
from ashyq.reports.render.html import render_html

__all__ = ["PdfRenderer"]


class PdfRenderer:
    """A4 pages numbered "n / N", the contents with page numbers, fonts embedded, tagged
    for assistive technology (PDF/UA-1)."""

    name = "pdf"
    suffix = ".pdf"
    media_type = "application/pdf"

    def render(self, report: Report) -> bytes:
        """Return the PDF file."""
        # Imported here: loading Pango takes a second that other commands need not pay.
        from weasyprint import HTML

        # WeasyPrint warns about CSS it ignores (e.g. screen-only rules); not our errors.
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        html = HTML(string=render_html(report, paged=True), base_url=".")
        # PDF/UA-1: tagged (a structure tree of the headings, paragraphs, lists and
        # tables), with the document's language and XMP metadata, as a government
        # publication must be for screen readers.
        pdf: bytes = html.write_pdf(
            pdf_identifier=f"ashyq-{report.kind}-{report.lang}".encode(),
            pdf_variant="pdf/ua-1",
            uncompressed_pdf=False,
        )
        return pdf
