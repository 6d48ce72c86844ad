"""Renderers of reports, one per file format, behind one interface.

``REPORT_RENDERERS`` maps a format name to its renderer; a new format is a class with
``name``, ``suffix``, ``media_type`` and ``render(report) -> bytes``, passed to
:func:`register_report_renderer`.
"""

from __future__ import annotations

from typing import Protocol

from ashyq.reports.model import Report

__all__ = ["REPORT_RENDERERS", "ReportRenderer", "register_report_renderer"]


class ReportRenderer(Protocol):
    """Turns a report into the bytes of one file format."""

    name: str
    suffix: str
    media_type: str

    def render(self, report: Report) -> bytes:
        """Return the whole file."""
        ...


REPORT_RENDERERS: dict[str, ReportRenderer] = {}


def register_report_renderer(renderer: ReportRenderer) -> ReportRenderer:
    """Make ``renderer`` available under its name; returns it."""
    REPORT_RENDERERS[renderer.name] = renderer
    return renderer


def _register_builtin() -> None:
    # The built-in formats import this module for the interface, so they come last.
    from ashyq.reports.render.docx import DocxRenderer
    from ashyq.reports.render.html import HtmlRenderer
    from ashyq.reports.render.pdf import PdfRenderer
    from ashyq.reports.render.xlsx import XlsxRenderer

    for renderer in (HtmlRenderer(), PdfRenderer(), DocxRenderer(), XlsxRenderer()):
        register_report_renderer(renderer)


_register_builtin()
