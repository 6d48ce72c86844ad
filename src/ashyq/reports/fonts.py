"""The reports' typeface: DejaVu Sans, as Matplotlib ships it.

DejaVu Sans has every letter of the Kazakh Cyrillic alphabet (ә ғ қ ң ө ұ ү һ і), and it
arrives with a Python package Ashyq already needs for its charts, so nothing is
downloaded at run time and government networks without internet render it the same.
"""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["FAMILY", "KAZAKH_LETTERS", "FontFace", "data_uri", "font_faces", "subset_font"]

FAMILY = "DejaVu Sans"
KAZAKH_LETTERS = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
_FILES = {
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("bold", "italic"): "DejaVuSans-BoldOblique.ttf",
}
# Latin, Cyrillic (with the Kazakh letters), general punctuation, №, arrows and signs.
_UNICODES = [
    *range(0x20, 0x250),
    *range(0x400, 0x530),
    *range(0x2000, 0x2070),
    0x2116,
    *range(0x2190, 0x21A0),
    *range(0x2212, 0x2216),
    0x2264,
    0x2265,
]


@dataclass(frozen=True)
class FontFace:
    """One face of the family: its weight, style and file."""

    weight: str
    style: str
    path: Path


@cache
def font_faces() -> tuple[FontFace, ...]:
    """The four faces of DejaVu Sans; raises FileNotFoundError if Matplotlib lacks one."""
    import matplotlib  # imported when a report is written, not when any command starts

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = []
    for (weight, style), name in _FILES.items():
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"the report font {path} is missing from Matplotlib")
        faces.append(FontFace(weight, style, path))
    return tuple(faces)


@cache
def subset_font(path: Path) -> bytes:
    """The font at ``path`` cut to the scripts the reports use (about a tenth of its size)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    # fontTools logs a warning for each table it drops (DejaVu's FontForge timestamp).
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_UNICODES)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def data_uri(path: Path) -> str:
    """The subset font as a ``data:`` address, for a self-contained HTML file."""
    return "data:font/ttf;base64," + base64.b64encode(subset_font(path)).decode("ascii")


@cache
def _advances(bold: bool) -> tuple[dict[int, int], int]:
    """The advance width of each character of the regular or bold face, and the face's
    units per em."""
    from fontTools.ttLib import TTFont

    weight = "bold" if bold else "normal"
    face = next(f for f in font_faces() if f.weight == weight and f.style == "normal")
    with TTFont(face.path) as font:
        metrics = font["hmtx"].metrics
        widths = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
        return widths, int(font["head"].unitsPerEm)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """How wide ``text`` is set in the report font at ``size`` points, in points (a
    character the font lacks counts as wide as an em)."""
    widths, units = _advances(bold)
    return sum(widths.get(ord(char), units) for char in text) * size / units
