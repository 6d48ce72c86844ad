"""HTML: one self-contained file (fonts and charts embedded), the same HTML the PDF prints."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ashyq.reports.fonts import FAMILY, data_uri, font_faces
from ashyq.reports.model import Chart, Heading, Report

__all__ = ["HtmlRenderer", "render_html"]

_ENVIRONMENT = Environment(
    loader=PackageLoader("ashyq.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class _Entry:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class _Face:
    weight: str
    style: str
    src: str


def _css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, safe inside a <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return Markup(f'"{escaped}"')


def _svg(chart: Chart) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(chart.svg).decode("ascii")


def _png(chart: Chart) -> str:
    return "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii")


def render_html(report: Report, *, paged: bool = False) -> str:
    """The report as HTML; ``paged`` adds the page footer, links fonts by file address
    and draws charts from their PNG (for WeasyPrint: SVG glyph paths take it seconds per
    chart) instead of embedding fonts and SVG."""
    anchors: list[str | None] = []
    toc: list[_Entry] = []
    for index, block in enumerate(report.blocks):
        if isinstance(block, Heading):
            anchor = block.anchor or f"section-{index}"
            anchors.append(anchor)
            toc.append(_Entry(block.level, block.text, anchor))
        else:
            anchors.append(None)
    faces = [
        _Face(face.weight, face.style, face.path.as_uri() if paged else data_uri(face.path))
        for face in font_faces()
    ]
    css = resources.files("ashyq.reports").joinpath("templates/report.css").read_text("utf-8")
    template = _ENVIRONMENT.get_template("report.html")
    return template.render(
        report=report,
        anchors=anchors,
        toc=toc,
        fonts=faces,
        family=FAMILY,
        css=css,
        paged=paged,
        picture=_png if paged else _svg,
        css_string=_css_string,
    )


class HtmlRenderer:
    """A single HTML file that opens offline, fonts and charts included."""

    name = "html"
    suffix = ".html"
    media_type = "text/html; charset=utf-8"

    def render(self, report: Report) -> bytes:
        """Return the HTML file in UTF-8."""
        return render_html(report).encode("utf-8")
