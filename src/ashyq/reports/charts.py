"""Charts for the reports, drawn offline with Matplotlib (Agg), as SVG and PNG.

Text is drawn with DejaVu Sans, which Matplotlib ships and which has every Kazakh letter;
in SVG the glyphs are paths, so a chart looks the same wherever it is opened. Output is
deterministic: no dates in the metadata and a fixed hash salt.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")  # no display: draw to files only, before pyplot is imported

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ashyq.i18n import Lang
from ashyq.i18n.grammar import number
from ashyq.reports.model import Chart
from ashyq.results.render import LEVEL_COLOURS

__all__ = [
    "LEVEL_EDGES",
    "grouped_bars",
    "horizontal_bars",
    "line_chart",
    "share_bars",
    "stacked_bars",
]

# Darker outlines of the level fills, so bars stay distinct when printed in grey.
LEVEL_EDGES = {
    "high": "#2E7D32",
    "medium": "#9C6500",
    "low": "#C05000",
    "ineffective": "#9C0006",
}
_NEUTRAL = "#9FB7D5"
_NEUTRAL_EDGE = "#2F5597"
_DPI = 150

matplotlib.rcParams.update(
    {
        "font.family": "DejaVu Sans",
        "font.size": 8,
        "svg.fonttype": "path",
        "svg.hashsalt": "ashyq",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def _chart(figure: Figure, key: str, caption: str, alt: str, width_cm: float) -> Chart:
    svg = io.BytesIO()
    figure.savefig(svg, format="svg", metadata={"Date": None}, bbox_inches="tight")
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=_DPI, metadata={"Software": None}, bbox_inches="tight")
    plt.close(figure)
    return Chart(key, caption, alt, svg.getvalue(), png.getvalue(), width_cm)


def _spell_axis(axes: Axes, axis: str, lang: Lang) -> None:
    formatter = FuncFormatter(lambda value, _: number(Decimal(str(round(float(value), 6))), lang))
    (axes.xaxis if axis == "x" else axes.yaxis).set_major_formatter(formatter)


def horizontal_bars(
    key: str,
    caption: str,
    alt: str,
    labels: Sequence[str],
    values: Sequence[Decimal],
    levels: Sequence[str | None],
    *,
    lang: Lang,
    maximum: Decimal | None = None,
    minimum: Decimal | None = None,
    width_cm: float = 16.0,
) -> Chart:
    """One bar per label, top to bottom in the given order, filled by level; the axis
    starts at ``minimum`` (0 by default: scores of 4,3-5 are told apart from 4)."""
    height = max(1.6, 0.22 * len(labels) + 0.6)
    figure, axes = plt.subplots(figsize=(width_cm / 2.54, height))
    positions = list(range(len(labels)))[::-1]
    fills = [LEVEL_COLOURS.get(level or "", _NEUTRAL) for level in levels]
    edges = [LEVEL_EDGES.get(level or "", _NEUTRAL_EDGE) for level in levels]
    base = float(minimum) if minimum is not None else 0.0
    numbers = [float(v) - base for v in values]
    axes.barh(
        positions, numbers, left=base, color=fills, edgecolor=edges, linewidth=0.6, height=0.7
    )
    axes.set_yticks(positions, labels)
    top = float(maximum) if maximum is not None else max(numbers, default=1.0) + base or 1.0
    span = top - base
    axes.set_xlim(base, top + span * 0.12)
    for position, value in zip(positions, values, strict=True):
        axes.text(float(value) + span * 0.01, position, number(value, lang), va="center")
    axes.tick_params(axis="y", length=0)
    _spell_axis(axes, "x", lang)
    return _chart(figure, key, caption, alt, width_cm)


def stacked_bars(
    key: str,
    caption: str,
    alt: str,
    groups: Sequence[str],
    series: Sequence[tuple[str, str | None, Sequence[int]]],
    *,
    width_cm: float = 16.0,
) -> Chart:
    """One horizontal bar per group, split into series (label, level, counts per group)."""
    figure, axes = plt.subplots(figsize=(width_cm / 2.54, max(1.4, 0.45 * len(groups) + 0.9)))
    positions = list(range(len(groups)))[::-1]
    lefts = [0] * len(groups)
    for label, level, counts in series:
        axes.barh(
            positions,
            list(counts),
            left=lefts,
            color=LEVEL_COLOURS.get(level or "", _NEUTRAL),
            edgecolor=LEVEL_EDGES.get(level or "", _NEUTRAL_EDGE),
            linewidth=0.6,
            height=0.6,
            label=label,
        )
        for position, left, count in zip(positions, lefts, counts, strict=True):
            if count:
                axes.text(left + count / 2, position, str(count), ha="center", va="center")
        lefts = [left + count for left, count in zip(lefts, counts, strict=True)]
    axes.set_yticks(positions, list(groups))
    axes.tick_params(axis="y", length=0)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(4, len(series)))
    return _chart(figure, key, caption, alt, width_cm)


def grouped_bars(
    key: str,
    caption: str,
    alt: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal]]],
    *,
    lang: Lang,
    width_cm: float = 16.0,
) -> Chart:
    """Vertical bars per label, one per series side by side (e.g. previous and current)."""
    figure, axes = plt.subplots(figsize=(width_cm / 2.54, 2.6))
    count = len(series)
    width = 0.8 / max(count, 1)
    palette = [("#D9D9D9", "#595959"), (_NEUTRAL, _NEUTRAL_EDGE), ("#C6EFCE", "#2E7D32")]
    for index, (name, values) in enumerate(series):
        fill, edge = palette[index % len(palette)]
        offsets = [x + (index - (count - 1) / 2) * width for x in range(len(labels))]
        numbers = [float(v) for v in values]
        axes.bar(offsets, numbers, width, color=fill, edgecolor=edge, linewidth=0.6, label=name)
        for x, value in zip(offsets, values, strict=True):
            axes.text(x, float(value), number(value, lang), ha="center", va="bottom")
    axes.set_xticks(list(range(len(labels))), list(labels))
    _spell_axis(axes, "y", lang)
    axes.legend(loc="upper right", frameon=False)
    return _chart(figure, key, caption, alt, width_cm)


def share_bars(
    key: str,
    caption: str,
    alt: str,
    labels: Sequence[str],
    shares: Sequence[Decimal],
    levels: Sequence[str | None],
    markers: Sequence[Decimal],
    *,
    lang: Lang,
    share_label: str,
    marker_label: str,
    width_cm: float = 16.0,
) -> Chart:
    """One bar per label, top to bottom: its share of the max in percent (0 to 100), filled
    by level, with a diamond per bar at ``markers`` (e.g. the median of the body's level).

    ``share_label`` names the axis, ``marker_label`` the diamonds in the legend.
    """
    height = max(1.8, 0.14 * len(labels) + 0.7)
    # Long labels stay inside the width, so the chart prints at its nominal font size.
    figure, axes = plt.subplots(figsize=(width_cm / 2.54, height), layout="constrained")
    positions = list(range(len(labels)))[::-1]
    fills = [LEVEL_COLOURS.get(level or "", _NEUTRAL) for level in levels]
    edges = [LEVEL_EDGES.get(level or "", _NEUTRAL_EDGE) for level in levels]
    numbers = [float(share) for share in shares]
    axes.barh(positions, numbers, color=fills, edgecolor=edges, linewidth=0.6, height=0.7)
    axes.scatter(
        [float(marker) for marker in markers],
        positions,
        marker="D",
        s=14,
        color="#262626",
        zorder=3,
        label=marker_label,
    )
    axes.set_yticks(positions, list(labels), fontsize=7)
    axes.set_xlim(0, 116)
    axes.set_xticks([0, 20, 40, 60, 80, 100])
    axes.set_xlabel(share_label)
    # The values stand in a column right of 100, clear of the bars and the markers.
    for position, share in zip(positions, shares, strict=True):
        axes.text(103, position, number(share, lang, 0), va="center", fontsize=7)
    axes.tick_params(axis="y", length=0)
    _spell_axis(axes, "x", lang)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)
    return _chart(figure, key, caption, alt, width_cm)


def line_chart(
    key: str,
    caption: str,
    alt: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    *,
    lang: Lang,
    decimals: int = 2,
    width_cm: float = 16.0,
) -> Chart:
    """One line per series over ``labels`` (years), each point labelled with its value;
    a missing value (None) leaves a gap. A legend names the series when there are several."""
    figure, axes = plt.subplots(figsize=(width_cm / 2.54, 2.8))
    markers = ("o", "s", "D")
    colours = (_NEUTRAL_EDGE, "#2E7D32", "#9C6500")
    positions = list(range(len(labels)))
    for index, (name, values) in enumerate(series):
        points = [(x, float(v)) for x, v in zip(positions, values, strict=True) if v is not None]
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        colour = colours[index % len(colours)]
        axes.plot(
            xs, ys, marker=markers[index % len(markers)], color=colour, linewidth=1.2,
            markersize=4, label=name,
        )  # fmt: skip
        for x, value in zip(positions, values, strict=True):
            if value is not None:
                axes.annotate(
                    number(value, lang, decimals), (x, float(value)), textcoords="offset points",
                    xytext=(0, 5), ha="center", fontsize=7, color=colour,
                )  # fmt: skip
    axes.set_xticks(positions, list(labels))
    axes.margins(y=0.25)
    _spell_axis(axes, "y", lang)
    if len(series) > 1:
        axes.legend(loc="lower right", frameon=False)
    return _chart(figure, key, caption, alt, width_cm)
