"""Server-rendered SVG charts: no JavaScript, no fonts or libraries to fetch.

Government networks are closed and pages must work without JavaScript, so charts are plain
SVG strings built here and inlined into the HTML. Every chart is an accessible image
(``role="img"`` labelled by its ``<title>`` and ``<desc>``), prints its numbers as text so
that colour is never the only carrier of a value, and carries default colours as
presentation attributes, which any stylesheet rule overrides, so it is readable even when
the stylesheet fails to load. Presentation attributes, unlike ``style=""``, are also allowed
by a strict Content-Security-Policy.

The pages show a data table next to each chart; the chart is a picture of that table.

Class names the stylesheet can target: ``chart`` (the ``<svg>``), ``chart-bar`` and
``chart-bar--<tone>``, ``chart-label``, ``chart-value``, ``chart-grid``, ``chart-line``,
``chart-point``, ``chart-series--<n>`` (the group of the n-th series, from 0) and
``chart-legend``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from html import escape

__all__ = ["Bar", "Series", "bar_chart", "line_chart"]

# Sizes in viewBox units. The SVG scales to its container, so these are proportions, and
# the text width estimate only has to be roughly right for Cyrillic and Latin sans-serif.
_FONT_SIZE = 13
_CHAR_WIDTH = 7.5
_LINE_HEIGHT = 16
_PAD = 8
_BAR_HEIGHT = 20
_BAR_GAP = 10
_MAX_LABEL_LINES = 3
_MIN_WIDTH = 200
_MIN_HEIGHT = 120
_MIN_PLOT_HEIGHT = 60

# Default colours, all at least 3:1 against white (WCAG 1.4.11 for graphics) and text at
# 16:1 (1.4.3). The stylesheet may replace them through the class names.
_TEXT = "#1a1a1a"
_BAR = "#1f5f99"
_GRID = "#8c8c8c"
_AXIS = "#595959"
_SERIES_COLOURS = ("#1f5f99", "#b34700", "#2e7d32", "#7b3fa0", "#a3195b", "#00695c")
# Series differ by dash and marker shape too, so they can be told apart without colour
# (WCAG 1.4.1) and in greyscale print.
_SERIES_DASHES = ("", "6 3", "2 3", "8 3 2 3")
_MARKERS = ("circle", "square", "triangle", "diamond")

_TONE = re.compile(r"[A-Za-z0-9_-]+")
_SVG_NS = "http://www.w3.org/2000/svg"


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, a non-negative value and an optional CSS tone suffix.

    ``tone`` becomes the class ``chart-bar--<tone>`` (e.g. ``"AAA"``, ``"high"``) so the
    stylesheet can colour the bar by rating.
    """

    label: str
    value: float
    tone: str | None = None


@dataclass(frozen=True, slots=True)
class Series:
    """One line: its name (shown in the legend) and ``(x label, value)`` points in order."""

    name: str
    points: Sequence[tuple[str, float]]


def _default_format(value: float) -> str:
    """Return ``value`` with at most two decimals and no trailing zeros: ``3.78``, ``100``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _num(value: float) -> str:
    """Return a coordinate for an attribute: two decimals at most, stable across runs."""
    return _default_format(round(value, 2))


def _text_width(text: str) -> float:
    """Return an estimate of how wide ``text`` renders at the chart font size."""
    return len(text) * _CHAR_WIDTH


def _check_value(value: float, what: str) -> None:
    """Raise ValueError naming ``what`` unless ``value`` is a finite number ≥ 0."""
    if not math.isfinite(value):
        raise ValueError(f"{what}: value must be a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"{what}: negative values are not supported, got {value!r}")


def _wrap(text: str, max_chars: int) -> tuple[list[str], bool]:
    """Return ``text`` broken into at most three lines of ``max_chars``, and whether cut short.

    Breaks at spaces; a word longer than a line is split. A label that needs more lines ends
    in an ellipsis, and the caller adds the full text as a tooltip.
    """
    max_chars = max(max_chars, 4)
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > max_chars:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:max_chars])
            word = word[max_chars:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= max_chars:
            current = f"{current} {word}"
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    if len(lines) <= _MAX_LABEL_LINES:
        return lines, False
    kept = lines[:_MAX_LABEL_LINES]
    kept[-1] = kept[-1][: max_chars - 1].rstrip() + "…"
    return kept, True


def _text(content: str, *, x: float, y: float, css_class: str, anchor: str = "start") -> str:
    """Return one escaped ``<text>`` element with the default text colour."""
    return (
        f'<text class="{css_class}" x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"'
        f' fill="{_TEXT}">{escape(content)}</text>'
    )


def _svg(kind: str, *, title: str, description: str, width: int, height: float, body: str) -> str:
    """Return the complete ``<svg>`` around ``body``, with ids derived from its content.

    Ids come from a hash of the title, description and drawing, so the same chart renders
    byte for byte the same (stable golden pages) while different charts on one page do not
    share ids.
    """
    digest = hashlib.sha256(
        "\0".join((kind, title, description, str(width), _num(height), body)).encode()
    ).hexdigest()[:12]
    chart_id = f"chart-{digest}"
    title_id = f"{chart_id}-title"
    desc_id = f"{chart_id}-desc"
    return (
        f'<svg xmlns="{_SVG_NS}" class="chart chart--{kind}" id="{chart_id}" role="img"'
        f' aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {width} {_num(height)}"'
        f' width="100%" font-size="{_FONT_SIZE}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
        f"{body}</svg>"
    )


def _check_width(width: int) -> None:
    """Raise ValueError when ``width`` leaves no room to draw."""
    if width < _MIN_WIDTH:
        raise ValueError(f"chart width must be at least {_MIN_WIDTH}, got {width}")


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str,
    value_format: Callable[[float], str] = _default_format,
    width: int = 640,
) -> str:
    """Return a horizontal bar chart as an SVG string, safe to insert into HTML unescaped.

    Bars are drawn in the given order, scaled to the largest value (all zeros draw empty
    bars); each has its label on the left, wrapped to at most three lines, and its value,
    spelled by ``value_format``, at the end of the bar. ``title`` and ``description`` name
    the image for assistive technology. Raises ValueError for no bars, a negative or
    non-finite value (naming the bar's label), a tone that is not a plain class-name suffix,
    or a width under 200.
    """
    _check_width(width)
    if not bars:
        raise ValueError("a bar chart needs at least one bar")
    for bar in bars:
        _check_value(bar.value, f"bar {bar.label!r}")
        if bar.tone is not None and not _TONE.fullmatch(bar.tone):
            raise ValueError(f"bar {bar.label!r}: tone must be letters, digits, - or _")

    values = [value_format(bar.value) for bar in bars]
    value_width = max(_text_width(value) for value in values) + _PAD
    # The label column takes what the labels need, up to 40% of the width, and always leaves
    # at least a quarter of the width for the bars themselves.
    longest_label = max(_text_width(bar.label) for bar in bars)
    label_width = min(longest_label, width * 0.4, width * 0.75 - value_width - 3 * _PAD)
    label_width = max(label_width, _CHAR_WIDTH * 4)
    bar_x = label_width + 2 * _PAD
    bar_area = width - bar_x - value_width - _PAD
    if bar_area <= 0:
        raise ValueError(f"chart width {width} is too small for values like {values[0]!r}")
    max_chars = int(label_width // _CHAR_WIDTH)
    largest = max(bar.value for bar in bars)

    rows: list[str] = []
    y = float(_PAD)
    for bar, value in zip(bars, values, strict=True):
        lines, cut = _wrap(bar.label, max_chars)
        row_height = max(_BAR_HEIGHT, len(lines) * _LINE_HEIGHT)
        middle = y + row_height / 2
        length = bar_area * bar.value / largest if largest > 0 else 0.0
        css = "chart-bar" if bar.tone is None else f"chart-bar chart-bar--{bar.tone}"
        # Baselines sit a third of the font size below the middle: vertically centred text
        # without dominant-baseline, which renderers support unevenly.
        first_baseline = middle - (len(lines) - 1) * _LINE_HEIGHT / 2 + _FONT_SIZE * 0.35
        if len(lines) == 1:
            label = _text(lines[0], x=0, y=first_baseline, css_class="chart-label")
        else:
            spans = "".join(
                f'<tspan x="0" y="{_num(first_baseline + i * _LINE_HEIGHT)}">{escape(line)}</tspan>'
                for i, line in enumerate(lines)
            )
            label = f'<text class="chart-label" fill="{_TEXT}">{spans}</text>'
        tooltip = f"<title>{escape(bar.label)}</title>" if cut else ""
        rows.append(
            f'<g class="chart-row">{tooltip}{label}'
            f'<rect class="{css}" x="{_num(bar_x)}" y="{_num(middle - _BAR_HEIGHT / 2)}"'
            f' width="{_num(length)}" height="{_BAR_HEIGHT}" fill="{_BAR}"/>'
            + _text(
                value,
                x=bar_x + length + _PAD / 2,
                y=middle + _FONT_SIZE * 0.35,
                css_class="chart-value",
            )
            + "</g>"
        )
        y += row_height + _BAR_GAP
    height = y - _BAR_GAP + _PAD
    # A baseline where every bar starts, so a zero bar still shows where it would begin.
    axis = (
        f'<line class="chart-grid chart-grid--axis" x1="{_num(bar_x)}" y1="{_num(_PAD / 2)}"'
        f' x2="{_num(bar_x)}" y2="{_num(height - _PAD / 2)}" stroke="{_AXIS}"/>'
    )
    return _svg(
        "bar",
        title=title,
        description=description,
        width=width,
        height=height,
        body=axis + "".join(rows),
    )


def _nice_scale(largest: float) -> list[float]:
    """Return the y-axis ticks from 0: four or five round values whose last is ≥ ``largest``.

    Steps are 1, 2, 2.5 or 5 times a power of ten, so ticks read 0, 25, 50, 75, 100 or
    0, 1, 2, 3, 4. An all-zero chart gets the scale 0 to 1.
    """
    target = Decimal(repr(largest)) if largest > 0 else Decimal(1)
    exponent = target.adjusted()
    best: tuple[Decimal, int, Decimal] | None = None
    for power in range(exponent - 2, exponent + 2):
        for mantissa in ("1", "2", "2.5", "5"):
            step = Decimal(mantissa).scaleb(power)
            intervals = int((target / step).to_integral_value(ROUND_CEILING))
            if intervals not in (3, 4):
                continue
            top = step * intervals
            # The tightest top wins; on a tie, more gridlines.
            if best is None or (top, -intervals) < (best[0], -best[1]):
                best = (top, intervals, step)
    if best is None:  # pragma: no cover - the 1-2-2.5-5 ladder always yields a candidate
        raise AssertionError(f"no scale for {largest!r}")
    _, intervals, step = best
    return [float(step * i) for i in range(intervals + 1)]


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    """Return a point marker of ``shape`` centred on ``(x, y)``."""
    common = f'class="chart-point chart-point--{shape}" fill="{colour}"'
    if shape == "circle":
        return f'<circle {common} cx="{_num(x)}" cy="{_num(y)}" r="4.5"/>'
    if shape == "square":
        return f'<rect {common} x="{_num(x - 4)}" y="{_num(y - 4)}" width="8" height="8"/>'
    corners: tuple[tuple[float, float], ...]
    if shape == "triangle":
        corners = ((x, y - 5.5), (x + 5, y + 4), (x - 5, y + 4))
    else:
        corners = ((x, y - 5.5), (x + 5.5, y), (x, y + 5.5), (x - 5.5, y))
    points = " ".join(f"{_num(px)},{_num(py)}" for px, py in corners)
    return f'<polygon {common} points="{points}"/>'


def _value_baseline(y: float, others: Sequence[float], bottom: float) -> float:
    """Return the baseline of the value printed for a point drawn at height ``y``.

    The value goes above the marker, unless another series has a point just above in the
    same period (its marker would cover the text); then it goes below, if that leaves the
    x labels clear.
    """
    crowded = any(0 < y - other < _LINE_HEIGHT + _PAD for other in others)
    if crowded and y + _PAD + _FONT_SIZE < bottom:
        return y + _PAD + _FONT_SIZE
    return y - _PAD - 1


def _series_style(index: int) -> tuple[str, str, str]:
    """Return the default colour, dash pattern and marker shape of the ``index``-th series."""
    return (
        _SERIES_COLOURS[index % len(_SERIES_COLOURS)],
        _SERIES_DASHES[index % len(_SERIES_DASHES)],
        _MARKERS[index % len(_MARKERS)],
    )


def _stroke(colour: str, dash: str) -> str:
    """Return the stroke attributes of a series line."""
    dasharray = f' stroke-dasharray="{dash}"' if dash else ""
    return f'fill="none" stroke="{colour}" stroke-width="2"{dasharray}'


def _legend(series: Sequence[Series], width: int) -> tuple[str, float]:
    """Return the legend (one entry per series, wrapping into rows) and its height."""
    entries: list[str] = []
    x, row = 0.0, 0
    for index, one in enumerate(series):
        colour, dash, shape = _series_style(index)
        entry_width = 28 + _PAD + _text_width(one.name) + 2 * _PAD
        if x > 0 and x + entry_width > width:
            x, row = 0.0, row + 1
        middle = _PAD + row * 20 + 8
        entries.append(
            f'<g class="chart-legend-entry chart-series--{index}">'
            f'<line class="chart-line" x1="{_num(x)}" y1="{_num(middle)}" x2="{_num(x + 28)}"'
            f' y2="{_num(middle)}" {_stroke(colour, dash)}/>'
            + _marker(shape, x + 14, middle, colour)
            + _text(
                one.name,
                x=x + 28 + _PAD,
                y=middle + _FONT_SIZE * 0.35,
                css_class="chart-label",
            )
            + "</g>"
        )
        x += entry_width
    height = _PAD + (row + 1) * 20
    return f'<g class="chart-legend">{"".join(entries)}</g>', height


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    value_format: Callable[[float], str] = _default_format,
    width: int = 640,
    height: int = 240,
) -> str:
    """Return a line chart over category x labels as an SVG string, safe to insert unescaped.

    The x axis lists every x label in the order first met across the series (e.g. periods
    "2024", "2025"); the y axis runs from 0 to a round maximum with four or five gridlines,
    labelled by ``value_format``. Each point has a marker and its value as text; consecutive
    points are joined, so a series with one point is a single marker and a missing period
    breaks the line. Several series get a legend and differ by colour, dash and marker shape.
    Raises ValueError for no series, a series without points or with a repeated x label, a
    negative or non-finite value (naming the series and x label), a width under 200, or a
    height under 120 or too small for the legend.
    """
    _check_width(width)
    if height < _MIN_HEIGHT:
        raise ValueError(f"chart height must be at least {_MIN_HEIGHT}, got {height}")
    if not series:
        raise ValueError("a line chart needs at least one series")
    categories: list[str] = []
    for one in series:
        if not one.points:
            raise ValueError(f"series {one.name!r} has no points")
        seen: set[str] = set()
        for label, value in one.points:
            _check_value(value, f"series {one.name!r} at {label!r}")
            if label in seen:
                raise ValueError(f"series {one.name!r} has x label {label!r} twice")
            seen.add(label)
            if label not in categories:
                categories.append(label)

    ticks = _nice_scale(max(value for one in series for _, value in one.points))
    tick_labels = [value_format(tick) for tick in ticks]
    legend, legend_height = _legend(series, width) if len(series) > 1 else ("", 0.0)
    # Room above the plot for the value printed over the highest point.
    top = legend_height + _LINE_HEIGHT + _PAD
    bottom = height - _LINE_HEIGHT - _PAD
    left = max(_text_width(label) for label in tick_labels) + _PAD
    right = width - _PAD
    if bottom - top < _MIN_PLOT_HEIGHT:
        raise ValueError(f"chart height {height} is too small for {len(series)} series")

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / ticks[-1]

    band = (right - left) / len(categories)

    def x_of(label: str) -> float:
        return left + band * (categories.index(label) + 0.5)

    parts: list[str] = [legend]
    for tick, label in zip(ticks, tick_labels, strict=True):
        y = y_of(tick)
        # The zero line is solid and darker; the others are dashed so they stay in the
        # background while still meeting 3:1.
        style = f'stroke="{_AXIS}"' if tick == 0 else f'stroke="{_GRID}" stroke-dasharray="2 3"'
        parts.append(
            f'<line class="chart-grid" x1="{_num(left)}" y1="{_num(y)}" x2="{_num(right)}"'
            f' y2="{_num(y)}" {style}/>'
            + _text(
                label,
                x=left - _PAD / 2,
                y=y + _FONT_SIZE * 0.35,
                css_class="chart-label",
                anchor="end",
            )
        )
    parts.extend(
        _text(label, x=x_of(label), y=height - _PAD, css_class="chart-label", anchor="middle")
        for label in categories
    )

    # Where every point of each period is drawn, to keep value labels off each other.
    heights: dict[str, list[float]] = {label: [] for label in categories}
    for one in series:
        for label, value in one.points:
            heights[label].append(y_of(value))

    for index, one in enumerate(series):
        colour, dash, shape = _series_style(index)
        values = dict(one.points)
        # Runs of points in adjacent categories become one polyline each.
        runs: list[list[str]] = [[]]
        for label in categories:
            if label in values:
                runs[-1].append(label)
            elif runs[-1]:
                runs.append([])
        lines = "".join(
            '<polyline class="chart-line" points="'
            + " ".join(f"{_num(x_of(label))},{_num(y_of(values[label]))}" for label in run)
            + f'" {_stroke(colour, dash)}/>'
            for run in runs
            if len(run) > 1
        )
        points = "".join(
            _marker(shape, x_of(label), y_of(value), colour)
            + _text(
                value_format(value),
                x=x_of(label),
                y=_value_baseline(y_of(value), heights[label], bottom),
                css_class="chart-value",
                anchor="middle",
            )
            for label, value in one.points
        )
        parts.append(f'<g class="chart-series chart-series--{index}">{lines}{points}</g>')

    return _svg(
        "line",
        title=title,
        description=description,
        width=width,
        height=height,
        body="".join(parts),
    )
