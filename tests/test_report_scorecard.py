"""The body scorecard: the body's figures exactly, medians of its level, the way up, a
roadmap draft where the grade demands one, and sentences that agree in ru, kk and en."""

from __future__ import annotations

import dataclasses
import io
import re
import statistics
import string
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from ashyq.bodies import BodyRegistry, Level
from ashyq.db.models import RoadmapMeasure
from ashyq.i18n import LANGUAGES, Lang
from ashyq.i18n.grammar import Case, number, quantity, word
from ashyq.index.dynamics import PreviousResult
from ashyq.index.engine import BodyInput, BodyResult, Fact, IndexResult, Provenance, compute_index
from ashyq.index.explain import explain
from ashyq.index.methodology import IndicatorRole, Methodology
from ashyq.reports.model import (
    Block,
    BulletList,
    Chart,
    Heading,
    Paragraph,
    Report,
    Table,
)
from ashyq.reports.scorecard import DraftMeasure, build_scorecard, roadmap_draft
from tests.report_support import check_all_formats, plain, report_texts
from tests.test_dynamics import previous_of as unmoved
from tests.test_explain import body_input

HIGH_CGO = "mt"  # AA, first among the central bodies
B_AKIMATS = ["karaganda", "ulytau", "almaty"]
BODIES = [HIGH_CGO, *B_AKIMATS]
KAZAKH = re.compile("[әғқңөұүһі]", re.IGNORECASE)
# The indicator table: №, indicator, score, max, median of the level, level[, change].
SCORE, MAX, MEDIAN, LEVEL, CHANGE = 2, 3, 4, 5, 6

Build = Callable[[str, Lang], Report]


@pytest.fixture(scope="module")
def scorecard(result_2025: IndexResult) -> Build:
    @cache
    def build(code: str, lang: Lang) -> Report:
        return build_scorecard(result_2025, code, lang, period=2025)

    return build


def spelled(value: Decimal | int, lang: Lang) -> str:
    exact = Decimal(value)
    return number(int(exact) if exact == exact.to_integral_value() else exact, lang)


def points(value: Decimal, lang: Lang, case: Case = "nominative") -> str:
    exact = int(value) if value == value.to_integral_value() else value
    return quantity(exact, "point", lang, case)


def table(report: Report, key: str) -> Table:
    found = [t for t in report.tables() if t.key == key]
    assert len(found) == 1, key
    return found[0]


def section(report: Report, anchor: str) -> list[Block]:
    """The blocks under the level-2 heading ``anchor``, up to the next one."""
    blocks: list[Block] = []
    inside = False
    for block in report.blocks:
        if isinstance(block, Heading) and block.level <= 2:
            inside = block.anchor == anchor
            if inside:
                continue
        if inside:
            blocks.append(block)
    assert blocks, anchor
    return blocks


def bullets(blocks: list[Block]) -> tuple[str, ...]:
    lists = [b for b in blocks if isinstance(b, BulletList)]
    assert len(lists) == 1
    return lists[0].items


def paragraphs(blocks: list[Block]) -> list[str]:
    return [b.text for b in blocks if isinstance(b, Paragraph)]


def all_text(report: Report) -> Iterator[str]:
    """Every string a reader of any format could see."""
    return report_texts(report)


def previous_of(result: BodyResult, **changes: Any) -> PreviousResult:
    """The earlier result identical to ``result``, with ``changes``."""
    return dataclasses.replace(unmoved(result), **changes)


def with_counts(
    inputs: list[BodyInput], code: str, counts: Mapping[str, int], *, computed: set[str]
) -> list[BodyInput]:
    """The inputs with ``code``'s ``computed`` indicators computed from raw ``counts``."""
    changed = []
    for given in inputs:
        if given.body == code:
            scores = {k: v for k, v in given.scores.items() if k not in computed}
            facts = {k: Fact(Decimal(n), Provenance("test", 2, k)) for k, n in counts.items()}
            given = BodyInput(code, scores, {**given.counts, **facts})
        changed.append(given)
    return changed


def one_body(
    methodology: Methodology,
    registry: BodyRegistry,
    scores: Mapping[str, str],
    counts: Mapping[str, int],
) -> IndexResult:
    """MF alone: full marks (bonus, no penalty) except ``scores``; counted indicators
    computed from ``counts``."""
    return compute_index(methodology, [body_input(methodology, "mf", scores, counts)], registry)


# --- the bodies under test ---------------------------------------------------------------


def test_the_b_graded_akimats_are_the_ones_tested(result_2025: IndexResult) -> None:
    graded_b = [r.body.code for r in result_2025.of_level(Level.MIO) if r.grade == "B"]
    assert sorted(graded_b) == sorted(B_AKIMATS)
    assert result_2025.for_body(HIGH_CGO).grade in {"AAA", "AA"}


# --- header, criteria and indicators -----------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", BODIES)
def test_header_states_total_grade_and_rank_in_the_level(
    scorecard: Build, result_2025: IndexResult, code: str, lang: Lang
) -> None:
    body = result_2025.for_body(code)
    report = scorecard(code, lang)
    peers = len(result_2025.of_level(body.body.level))

    assert report.kind == "scorecard"
    assert report.lang == lang
    assert report.title == body.body.name(lang)
    lead_block = report.blocks[1]
    assert isinstance(lead_block, Paragraph)
    assert lead_block.style == "lead"
    lead = plain(lead_block.text)
    grade = result_2025.methodology.grades.band(body.grade).name[lang]
    assert spelled(body.total, lang) in lead
    assert grade in lead
    noun = "cgo_body" if body.body.level is Level.CGO else "mio_body"
    assert plain(quantity(peers, noun, lang, "partitive")) in lead
    assert str(body.rank) in lead
    (summary,) = [sheet for sheet in report.data_sheets if sheet.key == "summary"]
    (row,) = summary.rows
    assert [cell.value for cell in row] == [
        body.body.level.value,
        2025,
        body.total,
        Decimal(100),
        body.grade,
        body.rank,
        peers,
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", BODIES)
def test_indicator_table_has_the_exact_scores_maxima_and_levels(
    scorecard: Build, result_2025: IndexResult, code: str, lang: Lang
) -> None:
    methodology = result_2025.methodology
    body = result_2025.for_body(code)
    indicators = table(scorecard(code, lang), "indicators")

    assert len(indicators.rows) == len(methodology.indicators) == 20
    assert [c.kind for c in indicators.columns] == [
        "integer",
        "text",
        "number",
        "number",
        "number",
        "label",
    ]
    for indicator, row in zip(methodology.indicators, indicators.rows, strict=True):
        result = body.indicators[indicator.id]
        assert indicator.name[lang] in row[1].text
        assert row[SCORE].value == result.score
        assert isinstance(row[SCORE].value, Decimal)
        assert row[SCORE].text == number(result.score, lang)
        assert row[MAX].value == indicator.max
        assert row[LEVEL].level == result.level
        scale = methodology.level_scale(indicator)
        assert row[LEVEL].text == scale.band(result.level).name[lang]


@pytest.mark.parametrize("code", BODIES)
def test_medians_are_those_of_the_bodies_of_the_same_level(
    scorecard: Build, result_2025: IndexResult, code: str
) -> None:
    methodology = result_2025.methodology
    body = result_2025.for_body(code)
    peers = result_2025.of_level(body.body.level)
    report = scorecard(code, "ru")

    rows = table(report, "indicators").rows
    for indicator, row in zip(methodology.indicators, rows, strict=True):
        expected = statistics.median(p.indicators[indicator.id].score for p in peers)
        assert row[MEDIAN].value == expected
    criteria = table(report, "criteria").rows
    for criterion, row in zip(methodology.criteria, criteria[:-1], strict=True):
        assert row[1].value == body.criteria[criterion.id].score
        assert row[3].value == statistics.median(p.criteria[criterion.id].score for p in peers)
    total = criteria[-1]
    assert total[1].value == body.total
    assert total[3].value == statistics.median(p.total for p in peers)
    # The two levels have different medians: the level is the body's own.
    other = result_2025.of_level(Level.CGO if body.body.level is Level.MIO else Level.MIO)
    assert total[3].value != statistics.median(p.total for p in other)


def test_criteria_are_coloured_by_category_and_note_the_bonus(
    scorecard: Build, result_2025: IndexResult
) -> None:
    body = result_2025.for_body("almaty")
    rows = table(scorecard("almaty", "ru"), "criteria").rows

    colours = {"A": "high", "B": "medium", "C": "low"}
    for criterion, row in zip(result_2025.methodology.criteria, rows[:-1], strict=True):
        assert row[4].level == colours[body.criteria[criterion.id].category]
        if criterion.bonus_max:
            assert row[2].note is not None
            assert plain(points(criterion.bonus_max, "ru", "partitive")) in plain(row[2].note)


# --- the chart ---------------------------------------------------------------------------


def test_chart_shows_each_indicator_against_the_level_median(scorecard: Build) -> None:
    report = scorecard("ulytau", "kk")

    charts = [b for b in section(report, "indicators") if isinstance(b, Chart)]
    assert len(charts) == 1
    chart = charts[0]
    assert chart.svg.lstrip().startswith(b"<?xml")
    assert chart.png.startswith(b"\x89PNG")
    assert KAZAKH.search(chart.caption)
    assert "20 индикатор" in plain(chart.alt)


# --- dynamics ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_a_previous_period_the_scorecard_says_so(scorecard: Build, lang: Lang) -> None:
    report = scorecard("karaganda", lang)

    (sentence,) = paragraphs(section(report, "dynamics"))
    assert "2024" in sentence
    assert all(len(t.columns) == 6 for t in report.tables() if t.key == "indicators")


@pytest.mark.parametrize(
    ("lang", "total", "grade", "rank"),
    [
        ("ru", "рост на 2,5 балла", "понизилась: ВВ → В", "выше на 2 места"),
        ("kk", "өсім 2,5 балл", "төмендеді: ВВ → В", "2 орын жоғары"),
        ("en", "up 2.5 points", "Grade down: BB → B", "2 places up"),
    ],
)
def test_dynamics_name_the_change_of_total_grade_and_rank(
    result_2025: IndexResult, lang: Lang, total: str, grade: str, rank: str
) -> None:
    body = result_2025.for_body("karaganda")
    before = previous_of(
        body,
        total=body.total - Decimal("2.5"),
        grade="BB",
        rank=body.rank + 2,
        indicators={k: i.score for k, i in body.indicators.items()} | {"open_npa": Decimal(6)},
    )

    previous = {"karaganda": before}
    report = build_scorecard(result_2025, "karaganda", lang, period=2025, previous=previous)

    (sentence,) = paragraphs(section(report, "dynamics"))
    sentence = plain(sentence)
    assert total in sentence
    assert grade in sentence
    assert rank in sentence
    assert spelled(body.total - Decimal("2.5"), lang) in sentence
    rows = table(report, "indicators").rows
    indicators_in_order = result_2025.methodology.indicators
    changes = {i.id: row[CHANGE].value for i, row in zip(indicators_in_order, rows, strict=True)}
    assert changes["open_npa"] == Decimal(4) - Decimal(6)
    assert {v for k, v in changes.items() if k != "open_npa"} == {0}
    assert plain(rows[11][CHANGE].text) == "\N{MINUS SIGN}2"


def test_history_lists_every_period(result_2025: IndexResult) -> None:
    body = result_2025.for_body("almaty")
    history = {
        2023: previous_of(body, total=Decimal("58.4"), grade="B", rank=19),
        2024: previous_of(body, total=Decimal("61.2"), grade="B", rank=20),
    }

    report = build_scorecard(result_2025, "almaty", "ru", period=2025, history=history)

    rows = table(report, "history").rows
    assert [row[0].value for row in rows] == [2023, 2024, 2025]
    assert [row[1].value for row in rows] == [Decimal("58.4"), Decimal("61.2"), body.total]


# --- points lost, the way up -------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", BODIES)
def test_points_lost_are_max_minus_score_largest_first(
    scorecard: Build, result_2025: IndexResult, code: str, lang: Lang
) -> None:
    body = result_2025.for_body(code)
    items = bullets(section(scorecard(code, lang), "losses"))

    lost = [i for i in body.indicators.values() if i.points_lost > 0]
    assert len(items) == len(lost)
    shown = []
    for item in items:
        matches = [i for i in lost if item.startswith(i.indicator.name[lang] + ":")]
        assert len(matches) == 1, item
        result = matches[0]
        shown.append(result.points_lost)
        if result.indicator.role is IndicatorRole.PENALTY:
            assert plain(points(result.score, lang)) in plain(item)
        else:
            assert result.points_lost == result.indicator.max - result.score
            assert plain(points(result.indicator.max - result.score, lang)) in plain(item)
            assert spelled(result.score, lang) in plain(item)
    assert shown == sorted(shown, reverse=True)


def test_ready_scores_name_the_authorities_that_delivered_them(scorecard: Build) -> None:
    notes = [
        b.text for b in section(scorecard("almaty", "ru"), "losses") if isinstance(b, Paragraph)
    ]

    assert notes[-1] == (
        "Баллы без исходных данных представили: Министерство искусственного интеллекта и "
        "цифрового развития, Министерство культуры и информации и КПСиСУ Генеральной "
        "прокуратуры."
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", BODIES)
def test_the_improvements_lift_the_total_to_the_next_grade(
    scorecard: Build, result_2025: IndexResult, code: str, lang: Lang
) -> None:
    methodology = result_2025.methodology
    body = result_2025.for_body(code)
    explanation = explain(methodology, body)
    assert explanation.next_grade is not None
    bound = methodology.grades.band(explanation.next_grade).bound
    assert bound is not None

    blocks = section(scorecard(code, lang), "way-up")

    (intro,) = paragraphs(blocks)
    assert plain(spelled(explanation.points_needed, lang)) in plain(intro)
    assert methodology.grades.band(explanation.next_grade).name[lang] in intro
    items = bullets(blocks)
    assert len(items) == len(explanation.improvements)
    lifted = body.total
    for item, step in zip(items, explanation.improvements, strict=True):
        assert item.startswith(step.indicator.indicator.name[lang])
        assert spelled(step.target_score, lang) in item
        penalty = step.indicator.indicator.role is IndicatorRole.PENALTY
        gain = step.target_score - step.indicator.score
        lifted += -gain if penalty else gain
    assert lifted >= bound
    assert methodology.grades.classify(lifted, methodology.max_total) == explanation.next_grade


def test_the_top_grade_says_how_to_keep_it(result_2025: IndexResult, scorecard: Build) -> None:
    assert result_2025.for_body("zhambyl").grade == "AAA"

    (sentence,) = paragraphs(section(scorecard("zhambyl", "ru"), "way-up"))

    assert plain(sentence) == (
        "ААА — высшая оценка; чтобы её сохранить, итоговый балл должен быть не ниже 95 баллов."
    )


def test_an_improvement_is_stated_in_raw_counts(
    methodology: Methodology, registry: BodyRegistry
) -> None:
    # 4·(1 − 1000·25/48 981) = 1.96: 2.04 lost; eight more indicators lose 17 in all → A.
    scores = {
        "open_budget": "10",
        "official_website": "4",
        "complaint_review_control": "7",
        "satisfaction": "6",
        "open_data": "8",
        "open_npa": "6",
        "knowledge_base": "5",
        "population_meetings": "3",
    }
    counts = {"reviewed_late": 25, "reviewed_total": 48_981}
    result = one_body(methodology, registry, scores, counts)
    assert result.for_body("mf").total == Decimal("89.96")

    expected: dict[Lang, tuple[str, str]] = {
        "ru": (
            "25 нарушений сроков из 48 981 рассмотренного обращения",
            "с 1,96 до 2 (+0,04 балла), то есть не более 24 нарушений сроков вместо 25",
        ),
        "kk": (
            "48 981 қаралған өтініштен 25 мерзім бұзушылығы",
            "1,96 → 2 (+0,04 балл), яғни 25 орнына ең көбі 24 мерзім бұзушылығы",
        ),
        "en": (
            "25 breaches of deadline out of 48,981 reviewed appeals",
            "from 1.96 to 2 (+0.04 points), that is at most 24 breaches of deadline instead of 25",
        ),
    }
    for lang, (facts, way_up) in expected.items():
        report = build_scorecard(result, "mf", lang, period=2025)
        losses = bullets(section(report, "losses"))
        assert facts in plain(losses[0]), losses[0]
        (step,) = bullets(section(report, "way-up"))
        assert plain(step).endswith(way_up), step


@pytest.mark.parametrize(
    ("late", "ru", "en"),
    [
        (1, "1 нарушение сроков", "1 breach of deadline"),
        (2, "2 нарушения сроков", "2 breaches of deadline"),
        (5, "5 нарушений сроков", "5 breaches of deadline"),
        (11, "11 нарушений сроков", "11 breaches of deadline"),
        (21, "21 нарушение сроков", "21 breaches of deadline"),
        (22, "22 нарушения сроков", "22 breaches of deadline"),
    ],
)
def test_counts_agree_with_their_nouns(
    methodology: Methodology,
    registry: BodyRegistry,
    reference_inputs: list[BodyInput],
    late: int,
    ru: str,
    en: str,
) -> None:
    counts = {"reviewed_late": late, "reviewed_total": 48_981}
    inputs = with_counts(reference_inputs, "karaganda", counts, computed={"review_timeliness"})
    result = compute_index(methodology, inputs, registry)
    expected: dict[Lang, str] = {
        "ru": f"Исходные данные: {ru} из 48 981 рассмотренного обращения.",
        "kk": f"Бастапқы деректер: 48 981 қаралған өтініштен {late} мерзім бұзушылығы.",
        "en": f"Source data: {en} out of 48,981 reviewed appeals.",
    }

    for lang, sentence in expected.items():
        report = build_scorecard(result, "karaganda", lang, period=2025)
        name = methodology.indicator("review_timeliness").name[lang]
        (item,) = [i for i in bullets(section(report, "losses")) if i.startswith(name)]
        assert plain(item).endswith(sentence), item


# --- the roadmap draft -------------------------------------------------------------------


def test_a_roadmap_is_drafted_exactly_for_the_roadmap_grades(result_2025: IndexResult) -> None:
    methodology = result_2025.methodology
    drafted = []
    for body in result_2025.bodies:
        measures = roadmap_draft(methodology, body, "ru", period=2025)
        if not methodology.needs_roadmap(body.grade):
            assert measures == []
            continue
        drafted.append(body.body.code)
        lost = explain(methodology, body).losses
        assert [m.indicator for m in measures] == [i.indicator.id for i in lost]
        assert [m.position for m in measures] == list(range(1, len(lost) + 1))
    assert sorted(drafted) == sorted(B_AKIMATS)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", BODIES)
def test_the_report_carries_the_draft_only_for_a_roadmap_grade(
    scorecard: Build, result_2025: IndexResult, code: str, lang: Lang
) -> None:
    body = result_2025.for_body(code)
    report = scorecard(code, lang)

    keys = {t.key for t in report.tables()}
    if not result_2025.methodology.needs_roadmap(body.grade):
        assert "roadmap" not in keys
        return
    draft = roadmap_draft(result_2025.methodology, body, lang, period=2025)
    rows = table(report, "roadmap").rows
    assert [row[1].value for row in rows] == [m.indicator for m in draft]
    assert [row[2].text for row in rows] == [m.action for m in draft]
    assert [row[2].note for row in rows] == [m.measure for m in draft]
    assert [row[3].value for row in rows] == [m.current_score for m in draft]
    assert [row[4].value for row in rows] == [m.target_score for m in draft]
    intro = paragraphs(section(report, "roadmap"))[0]
    assert plain(quantity(len(draft), "measure", lang)) in plain(intro)


@pytest.mark.parametrize("code", B_AKIMATS)
def test_roadmap_measures_aim_above_the_current_score_by_the_due_date(
    result_2025: IndexResult, code: str
) -> None:
    methodology = result_2025.methodology
    body = result_2025.for_body(code)
    explanation = explain(methodology, body)
    on_the_way = {s.indicator.indicator.id: s for s in explanation.improvements}

    for lang in LANGUAGES:
        for measure in roadmap_draft(methodology, body, lang, period=2025):
            result = body.indicators[measure.indicator]
            penalty = result.indicator.role is IndicatorRole.PENALTY
            assert measure.current_score == result.score
            assert measure.points_lost == result.points_lost > 0
            if penalty:
                assert 0 <= measure.target_score < result.score
            else:
                assert result.score < measure.target_score <= result.indicator.max
            step = on_the_way.get(measure.indicator)
            if step is not None:  # at least what the way to the next grade needs
                if penalty:
                    assert measure.target_score <= step.target_score
                else:
                    assert measure.target_score >= step.target_score
            assert measure.due_on == date(2026, 6, 30)
            assert measure.owner.strip()
            assert spelled(measure.target_score, lang) in plain(measure.measure)
            if lang == "kk":
                assert KAZAKH.search(measure.measure)


def test_draft_measures_fill_the_portal_roadmap_form() -> None:
    form = {c.name for c in RoadmapMeasure.__table__.columns} - {"id", "roadmap_id"}
    assert form <= {f.name for f in dataclasses.fields(DraftMeasure)}


def test_a_roadmap_measure_is_stated_in_raw_counts(
    methodology: Methodology, registry: BodyRegistry
) -> None:
    # 25 non-accredited channels: a penalty of 5, the largest loss; ten indicators lose 4.9
    # each: 107 − 5 − 49 = 53, grade B.
    lose = ["open_data", "open_budget", "open_npa", "satisfaction", "requests_share"]
    lose += ["knowledge_base", "population_meetings", "official_website"]
    lose += ["complaint_review_control", "hidden_services"]
    scores = {k: str(methodology.indicator(k).max - Decimal("4.9")) for k in lose}
    result = one_body(methodology, registry, scores, {"unaccredited_channels_found": 25})
    body = result.for_body("mf")
    assert (body.total, body.grade) == (Decimal(53), "B")

    first = roadmap_draft(methodology, body, "ru", period=2025)[0]

    assert first.indicator == "unaccredited_channels"
    assert (first.field, first.current_count, first.target_count) == (
        "unaccredited_channels_found",
        Decimal(25),
        Decimal(0),
    )
    assert plain(first.measure).endswith(
        "Целевое значение: штраф не более 0 баллов (0 неаккредитованных каналов вместо 25)."
    )


# --- every text ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", BODIES)
def test_no_placeholder_none_or_nan_anywhere(
    scorecard: Build, result_2025: IndexResult, code: str, lang: Lang
) -> None:
    body = result_2025.for_body(code)
    before = previous_of(body, total=body.total + 1, grade="BBB", rank=1)
    reports = [
        scorecard(code, lang),
        build_scorecard(result_2025, code, lang, period=2025, previous={code: before}),
    ]
    for report in reports:
        for text in all_text(report):
            assert text.strip(), "an empty text"
            assert "{" not in text and "}" not in text, text
            assert not re.search(r"\bNone\b", text), text
            assert not re.search(r"\bnan\b", text, re.IGNORECASE), text
        for t in report.tables():
            for row in t.rows:
                for column, cell in zip(t.columns, row, strict=True):
                    if column.kind in {"number", "integer"} and cell.text != "—":
                        assert isinstance(cell.value, Decimal | int), (t.key, cell)


@pytest.mark.parametrize("code", BODIES)
def test_kazakh_text_is_kazakh(scorecard: Build, code: str) -> None:
    report = scorecard(code, "kk")

    sentences = paragraphs(report.blocks)
    sentences += [item for b in report.blocks if isinstance(b, BulletList) for item in b.items]
    assert sentences
    for sentence in sentences:
        assert KAZAKH.search(sentence), sentence
    russian_only = re.compile("[эщъё]", re.IGNORECASE)
    assert not any(russian_only.search(s) for s in paragraphs(report.blocks)), "Russian in kk"


def _placeholders(text: str) -> set[str]:
    # {points} and {points_of} are the same figure in two grammatical cases.
    return {name.removesuffix("_of") for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_declaration_covers_the_methodology(methodology: Methodology) -> None:
    path = resources.files("ashyq.reports").joinpath("scorecard.yaml")
    declared = yaml.safe_load(path.read_text(encoding="utf-8"))

    assert set(declared["measures"]) == {i.id for i in methodology.indicators}
    assert set(declared["fields"]) == set(methodology.raw_fields)
    assert set(declared["authorities"]) == {i.authority.value for i in methodology.indicators}
    nouns = {f["noun"] for f in declared["fields"].values() if "noun" in f}
    nouns |= {g["noun"] for g in declared["groups"].values()}
    for noun in nouns:
        for lang in LANGUAGES:
            assert word(1, noun, lang)
    for key, texts in declared["texts"].items():
        assert set(texts) == set(LANGUAGES), key
        assert len({frozenset(_placeholders(texts[lang])) for lang in LANGUAGES}) == 1, key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_format_reads_back(scorecard: Build, lang: Lang) -> None:
    report = scorecard("almaty", lang)
    files, texts = check_all_formats(report, f"scorecard-almaty-{lang}")
    assert report.title in texts["docx"]
    pages = len(PdfReader(io.BytesIO(files["pdf"])).pages)
    assert pages <= 4  # two pages of scorecard, then the roadmap draft
