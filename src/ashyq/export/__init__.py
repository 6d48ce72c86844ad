"""Renderers that turn index results into files: a table, CSV, JSON and XLSX.

Every format is a renderer registered under its name, the same way a third party adds
one: ``register_renderer(MyRenderer())``. ``ashyq index compute --format NAME`` looks the
name up here.
"""

from ashyq.export.document import ResultsDocument, build_document
from ashyq.export.renderers import RENDERERS, Renderer, register_renderer
from ashyq.export.workbook import WorkbookRenderer

__all__ = [
    "RENDERERS",
    "Renderer",
    "ResultsDocument",
    "WorkbookRenderer",
    "build_document",
    "register_renderer",
]
