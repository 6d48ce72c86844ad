"""The methodology text of a criterion or an indicator, generated from the methodology file.

The annual report prints, for each criterion and indicator, what it evaluates, its points,
how the score is obtained and its level bands. All of it follows from the declaration: the
``purpose`` of the item, its ``max`` and role, its formula with the labels of the raw
fields, and the band scales. Each formula kind has one generator here; the fixed sentence
frames of the three languages are in ``describe.yaml`` beside this module (they are part of
the methodology's wording, not of the user interface, so they are not in the gettext
catalogues).

Every number is spelled by ``ashyq.i18n.grammar`` (decimal comma in Russian and Kazakh),
and every count noun agrees with its number ("1 балл", "2 балла", "0,1 балла").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any, Final, Literal

import yaml

from ashyq.bodies import Level
from ashyq.i18n import LANGUAGES, Lang
from ashyq.i18n.grammar import Case, join_names, number, quantity
from ashyq.i18n.quotes import fill
from ashyq.index.methodology import (
    Authority,
    BandScale,
    Bucket,
    BucketedAverage,
    CappedBonus,
    CorrelatingCoefficients,
    Criterion,
    EmptyRule,
    Indicator,
    IndicatorRole,
    Methodology,
    Penalty,
    PerFactDeduction,
    RateDeduction,
    ReadyScore,
    Step,
    StepThresholds,
)

__all__ = ["describe_criterion", "describe_indicator"]

_NBSP = "\N{NO-BREAK SPACE}"


def _load_frames() -> dict[Lang, dict[str, str]]:
    """The frames of ``describe.yaml``, by language; every frame is given in every
    language (a missing one is an error here, not a gap in a report)."""
    text = resources.files("ashyq.reports").joinpath("describe.yaml").read_text("utf-8")
    frames: dict[str, dict[str, str]] = yaml.safe_load(text)["frames"]
    for key, by_lang in frames.items():
        if set(by_lang) != set(LANGUAGES):
            raise ValueError(f"describe.yaml: frame {key} is given in {sorted(by_lang)}")
    return {lang: {key: by_lang[lang] for key, by_lang in frames.items()} for lang in LANGUAGES}


_FRAMES: Final = _load_frames()

# Which grammatical case a number of points takes in each slot of the frames: after
# "не более" / "от" / "менее" Russian wants the genitive, Kazakh's "бастап" / "төмен" the
# ablative, while Kazakh "ең көбі" and English keep the plain form.
_Slot = Literal["count", "cap", "bound"]
_CASES: Final[dict[_Slot, dict[Lang, Case]]] = {
    "count": {"ru": "nominative", "kk": "nominative", "en": "nominative"},
    "cap": {"ru": "partitive", "kk": "nominative", "en": "nominative"},
    "bound": {"ru": "partitive", "kk": "partitive", "en": "nominative"},
}
_SYMBOLS: Final = "ABCDEFGHJKLMNPQRSTUVW"
_ZERO = Decimal(0)
_ONE = Decimal(1)


def _plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros, so that 0.5 × 4 = 2.0 agrees as 2 ("2 баллов")."""
    normal = value.normalize()
    return normal.quantize(_ONE) if normal == normal.to_integral_value() else normal


@dataclass(frozen=True)
class _Writer:
    """Spells the parts of the sentences of one methodology in one language."""

    methodology: Methodology
    lang: Lang

    def say(self, key: str, **params: str) -> str:
        return fill(_FRAMES[self.lang][key], params)

    def num(self, value: Decimal) -> str:
        return number(_plain(value), self.lang)

    def points(self, value: Decimal, slot: _Slot = "count", noun: str = "point") -> str:
        return quantity(_plain(value), noun, self.lang, _CASES[slot][self.lang])

    def percent(self, value: Decimal) -> str:
        return self.say("percent", value=self.num(value))

    def quoted(self, name: str) -> str:
        return self.say("quoted", name=name)

    def legend(self, entries: Sequence[tuple[str, str, str | None]]) -> str:
        """``A — label (note); B — label``: each symbol with its field's label."""
        items = []
        for symbol, field, note in entries:
            item = self.say(
                "legend_item", symbol=symbol, label=self.methodology.field_label(field)[self.lang]
            )
            items.append(f"{item} ({note})" if note else item)
        return "; ".join(items)

    def alternatives(self, values: Sequence[Decimal]) -> str:
        """Values as alternatives: "0; 0,25 или 0,5" (semicolons where a comma is decimal)."""
        spelled = [self.num(v) for v in values]
        if len(spelled) == 1:
            return spelled[0]
        head = self.say("list_sep").join(spelled[:-1])
        return f"{head} {self.say('or')} {spelled[-1]}"

    def empty(self, rule: EmptyRule, symbol: str, maximum: Decimal) -> str:
        if rule is EmptyRule.FULL:
            return self.say("empty_full", symbol=symbol, max=self.points(maximum))
        return self.say("empty_zero", symbol=symbol, zero=self.points(_ZERO))


# --- one generator per formula kind ------------------------------------------------------


def _times(w: _Writer, factor: Decimal, symbol: str) -> str:
    return symbol if factor == _ONE else f"{w.num(factor)} × {symbol}"


def _rate_deduction(w: _Writer, f: RateDeduction, indicator: Indicator) -> list[str]:
    share = f"{_times(w, f.scale, 'A')} / B"
    formula = f"{w.num(indicator.max)} × (1 − {share})"
    legend = w.legend([("A", f.numerator, None), ("B", f.denominator, None)])
    return [
        w.say("formula", formula=formula, legend=legend),
        w.say("negative", zero=w.points(_ZERO)),
        w.empty(f.empty_denominator, "B", indicator.max),
    ]


def _per_fact_deduction(w: _Writer, f: PerFactDeduction, indicator: Indicator) -> list[str]:
    formula = f"{w.num(indicator.max)} − {_times(w, f.per_fact, 'A')}"
    return [
        w.say(
            "per_fact",
            per_fact=w.points(f.per_fact),
            formula=formula,
            legend=w.legend([("A", f.count, None)]),
        ),
        w.say("negative", zero=w.points(_ZERO)),
    ]


def _steps(w: _Writer, f: StepThresholds, steps: tuple[Step, ...]) -> str:
    op = "≥" if f.direction == "higher_is_better" else "≤"
    return ", ".join(
        w.say("step", points=w.points(s.score), op=op, threshold=w.percent(s.threshold))
        for s in steps
    )


def _step_thresholds(w: _Writer, f: StepThresholds, indicator: Indicator) -> list[str]:
    if f.value is not None:
        sentences = [w.say("step_value", legend=w.legend([("X", f.value, None)]))]
    else:
        assert f.numerator is not None and f.denominator is not None
        legend = w.legend([("A", f.numerator, None), ("B", f.denominator, None)])
        sentences = [w.say("step_ratio", formula=f"{w.num(Decimal(100))} × A / B", legend=legend)]
    tables = [f.steps_by_level[level] for level in Level]
    by_level = (
        [("levels_all", tables[0])]
        if all(table == tables[0] for table in tables)
        else [(f"levels_{level.value}", f.steps_by_level[level]) for level in Level]
    )
    for key, steps in by_level:
        sentences.append(
            w.say(
                "step_table",
                levels=w.say(key),
                steps=_steps(w, f, steps),
                otherwise=w.points(f.otherwise),
            )
        )
    if f.value is None:
        sentences.append(w.empty(f.empty_denominator, "B", indicator.max))
    return sentences


def _weighted(w: _Writer, buckets: tuple[Bucket, ...], symbols: str) -> str:
    terms = " + ".join(f"{w.num(b.weight)} × {s}" for b, s in zip(buckets, symbols, strict=True))
    return f"({terms}) / ({' + '.join(symbols)})"


def _bucketed_average(w: _Writer, f: BucketedAverage, indicator: Indicator) -> list[str]:
    symbols = _SYMBOLS[: len(f.buckets)]
    legend = w.legend(
        [(s, b.field, w.points(b.weight)) for s, b in zip(symbols, f.buckets, strict=True)]
    )
    sentences = [w.say("bucketed", formula=_weighted(w, f.buckets, symbols), legend=legend)]
    if f.correction:
        more = _SYMBOLS[len(f.buckets) : len(f.buckets) + len(f.correction)]
        notes = [w.say("coefficient_note", value=w.num(b.weight)) for b in f.correction]
        legend = w.legend(
            [(s, b.field, n) for s, b, n in zip(more, f.correction, notes, strict=True)]
        )
        formula = _weighted(w, f.correction, more)
        sentences.append(w.say("correction", formula=formula, legend=legend))
    sentences.append(w.empty(f.empty, " + ".join(symbols), indicator.max))
    return sentences


def _correlating_coefficients(
    w: _Writer, f: CorrelatingCoefficients, indicator: Indicator
) -> list[str]:
    parts = _SYMBOLS[: len(f.components)]
    coefficients = _SYMBOLS[len(f.components) : len(f.components) + len(f.coefficients)]
    sep = w.say("arg_sep")
    formula = (
        f"({' + '.join(parts)}) × min({w.num(f.coefficient_cap)}{sep}{' + '.join(coefficients)})"
    )
    entries: list[tuple[str, str, str | None]] = [
        (s, c.field, w.say("at_most", points=w.points(c.max, "cap")))
        for s, c in zip(parts, f.components, strict=True)
    ]
    entries += [(s, field, None) for s, field in zip(coefficients, f.coefficients, strict=True)]
    return [
        w.say("formula", formula=formula, legend=w.legend(entries)),
        w.say(
            "coefficients",
            values=w.alternatives(f.coefficient_values),
            cap=w.num(f.coefficient_cap),
        ),
    ]


def _capped(w: _Writer, f: Penalty | CappedBonus, indicator: Indicator, key: str) -> str:
    """``min(max, per_fact · count)``, said as a penalty or as a bonus."""
    formula = f"min({w.num(indicator.max)}{w.say('arg_sep')}{_times(w, f.per_fact, 'A')})"
    return w.say(
        key,
        per_fact=w.points(f.per_fact, noun=f"{key}_point"),
        max=w.points(indicator.max, "cap"),
        formula=formula,
        legend=w.legend([("A", f.count, None)]),
    )


def _penalty(w: _Writer, f: Penalty, indicator: Indicator) -> list[str]:
    return [_capped(w, f, indicator, "penalty")]


def _capped_bonus(w: _Writer, f: CappedBonus, indicator: Indicator) -> list[str]:
    return [_capped(w, f, indicator, "bonus")]


def _ready_score(w: _Writer, f: ReadyScore, indicator: Indicator) -> list[str]:
    return [w.say("ready")]


_GENERATORS: Final[dict[str, Callable[[_Writer, Any, Indicator], list[str]]]] = {
    "rate_deduction": _rate_deduction,
    "per_fact_deduction": _per_fact_deduction,
    "step_thresholds": _step_thresholds,
    "bucketed_average": _bucketed_average,
    "correlating_coefficients": _correlating_coefficients,
    "penalty": _penalty,
    "capped_bonus": _capped_bonus,
    "ready_score": _ready_score,
}


# --- bands, indicators, criteria ---------------------------------------------------------


def _bands(w: _Writer, scale: BandScale, maximum: Decimal, floor: Decimal) -> str:
    """Each band with its bound in points; a last band no score can reach is left out."""

    def in_points(bound: Decimal) -> Decimal:
        return bound * maximum if scale.measure == "share_of_max" else bound

    higher = scale.direction == "higher_is_better"
    bounded = [(b, in_points(b.bound)) for b in scale.bands if b.bound is not None]
    items = [
        w.say(
            "band_from" if higher else "band_below",
            name=w.quoted(band.name[w.lang]),
            points=w.points(points, "bound"),
        )
        for band, points in bounded
    ]
    last, last_bound = scale.bands[-1], bounded[-1][1]
    if not (higher and floor >= last_bound):
        items.append(
            w.say(
                "band_below" if higher else "band_from",
                name=w.quoted(last.name[w.lang]),
                points=w.points(last_bound, "bound"),
            )
        )
    return "; ".join(items)


def _writer(methodology: Methodology, lang: Lang) -> _Writer:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return _Writer(methodology, lang)


def _max_sentence(w: _Writer, indicator: Indicator) -> str:
    if indicator.role is IndicatorRole.CORE:
        return w.say("max_core", max=w.points(indicator.max))
    criterion = w.methodology.criterion_of(indicator.id)
    key = "max_penalty" if indicator.role is IndicatorRole.PENALTY else "max_bonus"
    return w.say(
        key, max=w.points(indicator.max, "cap"), criterion=w.quoted(criterion.name[w.lang])
    )


def _authority(w: _Writer, authority: Authority) -> str:
    return w.say("authority", authority=w.say(f"authority_{authority.value}"))


def describe_indicator(
    methodology: Methodology, indicator: Indicator | str, lang: Lang
) -> list[str]:
    """The methodology text of an indicator in ``lang``, one sentence per item.

    The sentences say, in order: what the indicator evaluates and why (its ``purpose``),
    its maximum (and, for a penalty or a bonus, how it enters its criterion), how the score
    is obtained from the raw fields (named by their labels), what an empty denominator
    gives, who supplies the source data, and the level bands in points. ``indicator`` is an
    indicator of ``methodology`` or its id. Raises KeyError for an unknown id and
    ValueError for a language other than ru, kk or en.
    """
    w = _writer(methodology, lang)
    item = methodology.indicator(indicator) if isinstance(indicator, str) else indicator
    return [
        item.purpose[lang],
        _max_sentence(w, item),
        *_GENERATORS[item.formula.kind](w, item.formula, item),
        _authority(w, item.authority),
        w.say("levels", bands=_bands(w, methodology.level_scale(item), item.max, _ZERO)),
    ]


def describe_criterion(
    methodology: Methodology, criterion: Criterion | str, lang: Lang
) -> list[str]:
    """The methodology text of a criterion in ``lang``, one sentence per item.

    The sentences say what the criterion evaluates (its ``purpose``), its maximum and any
    bonus points beyond it, the indicators whose scores it sums (with the penalties it
    subtracts and the bonuses it adds) and its category bands in points. ``criterion`` is a
    criterion of ``methodology`` or its id. Raises KeyError for an unknown id and
    ValueError for a language other than ru, kk or en.
    """
    w = _writer(methodology, lang)
    item = methodology.criterion(criterion) if isinstance(criterion, str) else criterion
    sentences = [item.purpose[lang], w.say("criterion_max", max=w.points(item.max))]
    if item.bonus_max:
        sentences.append(
            w.say("criterion_bonus_max", max=w.points(item.bonus_max, "cap", "bonus_point"))
        )

    def listed(role: IndicatorRole) -> str:
        key = "item" if role is IndicatorRole.CORE else "item_at_most"
        slot: _Slot = "count" if role is IndicatorRole.CORE else "cap"
        return join_names(
            [
                w.say(key, name=w.quoted(i.name[lang]), points=w.points(i.max, slot))
                for i in item.indicators
                if i.role is role
            ],
            lang,
        )

    sentences.append(w.say("criterion_sum", items=listed(IndicatorRole.CORE)))
    if any(i.role is IndicatorRole.PENALTY for i in item.indicators):
        sentences.append(w.say("criterion_penalties", items=listed(IndicatorRole.PENALTY)))
    if any(i.role is IndicatorRole.BONUS for i in item.indicators):
        sentences.append(w.say("criterion_bonuses", items=listed(IndicatorRole.BONUS)))
    floor = -sum((i.max for i in item.indicators if i.role is IndicatorRole.PENALTY), _ZERO)
    sentences.append(w.say("categories", bands=_bands(w, item.categories, item.max, floor)))
    return sentences
