"""The body scorecard: one body's result of one period on one or two pages.

The scorecard says where the body stands (total, grade, rank in its level), how each
criterion and indicator compares with the median of its level, how it moved since the
previous period, where it lost points and why (the raw counts behind a computed score),
the fewest improvements to the next grade (``ashyq.index.explain``), and, for a grade that
obliges a roadmap, a draft roadmap with one measure per indicator that lost points
(``ashyq.reports.roadmap``).

Every figure comes from the computation; the words come from ``scorecard.yaml`` (sentence
frames, how each raw field is said, the measures and their owners) and the counted nouns
from ``ashyq/i18n/nouns.yaml``, so numbers agree with their nouns in Russian and Kazakh.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from babel.dates import format_date

from ashyq.bodies import Level
from ashyq.i18n import Lang
from ashyq.i18n.grammar import join_names, number
from ashyq.index.dynamics import BodyDynamics, PreviousResult, compare_periods
from ashyq.index.engine import BodyResult, IndexResult, IndicatorResult, Method
from ashyq.index.explain import explain
from ashyq.index.methodology import (
    Indicator,
    IndicatorRole,
    Methodology,
    RateDeduction,
    StepThresholds,
)
from ashyq.reports.charts import share_bars
from ashyq.reports.model import (
    Block,
    BulletList,
    Cell,
    Column,
    DataSheet,
    Heading,
    Paragraph,
    Report,
    Table,
)
from ashyq.reports.roadmap import DraftMeasure, is_penalty, roadmap_draft
from ashyq.reports.scorecard_texts import (
    count,
    declaration,
    field_phrase,
    num,
    points,
    raw_target,
    say,
    signed,
)

__all__ = ["DraftMeasure", "build_scorecard", "roadmap_draft"]

_HUNDRED = Decimal(100)
_DASH = "—"


# --- what the scorecard computes ----------------------------------------------------------


@dataclass(frozen=True)
class _Medians:
    indicators: dict[str, Decimal]
    criteria: dict[str, Decimal]
    total: Decimal


def _medians(result: IndexResult, level: Level) -> _Medians:
    """The median of every indicator, criterion and the total over the bodies of ``level``."""
    peers = result.of_level(level)
    methodology = result.methodology
    return _Medians(
        {
            i.id: statistics.median(p.indicators[i.id].score for p in peers)
            for i in methodology.indicators
        },
        {
            c.id: statistics.median(p.criteria[c.id].score for p in peers)
            for c in methodology.criteria
        },
        statistics.median(p.total for p in peers),
    )


def _share_kept(indicator: Indicator, score: Decimal) -> Decimal:
    """The score as a percentage of the max; for the penalty, the share of it avoided."""
    kept = indicator.max - score if is_penalty(indicator) else score
    return _HUNDRED * kept / indicator.max


def _ratio_fields(indicator: Indicator) -> tuple[str, str] | None:
    formula = indicator.formula
    if isinstance(formula, RateDeduction):
        return formula.numerator, formula.denominator
    if isinstance(formula, StepThresholds) and formula.numerator and formula.denominator:
        return formula.numerator, formula.denominator
    return None


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Card:
    """What every section of one scorecard needs."""

    methodology: Methodology
    body: BodyResult
    lang: Lang
    period: int
    previous_period: int
    medians: _Medians
    peers: int
    dynamics: BodyDynamics | None

    def say(self, key: str, **params: object) -> str:
        return say(key, self.lang, **params)

    def num(self, value: Decimal | int) -> str:
        return num(value, self.lang)

    def number_cell(self, value: Decimal) -> Cell:
        return Cell(self.num(value), value)

    def change_cell(self, delta: Decimal | None) -> Cell:
        return Cell(_DASH) if delta is None else Cell(signed(delta, self.lang), delta)

    def indicator_name(self, indicator: Indicator) -> str:
        name = indicator.name[self.lang]
        if indicator.role is IndicatorRole.CORE:
            return name
        return self.say("with_role", name=name, role=self.say(f"role_{indicator.role.value}"))

    @property
    def group(self) -> str:
        return declaration().groups[self.body.body.level].name[self.lang]

    def grade_name(self, grade: str) -> str:
        return self.methodology.grades.band(grade).name[self.lang]

    def grade_colour(self, total: Decimal) -> str:
        # A grade is coloured by the total's share of the max, on the indicator level scale.
        return self.methodology.levels.classify(total, self.methodology.max_total)


def _header(card: _Card) -> list[Block]:
    body, lang = card.body, card.lang
    noun = declaration().groups[body.body.level].noun
    rank = card.say("rank", rank=body.rank, count_of=count(card.peers, noun, lang, "partitive"))
    methodology = card.methodology
    summary = card.say(
        "summary",
        group=card.group,
        total=card.num(body.total),
        max_of=points(methodology.max_total, lang, "partitive"),
        grade=card.grade_name(body.grade),
        rank=rank,
    )
    # The body's name is the report's title, which every renderer shows above the blocks.
    return [
        Heading(card.say("heading_summary", period=card.period), 1, "summary"),
        Paragraph(summary, "lead"),
    ]


def _summary_sheet(card: _Card) -> DataSheet:
    """The header's figures as cells, for spreadsheets (the lead sentence says them)."""
    body, methodology = card.body, card.methodology
    columns = (
        Column(card.say("col_group"), "label"),
        Column(card.say("col_period"), "integer"),
        Column(card.say("col_total"), "number"),
        Column(card.say("col_max"), "number"),
        Column(card.say("col_grade"), "label"),
        Column(card.say("col_rank"), "integer"),
        Column(card.say("col_of"), "integer"),
    )
    row = (
        Cell(card.group, body.body.level.value),
        Cell(str(card.period), card.period),
        card.number_cell(body.total),
        card.number_cell(methodology.max_total),
        Cell(card.grade_name(body.grade), body.grade, card.grade_colour(body.total)),
        Cell(card.num(body.rank), body.rank),
        Cell(card.num(card.peers), card.peers),
    )
    return DataSheet("summary", card.say("caption_summary"), columns, (row,))


def _score_columns(card: _Card, first: str, band: str) -> tuple[Column, ...]:
    columns = [
        Column(first),
        Column(card.say("col_score"), "number"),
        Column(card.say("col_max"), "number"),
        Column(card.say("col_median"), "number"),
        Column(card.say(band), "label"),
    ]
    if card.dynamics is not None:
        columns.append(
            Column(card.say("col_change", previous_period=card.previous_period), "number")
        )
    return tuple(columns)


def _criteria(card: _Card) -> list[Block]:
    methodology, body, lang = card.methodology, card.body, card.lang
    levels = methodology.levels.bands
    rows: list[tuple[Cell, ...]] = []
    for criterion in methodology.criteria:
        result = body.criteria[criterion.id]
        position = criterion.categories.rank_of(result.category)
        maximum = card.number_cell(criterion.max)
        if criterion.bonus_max:
            bonus = card.say(
                "bonus_note",
                bonus=points(criterion.bonus_max, lang),
                bonus_of=points(criterion.bonus_max, lang, "partitive"),
            )
            maximum = Cell(maximum.text, criterion.max, note=bonus)
        cells = [
            Cell(criterion.name[lang]),
            card.number_cell(result.score),
            maximum,
            card.number_cell(card.medians.criteria[criterion.id]),
            Cell(
                criterion.categories.band(result.category).name[lang],
                result.category,
                levels[min(position, len(levels) - 1)].id,
            ),
        ]
        if card.dynamics is not None:
            moved = card.dynamics.criteria.get(criterion.id)
            cells.append(card.change_cell(moved.delta if moved else None))
        rows.append(tuple(cells))
    total = [
        Cell(card.say("total_row")),
        card.number_cell(body.total),
        card.number_cell(methodology.max_total),
        card.number_cell(card.medians.total),
        Cell(card.grade_name(body.grade), body.grade, card.grade_colour(body.total)),
    ]
    if card.dynamics is not None:
        total.append(card.change_cell(card.dynamics.total.delta))
    rows.append(tuple(total))
    caption = card.say("caption_criteria", group=card.group)
    columns = _score_columns(card, card.say("col_criterion"), "col_category")
    return [
        Heading(card.say("heading_criteria"), 1, "criteria"),
        Table("criteria", caption, columns, tuple(rows)),
    ]


def _indicators(card: _Card) -> list[Block]:
    methodology, body, lang = card.methodology, card.body, card.lang
    rows: list[tuple[Cell, ...]] = []
    for position, indicator in enumerate(methodology.indicators, start=1):
        result = body.indicators[indicator.id]
        scale = methodology.level_scale(indicator)
        cells = [
            Cell(card.num(position), position),
            Cell(card.indicator_name(indicator)),
            card.number_cell(result.score),
            card.number_cell(indicator.max),
            card.number_cell(card.medians.indicators[indicator.id]),
            Cell(scale.band(result.level).name[lang], result.level, result.level),
        ]
        if card.dynamics is not None:
            moved = card.dynamics.indicators.get(indicator.id)
            cells.append(card.change_cell(moved.delta if moved else None))
        rows.append(tuple(cells))
    columns = (
        Column(card.say("col_number"), "integer"),
        *_score_columns(card, card.say("col_indicator"), "col_level"),
    )
    legend = tuple((band.id, band.name[lang]) for band in methodology.levels.bands)
    caption = card.say("caption_indicators", group=card.group)
    return [
        Heading(card.say("heading_indicators"), 1, "indicators"),
        Table("indicators", caption, columns, tuple(rows), legend),
        _chart(card),
    ]


def _short(text: str, limit: int = 42) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:«(") + "…"


def _chart(card: _Card) -> Block:
    methodology, body, lang = card.methodology, card.body, card.lang
    indicators = methodology.indicators
    shares = [_share_kept(i, body.indicators[i.id].score) for i in indicators]
    medians = [_share_kept(i, card.medians.indicators[i.id]) for i in indicators]
    labels = [
        f"{position}. {_short(i.name[lang])}" for position, i in enumerate(indicators, start=1)
    ]
    best = max(range(len(shares)), key=lambda k: shares[k])
    worst = min(range(len(shares)), key=lambda k: shares[k])
    below = sum(1 for share, median in zip(shares, medians, strict=True) if share < median)
    alt = card.say(
        "chart_alt",
        indicators=count(len(indicators), "indicator", lang),
        best_name=indicators[best].name[lang],
        best=number(shares[best], lang, 0),
        worst_name=indicators[worst].name[lang],
        worst=number(shares[worst], lang, 0),
        below=count(below, "indicator", lang),
    )
    return share_bars(
        "indicator-shares",
        card.say("chart_caption"),
        alt,
        labels,
        shares,
        [body.indicators[i.id].level for i in indicators],
        medians,
        lang=lang,
        share_label=card.say("chart_share"),
        marker_label=card.say("chart_median"),
    )


def _dynamics(card: _Card, history: Mapping[int, PreviousResult] | None) -> list[Block]:
    blocks: list[Block] = [Heading(card.say("heading_dynamics"), 1, "dynamics")]
    moved, lang = card.dynamics, card.lang
    if moved is None:
        blocks.append(Paragraph(card.say("dynamics_none", previous_period=card.previous_period)))
    else:
        total, grade, rank = moved.total, moved.grade, moved.rank
        assert total.delta is not None  # a score movement always has its delta
        sentences = [
            card.say(
                f"total_{total.change.value}",
                current=card.num(Decimal(total.current)),
                previous=card.num(Decimal(total.previous)),
                previous_period=card.previous_period,
                delta=points(abs(total.delta), lang),
            ),
            card.say(
                f"grade_{grade.change.value}",
                current=card.grade_name(grade.current),
                previous=card.grade_name(grade.previous),
            ),
            card.say(
                f"rank_{rank.change.value}",
                current=card.num(int(rank.current)),
                previous=card.num(int(rank.previous)),
                delta=count(abs(int(rank.previous) - int(rank.current)), "place", lang),
            ),
        ]
        blocks.append(Paragraph(" ".join(sentences)))
    if history:
        blocks.append(_history(card, history))
    return blocks


def _history(card: _Card, history: Mapping[int, PreviousResult]) -> Table:
    body = card.body
    periods = [(y, r.total, r.grade, r.rank) for y, r in history.items() if y != card.period]
    periods.append((card.period, body.total, body.grade, body.rank))
    rows = tuple(
        (
            Cell(str(year), year),
            card.number_cell(total),
            Cell(card.grade_name(grade), grade, card.grade_colour(total)),
            Cell(card.num(rank), rank),
        )
        for year, total, grade, rank in sorted(periods)
    )
    columns = (
        Column(card.say("col_period"), "integer"),
        Column(card.say("col_total"), "number"),
        Column(card.say("col_grade"), "label"),
        Column(card.say("col_rank"), "integer"),
    )
    return Table("history", card.say("heading_history"), columns, rows)


def _facts(card: _Card, result: IndicatorResult) -> str:
    """The raw counts a computed score comes from, as a sentence."""
    indicator, lang = result.indicator, card.lang
    values = {field: fact.value for field, fact in result.facts.items()}
    ratio = _ratio_fields(indicator)
    methodology = card.methodology
    if ratio is not None:
        numerator, denominator = ratio
        phrase = card.say(
            "ratio",
            numerator=field_phrase(methodology, numerator, values[numerator], lang),
            denominator=field_phrase(
                methodology, denominator, values[denominator], lang, "partitive"
            ),
        )
    else:
        phrase = "; ".join(
            field_phrase(methodology, field, values[field], lang)
            for field in indicator.input_fields
        )
    return card.say("facts_computed", facts=phrase)


def _losses(card: _Card, losses: tuple[IndicatorResult, ...]) -> list[Block]:
    lang = card.lang
    blocks: list[Block] = [Heading(card.say("heading_losses"), 1, "losses")]
    if not losses:
        blocks.append(Paragraph(card.say("losses_none")))
        return blocks
    indicator_count = len(card.methodology.indicators)
    lost = sum((loss.points_lost for loss in losses), Decimal(0))
    intro = card.say(
        "losses_intro",
        indicators=count(len(losses), "indicator", lang),
        count=card.num(indicator_count),
        count_of=count(indicator_count, "indicator", lang, "partitive"),
        points=points(lost, lang),
    )
    items = []
    delivered: dict[str, None] = {}
    for loss in losses:
        indicator = loss.indicator
        if is_penalty(indicator):
            said = card.say(
                "loss_penalty",
                name=indicator.name[lang],
                penalty=points(loss.score, lang),
                max=points(indicator.max, lang),
            )
        else:
            said = card.say(
                "loss",
                name=indicator.name[lang],
                score=card.num(loss.score),
                max_of=points(indicator.max, lang, "partitive"),
                lost=points(loss.points_lost, lang),
            )
        if loss.method is Method.READY:
            delivered.setdefault(indicator.authority.value, None)
            items.append(said)
        else:
            items.append(f"{said} {_facts(card, loss)}")
    blocks += [Paragraph(intro), BulletList(tuple(items))]
    if delivered:
        authorities = [declaration().authorities[a][lang] for a in delivered]
        note = card.say("facts_ready", authorities=join_names(authorities, lang))
        blocks.append(Paragraph(note, "note"))
    return blocks


def _way_up(card: _Card) -> list[Block]:
    methodology, lang = card.methodology, card.lang
    explanation = explain(methodology, card.body)
    if explanation.next_grade is None:
        top = methodology.grades.bands[0]
        assert top.bound is not None
        sentence = card.say(
            "top_grade",
            grade=top.name[lang],
            bound=points(top.bound, lang),
            bound_of=points(top.bound, lang, "partitive"),
        )
        return [Heading(card.say("heading_keep"), 1, "way-up"), Paragraph(sentence)]
    grade = card.grade_name(explanation.next_grade)
    heading = Heading(card.say("heading_way_up", grade=grade), 1, "way-up")
    if not explanation.improvements:
        return [heading, Paragraph(card.say("way_up_unreachable", grade=grade))]
    intro = card.say(
        "way_up_intro",
        grade=grade,
        points=points(explanation.points_needed, lang),
        points_of=points(explanation.points_needed, lang, "partitive"),
        indicators=count(len(explanation.improvements), "indicator", lang),
    )
    items = []
    for improvement in explanation.improvements:
        indicator = improvement.indicator.indicator
        item = card.say(
            "way_up_penalty" if is_penalty(indicator) else "way_up",
            name=indicator.name[lang],
            score=card.num(improvement.indicator.score),
            target=card.num(improvement.target_score),
            gain=points(improvement.gain, lang),
        )
        field, now, then = improvement.field, improvement.current_count, improvement.target_count
        if field is not None and now is not None and then is not None:
            item = card.say("with_raw", item=item, raw=raw_target(field, now, then, lang))
        items.append(item)
    return [heading, Paragraph(intro), BulletList(tuple(items))]


def _roadmap(card: _Card) -> list[Block]:
    lang = card.lang
    measures = roadmap_draft(card.methodology, card.body, lang, period=card.period)
    if not measures:
        return []
    due_on = measures[0].due_on
    due = format_date(due_on, "long", locale=lang)
    intro = card.say(
        "roadmap_intro",
        grade=card.grade_name(card.body.grade),
        measures=count(len(measures), "measure", lang),
        due=due,
        due_year=due_on.year,
    )
    # Every measure falls due on the same day, which the introduction states.
    columns = (
        Column(card.say("col_number"), "integer"),
        Column(card.say("col_indicator")),
        Column(card.say("col_measure")),
        Column(card.say("col_current"), "number"),
        Column(card.say("col_target"), "number"),
        Column(card.say("col_owner")),
    )
    rows = tuple(
        (
            Cell(card.num(m.position), m.position),
            Cell(card.indicator_name(card.methodology.indicator(m.indicator)), m.indicator),
            Cell(m.action, note=m.measure),
            card.number_cell(m.current_score),
            card.number_cell(m.target_score),
            Cell(m.owner),
        )
        for m in measures
    )
    return [
        Heading(card.say("heading_roadmap"), 1, "roadmap"),
        Paragraph(intro),
        Table("roadmap", card.say("heading_roadmap"), columns, rows),
    ]


def _facts_sheet(card: _Card) -> DataSheet:
    columns = (
        Column(card.say("col_indicator")),
        Column(card.say("col_field")),
        Column(card.say("col_value"), "number"),
        Column(card.say("col_source")),
    )
    rows = tuple(
        (
            Cell(indicator.name[card.lang], indicator.id),
            Cell(field),
            card.number_cell(fact.value),
            Cell(str(fact.provenance)),
        )
        for indicator in card.methodology.indicators
        for field, fact in card.body.indicators[indicator.id].facts.items()
    )
    return DataSheet("facts", card.say("data_sheet"), columns, rows)


def build_scorecard(
    result: IndexResult,
    body_code: str,
    lang: Lang,
    *,
    period: int,
    previous: Mapping[str, PreviousResult] | None = None,
    previous_period: int | None = None,
    history: Mapping[int, PreviousResult] | None = None,
) -> Report:
    """Build the scorecard of one body (kind ``"scorecard"``) in ``lang``.

    ``previous`` holds the results of the period before (``previous_period``, by default
    ``period − 1``) by body code, as ``read_previous`` gives them; without it, or without
    this body in it, the scorecard says that no dynamics are available. ``history`` adds
    this body's earlier results by year as a table. Raises KeyError when ``body_code`` was
    not evaluated in ``result``.
    """
    body = result.for_body(body_code)
    methodology = result.methodology
    dynamics = compare_periods(result, dict(previous)).get(body_code) if previous else None
    card = _Card(
        methodology=methodology,
        body=body,
        lang=lang,
        period=period,
        previous_period=previous_period if previous_period is not None else period - 1,
        medians=_medians(result, body.body.level),
        peers=len(result.of_level(body.body.level)),
        dynamics=dynamics,
    )
    report = Report(
        kind="scorecard",
        lang=lang,
        title=body.body.name(lang),
        subtitle=card.say("subtitle", period=period),
        footer=card.say("footer", period=period, version=methodology.version),
        cover=False,  # one or two pages: the title heads the first
    )
    report.add(*_header(card), *_criteria(card), *_indicators(card))
    report.add(*_dynamics(card, history))
    report.add(*_losses(card, explain(methodology, body).losses))
    report.add(*_way_up(card), *_roadmap(card))
    report.data_sheets += [_summary_sheet(card), _facts_sheet(card)]
    return report
