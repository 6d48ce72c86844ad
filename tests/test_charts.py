"""The server-rendered SVG charts: readable as text, accessible, safe and stable."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from ashyq.web.charts import Bar, Series, bar_chart, line_chart

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The chart as an XML tree; fails the test if the markup is not well-formed."""
    return ET.fromstring(svg)


def texts(root: ET.Element, css_class: str) -> list[str]:
    """The visible strings of every ``<text>`` with ``css_class``, lines joined by spaces."""
    return [
        " ".join(part for part in element.itertext())
        for element in root.iter(f"{SVG}text")
        if css_class in element.get("class", "").split()
    ]


def bars_of(root: ET.Element) -> list[ET.Element]:
    return [
        rect for rect in root.iter(f"{SVG}rect") if "chart-bar" in rect.get("class", "").split()
    ]


def ru_percent(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + "%"


BODIES = [
    Bar("Министерство финансов", 92.5, "AAA"),
    Bar("Акимат города Алматы", 61.0, "high"),
    Bar("Агентство по делам государственной службы", 30.25),
]


def test_bar_widths_are_proportional_to_values() -> None:
    root = parse(bar_chart(BODIES, title="Индекс", description="Баллы органов"))

    widths = [float(rect.get("width", "")) for rect in bars_of(root)]

    assert len(widths) == 3
    assert widths[0] > widths[1] > widths[2] > 0
    for bar, bar_width in zip(BODIES, widths, strict=True):
        assert bar_width / widths[0] == pytest.approx(bar.value / BODIES[0].value, abs=0.01)
    # Every bar starts at the same x, so lengths are comparable by eye.
    assert len({rect.get("x") for rect in bars_of(root)}) == 1


def test_bar_labels_and_formatted_values_are_text() -> None:
    root = parse(bar_chart(BODIES, title="Индекс", description="Баллы", value_format=ru_percent))

    assert texts(root, "chart-label") == [bar.label for bar in BODIES]
    assert texts(root, "chart-value") == ["92,5%", "61,0%", "30,2%"]


def test_bar_value_sits_at_the_end_of_its_bar() -> None:
    root = parse(bar_chart(BODIES, title="Индекс", description="Баллы"))
    values = [
        element for element in root.iter(f"{SVG}text") if element.get("class") == "chart-value"
    ]

    for rect, value in zip(bars_of(root), values, strict=True):
        bar_end = float(rect.get("x", "")) + float(rect.get("width", ""))
        assert bar_end < float(value.get("x", "")) <= bar_end + 10


def test_bar_tone_becomes_a_css_class() -> None:
    root = parse(bar_chart(BODIES, title="Индекс", description="Баллы"))

    classes = [rect.get("class") for rect in bars_of(root)]

    assert classes == ["chart-bar chart-bar--AAA", "chart-bar chart-bar--high", "chart-bar"]


def test_long_label_wraps_without_losing_words() -> None:
    label = "Министерство цифрового развития, инноваций и аэрокосмической промышленности"
    root = parse(bar_chart([Bar(label, 3.78)], title="Индекс", description="Баллы"))

    (shown,) = texts(root, "chart-label")

    assert shown == label
    assert len(root.findall(".//svg:text[@class='chart-label']/svg:tspan", NS)) > 1


def test_all_zero_bars_render_empty_bars_with_their_values() -> None:
    bars = [Bar("Орган А", 0), Bar("Орган Б", 0.0)]
    root = parse(bar_chart(bars, title="Жалобы", description="Нет жалоб"))

    assert [rect.get("width") for rect in bars_of(root)] == ["0", "0"]
    assert texts(root, "chart-value") == ["0", "0"]


@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf")])
def test_bar_rejects_negative_or_non_numbers_naming_the_label(value: float) -> None:
    bars = [Bar("Орган А", 5), Bar("Акимат Туркестанской области", value)]

    with pytest.raises(ValueError, match="Акимат Туркестанской области"):
        bar_chart(bars, title="Индекс", description="Баллы")


def test_bar_rejects_a_tone_that_is_not_a_class_suffix() -> None:
    with pytest.raises(ValueError, match="tone"):
        bar_chart([Bar("Орган", 1, 'x" onclick="evil')], title="t", description="d")


def test_bar_chart_needs_bars() -> None:
    with pytest.raises(ValueError, match="at least one bar"):
        bar_chart([], title="Индекс", description="Баллы")


SCRIPT = "<script>alert('x')</script> & \"Орган\""


def test_text_is_escaped_everywhere() -> None:
    bar_svg = bar_chart(
        [Bar(SCRIPT, 1)],
        title=SCRIPT,
        description=SCRIPT,
        value_format=lambda _: SCRIPT,
        width=1200,  # room for the label on one line
    )
    line_svg = line_chart(
        [Series(SCRIPT, [(SCRIPT, 1)]), Series("Б", [(SCRIPT, 2)])],
        title=SCRIPT,
        description=SCRIPT,
        value_format=lambda _: SCRIPT,
    )

    for svg in (bar_svg, line_svg):
        assert "<script" not in svg
        root = parse(svg)
        assert not list(root.iter(f"{SVG}script"))
        # The text still reads as the user typed it.
        assert root.findtext("svg:title", namespaces=NS) == SCRIPT
        assert SCRIPT in texts(root, "chart-label")
        assert SCRIPT in texts(root, "chart-value")


@pytest.mark.parametrize(
    "render",
    [
        lambda: bar_chart(BODIES, title="Индекс 2025", description="Баллы органов"),
        lambda: line_chart(
            [Series("Индекс", [("2024", 3.1), ("2025", 3.78)])],
            title="Динамика",
            description="Индекс по годам",
        ),
    ],
    ids=["bar", "line"],
)
def test_chart_is_an_accessible_scalable_image(render: object) -> None:
    assert callable(render)
    root = parse(render())

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 \d+ [\d.]+", root.get("viewBox", ""))
    assert "chart" in root.get("class", "").split()
    title_id, desc_id = root.get("aria-labelledby", "").split()
    title = root.find(f"svg:title[@id='{title_id}']", NS)
    desc = root.find(f"svg:desc[@id='{desc_id}']", NS)
    assert title is not None
    assert desc is not None
    assert title.text
    assert desc.text


def test_same_input_gives_identical_output() -> None:
    first = bar_chart(BODIES, title="Индекс", description="Баллы")
    second = bar_chart(list(BODIES), title="Индекс", description="Баллы")
    series = [Series("Индекс", [("2024", 3.1), ("2025", 3.78)])]

    assert first == second
    assert line_chart(series, title="t", description="d") == line_chart(
        series, title="t", description="d"
    )


def all_ids(svg: str) -> set[str]:
    return {element.get("id", "") for element in parse(svg).iter() if element.get("id")}


def test_different_charts_do_not_share_ids() -> None:
    charts = [
        bar_chart(BODIES, title="Индекс", description="Баллы"),
        bar_chart(BODIES, title="Индекс 2024", description="Баллы"),
        bar_chart(BODIES[:2], title="Индекс", description="Баллы"),
        bar_chart([Bar("Министерство финансов", 92.4)], title="Индекс", description="Баллы"),
        line_chart([Series("Индекс", [("2025", 3.78)])], title="Индекс", description="Баллы"),
    ]
    ids = [all_ids(chart) for chart in charts]

    assert all(len(chart_ids) == 3 for chart_ids in ids)  # svg, title, desc
    for i, chart_ids in enumerate(ids):
        for other in ids[i + 1 :]:
            assert not chart_ids & other


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def test_default_colours_are_readable_on_white_without_a_stylesheet() -> None:
    series = [Series(f"Ряд {i}", [("2024", i), ("2025", i + 1)]) for i in range(8)]
    charts = [
        bar_chart(BODIES, title="Индекс", description="Баллы"),
        line_chart(series, title="Индекс", description="Баллы", height=320),
    ]

    for svg in charts:
        root = parse(svg)
        for element in root.iter():
            for attribute in ("fill", "stroke"):
                colour = element.get(attribute, "none")
                if colour == "none":
                    continue
                needed = 4.5 if element.tag == f"{SVG}text" else 3.0
                assert contrast_with_white(colour) >= needed, (element.tag, colour)
        # Every element that draws data has a colour even without CSS.
        for rect in bars_of(root):
            assert rect.get("fill")
        assert all(text.get("fill") for text in root.iter(f"{SVG}text"))


def polylines(root: ET.Element) -> list[ET.Element]:
    return [
        line
        for line in root.iter(f"{SVG}polyline")
        if "chart-line" in line.get("class", "").split()
    ]


def points(root: ET.Element) -> list[ET.Element]:
    return [element for element in root.iter() if "chart-point" in element.get("class", "").split()]


def test_line_chart_shows_periods_values_and_round_gridlines() -> None:
    series = [Series("Индекс", [("2023", 2.4), ("2024", 3.1), ("2025", 3.78)])]
    root = parse(
        line_chart(series, title="Динамика", description="Индекс по годам", value_format=str)
    )

    labels = texts(root, "chart-label")
    assert labels[-3:] == ["2023", "2024", "2025"]
    # Ticks from 0 to a round maximum above the largest value.
    assert labels[:-3] == ["0.0", "1.0", "2.0", "3.0", "4.0"]
    assert len([g for g in root.iter(f"{SVG}line") if g.get("class") == "chart-grid"]) == 5
    assert texts(root, "chart-value") == ["2.4", "3.1", "3.78"]
    assert len(points(root)) == 3
    (line,) = polylines(root)
    ys = [float(pair.split(",")[1]) for pair in line.get("points", "").split()]
    assert ys[0] > ys[1] > ys[2]  # higher values are drawn higher up
    assert not root.findall(".//svg:g[@class='chart-legend']", NS)


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (100.0, ["0", "25", "50", "75", "100"]),
        (85.3, ["0", "25", "50", "75", "100"]),
        (5.5, ["0", "2", "4", "6"]),
        (0.37, ["0", "0.1", "0.2", "0.3", "0.4"]),
        (391954.0, ["0", "100000", "200000", "300000", "400000"]),
    ],
)
def test_y_axis_uses_four_or_five_round_gridlines(largest: float, ticks: list[str]) -> None:
    root = parse(line_chart([Series("s", [("2025", largest)])], title="t", description="d"))

    assert texts(root, "chart-label")[:-1] == ticks


def test_one_point_series_is_a_marker_without_a_line() -> None:
    root = parse(
        line_chart([Series("Индекс", [("2025", 3.78)])], title="Индекс", description="2025")
    )

    assert len(points(root)) == 1
    assert not polylines(root)
    assert texts(root, "chart-value") == ["3.78"]
    assert "2025" in texts(root, "chart-label")


def test_all_zero_line_chart_still_has_a_scale() -> None:
    root = parse(
        line_chart(
            [Series("Жалобы", [("2024", 0), ("2025", 0)])], title="Жалобы", description="Нет"
        )
    )

    assert texts(root, "chart-label")[:-2] == ["0", "0.25", "0.5", "0.75", "1"]
    assert texts(root, "chart-value") == ["0", "0"]


def test_several_series_get_a_legend_and_distinct_markers() -> None:
    series = [
        Series("Министерство финансов", [("2024", 3.1), ("2025", 3.78)]),
        Series("Акимат города Алматы", [("2024", 2.0), ("2025", 2.5)]),
    ]
    root = parse(line_chart(series, title="Динамика", description="Два органа"))

    legend = root.find(".//svg:g[@class='chart-legend']", NS)
    assert legend is not None
    assert [" ".join(t.itertext()) for t in legend.iter(f"{SVG}text")] == [
        "Министерство финансов",
        "Акимат города Алматы",
    ]
    # Told apart by shape and dash, not only by colour.
    shapes = {p.get("class") for p in points(root)}
    assert len(shapes) == 2
    dashes = {line.get("stroke-dasharray") for line in polylines(root)}
    assert len(dashes) == 2


def test_missing_period_breaks_the_line() -> None:
    series = [
        Series("А", [("2022", 1), ("2023", 2), ("2024", 3), ("2025", 4)]),
        Series("Б", [("2022", 1), ("2023", 2), ("2025", 4)]),
    ]
    root = parse(line_chart(series, title="t", description="d"))
    group = root.find(".//svg:g[@class='chart-series chart-series--1']", NS)
    assert group is not None

    assert len(polylines(group)) == 1  # 2022–2023 joined; 2025 stands alone
    assert len(points(group)) == 3


@pytest.mark.parametrize(
    ("series", "message"),
    [
        ([Series("Индекс", [("2024", 1.0), ("2025", -0.5)])], "Индекс.*2025"),
        ([Series("Индекс", [("2025", float("nan"))])], "Индекс.*2025"),
        ([Series("Индекс", [])], "no points"),
        ([Series("Индекс", [("2025", 1.0), ("2025", 2.0)])], "twice"),
        ([], "at least one series"),
    ],
)
def test_line_chart_rejects_bad_data(series: list[Series], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        line_chart(series, title="t", description="d")


def test_close_values_of_two_series_do_not_print_over_each_other() -> None:
    series = [Series("А", [("2025", 3.78)]), Series("Б", [("2025", 3.5)])]
    root = parse(line_chart(series, title="t", description="d"))

    def value_y(index: int) -> tuple[float, float]:
        group = root.find(f".//svg:g[@class='chart-series chart-series--{index}']", NS)
        assert group is not None
        (text,) = group.iter(f"{SVG}text")
        (point,) = points(group)
        centre = point.get("cy") or float(point.get("y", "")) + 4  # a circle or a square
        return float(text.get("y", "")), float(centre)

    upper_text, upper_point = value_y(0)
    lower_text, lower_point = value_y(1)
    assert upper_text < upper_point  # the higher value is printed above its marker
    assert lower_text > lower_point  # the lower one below, clear of the higher marker
