"""The methodology text, generated from the methodology file, in Russian, Kazakh and English."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from ashyq.i18n import LANGUAGES, Lang
from ashyq.i18n.grammar import figure, number, quantity
from ashyq.i18n.quotes import nested
from ashyq.index.methodology import IndicatorRole, Methodology
from ashyq.reports.describe import _FRAMES, describe_criterion, describe_indicator

PACKAGED = Path(__file__).parents[1] / "src/ashyq/index/methodologies/openness-2025.yaml"
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def text(sentences: list[str]) -> str:
    """The sentences as one string, with no-break spaces read as spaces for matching."""
    return " ".join(sentences).replace("\N{NO-BREAK SPACE}", " ")


def packaged_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(PACKAGED.read_text(encoding="utf-8"))
    return data


# --- every item, every language ----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_criterion_and_indicator_has_a_text(methodology: Methodology, lang: Lang) -> None:
    for criterion in methodology.criteria:
        sentences = describe_criterion(methodology, criterion, lang)
        assert sentences[0] == criterion.purpose[lang]
        assert len(sentences) >= 4, criterion.id
        for indicator in criterion.indicators:
            sentences = describe_indicator(methodology, indicator, lang)
            assert sentences[0] == indicator.purpose[lang]
            assert len(sentences) >= 4, indicator.id
            assert all(s.strip() and s.rstrip().endswith(".") for s in sentences), indicator.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_placeholder_or_missing_value_leaks(methodology: Methodology, lang: Lang) -> None:
    texts = [describe_criterion(methodology, c, lang) for c in methodology.criteria]
    texts += [describe_indicator(methodology, i, lang) for i in methodology.indicators]
    for sentence in (s for sentences in texts for s in sentences):
        for leak in ("None", "nan", "NaN", "{", "}", "E+", "Decimal"):
            assert leak not in sentence, sentence


@pytest.mark.parametrize("lang", LANGUAGES)
def test_indicator_text_names_its_max_and_the_labels_of_its_fields(
    methodology: Methodology, lang: Lang
) -> None:
    for indicator in methodology.indicators:
        said = text(describe_indicator(methodology, indicator, lang))
        forms = {
            quantity(indicator.max, "point", lang, case).replace("\N{NO-BREAK SPACE}", " ")
            for case in ("nominative", "partitive")
        }
        assert any(form in said for form in forms), (indicator.id, forms)
        for field in indicator.input_fields:
            assert methodology.fields[field][lang] in said, (indicator.id, field)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_criterion_text_names_its_max_and_every_indicator(
    methodology: Methodology, lang: Lang
) -> None:
    for criterion in methodology.criteria:
        said = text(describe_criterion(methodology, criterion, lang))
        assert quantity(criterion.max, "point", lang).replace("\N{NO-BREAK SPACE}", " ") in said
        for indicator in criterion.indicators:
            # Quoted, with the name's own quotation marks nested (i18n.quotes).
            assert nested(indicator.name[lang], lang) in said, (criterion.id, indicator.id)
        for band in criterion.categories.bands[:-1]:
            assert band.name[lang] in said, (criterion.id, band.id)


def test_kazakh_text_is_kazakh(methodology: Methodology) -> None:
    texts = [describe_criterion(methodology, c, "kk") for c in methodology.criteria]
    texts += [describe_indicator(methodology, i, "kk") for i in methodology.indicators]
    for sentence in (s for sentences in texts for s in sentences):
        assert KAZAKH_LETTERS & set(sentence), sentence
    for label in methodology.fields.values():
        assert KAZAKH_LETTERS & set(label.kk), label.kk


def test_an_id_gives_the_same_text_as_the_item(methodology: Methodology) -> None:
    indicator = methodology.indicator("review_timeliness")
    assert describe_indicator(methodology, "review_timeliness", "kk") == describe_indicator(
        methodology, indicator, "kk"
    )
    criterion = methodology.criterion("appk_compliance")
    assert describe_criterion(methodology, "appk_compliance", "en") == describe_criterion(
        methodology, criterion, "en"
    )
    with pytest.raises(KeyError):
        describe_indicator(methodology, "no_such_indicator", "ru")
    with pytest.raises(ValueError, match="unsupported language"):
        describe_indicator(methodology, indicator, "de")  # type: ignore[arg-type]


def test_every_frame_is_declared_in_every_language() -> None:
    keys = {lang: set(frames) for lang, frames in _FRAMES.items()}
    assert set(keys) == set(LANGUAGES)
    assert keys["ru"] == keys["kk"] == keys["en"]


# --- one table row per formula kind: its parameters, spelled per language ------------------

KIND_EXPECTATIONS: dict[str, tuple[str, dict[str, list[str]]]] = {
    "rate_deduction": (
        "review_timeliness",
        {
            "ru": ["4 × (1 − 1 000 × A / B)", "0 баллов", "максимальный балл (4 балла)"],
            "kk": ["4 × (1 − 1 000 × A / B)", "0 балл беріледі", "ең жоғары балл (4 балл)"],
            "en": ["4 × (1 − 1,000 × A / B)", "0 points", "the full 4 points"],
        },
    ),
    "per_fact_deduction": (
        "unjustified_redirection",
        {
            "ru": ["вычитается 0,1 балла", "3 − 0,1 × A"],
            "kk": ["0,1 балл шегеріледі", "3 − 0,1 × A"],
            "en": ["deducts 0.1 points", "3 − 0.1 × A"],
        },
    ),
    "step_thresholds": (
        "first_head_activity",
        {
            "ru": [
                "X = 100 × A / B",
                "Для ЦГО: 4 балла при X ≥ 30%",
                "1 балл при X ≥ 7,5%",
                "Для МИО: 4 балла при X ≥ 35%",
                "3 балла при X ≥ 26,25%",
                "в остальных случаях — 0 баллов",
            ],
            "kk": [
                "ОМО үшін: X ≥ 30% болғанда 4 балл",
                "ЖАО үшін: X ≥ 35% болғанда 4 балл",
                "X ≥ 26,25% болғанда 3 балл",
                "қалған жағдайларда — 0 балл",
            ],
            "en": ["4 points if X ≥ 30%", "3 points if X ≥ 26.25%", "1 point if X ≥ 8.75%"],
        },
    ),
    "bucketed_average": (
        "reception_waiting",
        {
            "ru": [
                "(3 × A + 2 × B + 1 × C + 0 × D) / (A + B + C + D)",
                "(3 балла)",
                "(1 балл)",
                "(1 × E + 0,5 × F + 0 × G) / (E + F + G)",
                "(коэффициент 0,5)",
            ],
            "kk": ["(3 балл)", "(1 × E + 0,5 × F + 0 × G) / (E + F + G)", "(коэффициент 0,5)"],
            "en": ["(3 points)", "(1 point)", "(1 × E + 0.5 × F + 0 × G)", "(coefficient 0.5)"],
        },
    ),
    "correlating_coefficients": (
        "open_data",
        {
            "ru": ["(A + B) × min(1; C + D)", "(не более 5 баллов)", "0; 0,25 или 0,5"],
            "kk": ["(A + B) × min(1; C + D)", "(ең көбі 5 балл)", "0; 0,25 немесе 0,5"],
            "en": ["(A + B) × min(1, C + D)", "(at most 5 points)", "0, 0.25 or 0.5"],
        },
    ),
    "penalty": (
        "unaccredited_channels",
        {
            "ru": ["0,2 штрафного балла", "min(5; 0,2 × A)", "«Обратная связь с населением»"],
            "kk": ["0,2 айыппұл балы", "min(5; 0,2 × A)", "«Халықпен кері байланыс»"],
            "en": ["0.2 penalty points", "min(5, 0.2 × A)", "“Feedback from the population”"],
        },
    ),
    "capped_bonus": (
        "hidden_services",
        {
            "ru": ["1 поощрительный балл", "не более 7 баллов", "min(7; A)"],
            "kk": ["1 көтермелеу балы", "ең көбі 7 балл", "min(7; A)"],
            "en": ["1 bonus point", "at most 7 points", "min(7, A)"],
        },
    ),
    "ready_score": (
        "open_budget",
        {
            "ru": ["в готовом виде", "Министерство культуры и информации"],
            "kk": ["дайын түрде", "Мәдениет және ақпарат министрлігі"],
            "en": ["ready-made", "the Ministry of Culture and Information"],
        },
    ),
}


def test_the_kind_table_covers_every_kind_of_the_file(methodology: Methodology) -> None:
    assert set(KIND_EXPECTATIONS) == {i.formula.kind for i in methodology.indicators}
    for kind, (indicator_id, _) in KIND_EXPECTATIONS.items():
        assert methodology.indicator(indicator_id).formula.kind == kind


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(KIND_EXPECTATIONS))
def test_formula_sentence_spells_the_parameters(
    methodology: Methodology, kind: str, lang: Lang
) -> None:
    indicator_id, expected = KIND_EXPECTATIONS[kind]
    said = text(describe_indicator(methodology, indicator_id, lang))
    for part in expected[lang]:
        assert part in said, (kind, lang, part, said)


def test_a_shared_step_table_is_said_once(methodology: Methodology) -> None:
    said = text(describe_indicator(methodology, "satisfaction", "ru"))
    assert "Для ЦГО и МИО: 7 баллов при X ≥ 90%" in said
    assert "Для МИО:" not in said
    said = text(describe_indicator(methodology, "requests_share", "en"))
    assert "6 points if X ≤ 6%" in said  # lower is better


def test_a_changed_parameter_changes_the_text(methodology: Methodology) -> None:
    data = packaged_data()
    review = data["criteria"][0]["indicators"][0]
    review["formula"]["scale"] = 250
    review["formula"]["empty_denominator"] = "zero"
    changed = Methodology.model_validate(data)
    said = text(describe_indicator(changed, "review_timeliness", "ru"))
    assert "4 × (1 − 250 × A / B)" in said
    assert "Если B = 0, присваивается 0 баллов." in said
    assert said != text(describe_indicator(methodology, "review_timeliness", "ru"))


# --- bands: levels of an indicator, categories of a criterion ------------------------------


def test_levels_are_stated_in_points_with_russian_agreement(methodology: Methodology) -> None:
    said = text(describe_indicator(methodology, "review_timeliness", "ru"))
    assert (
        "«Высокий» — от 3,6 балла; «Средний» — от 2,8 балла; «Низкий» — от 2 баллов; "
        "«Неэффективный» — менее 2 баллов." in said
    )
    said = text(describe_indicator(methodology, "review_timeliness", "kk"))
    assert "«Жоғары» — 3,6 балдан бастап" in said
    assert "«Тиімсіз» — 2 балдан төмен" in said
    said = text(describe_indicator(methodology, "statistics_quality", "en"))
    assert "“Low” from 1 point; “Ineffective” below 1 point." in said


def test_penalty_levels_are_inverted(methodology: Methodology) -> None:
    said = text(describe_indicator(methodology, "unaccredited_channels", "ru"))
    assert "«Высокий» — менее 2 баллов" in said
    assert "«Неэффективный» — от 4,5 балла" in said


def test_criterion_roles_and_categories(methodology: Methodology) -> None:
    feedback = text(describe_criterion(methodology, "public_feedback", "ru"))
    assert "Из суммы вычитаются штрафные баллы" in feedback
    assert "«C (низкая)» — менее 14 баллов" in feedback
    control = text(describe_criterion(methodology, "internal_control", "ru"))
    assert "не более 7 поощрительных баллов" in control
    assert "«A (высокая)» — от 15 баллов; «B (средняя)» — от 0 баллов." in control
    # No score of this criterion can fall below 0, so its category C is not stated.
    assert "C (низкая)" not in control
    roles = {i.role for i in methodology.criterion("internal_control").indicators}
    assert IndicatorRole.BONUS in roles


def test_numbers_are_spelled_per_language(methodology: Methodology) -> None:
    court = methodology.indicator("court_upheld")
    assert court.formula.kind == "rate_deduction"
    for lang in LANGUAGES:
        said = " ".join(describe_indicator(methodology, court, lang))
        assert number(court.formula.scale, lang) in said


def test_figures_round_half_up_and_carry_their_sign() -> None:
    assert figure(4.885, 2, "ru") == "4,89"  # half up, though 4.885 is stored as 4.88499…
    assert figure(90.45, 1, "en") == "90.5"
    assert figure(1.5, 1, "kk", signed=True) == "+1,5"
    assert figure(-1.25, 1, "ru", signed=True) == "\N{MINUS SIGN}1,3"  # the minus sign
    assert figure(-0.004, 2, "ru", signed=True) == "0,00"  # never "-0,00" or "+0,00"
    assert figure(30000, 0, "en") == "30,000"
    assert figure(None, 1, "ru") == "—"


# --- the schema: purposes and field labels are required -----------------------------------


def test_every_raw_field_has_a_label(methodology: Methodology) -> None:
    assert set(methodology.fields) == set(methodology.raw_fields)
    for label in methodology.fields.values():
        assert label.ru and label.kk and label.en


def test_a_raw_field_without_a_label_is_rejected() -> None:
    data = packaged_data()
    del data["fields"]["reviewed_late"]
    with pytest.raises(ValidationError, match="reviewed_late"):
        Methodology.model_validate(data)


def test_a_label_of_an_unknown_field_is_rejected() -> None:
    data = packaged_data()
    data["fields"]["reviewed_later"] = copy.deepcopy(data["fields"]["reviewed_late"])
    with pytest.raises(ValidationError, match="reviewed_later"):
        Methodology.model_validate(data)


def test_a_label_in_two_languages_only_is_rejected() -> None:
    data = packaged_data()
    del data["fields"]["reviewed_late"]["kk"]
    with pytest.raises(ValidationError, match="reviewed_late"):
        Methodology.model_validate(data)


@pytest.mark.parametrize("where", ["fields", "criterion", "indicator"])
def test_purpose_and_fields_are_required(where: str) -> None:
    data = packaged_data()
    if where == "fields":
        del data["fields"]
    elif where == "criterion":
        del data["criteria"][1]["purpose"]
    else:
        del data["criteria"][2]["indicators"][0]["purpose"]
    with pytest.raises(ValidationError, match="fields" if where == "fields" else "purpose"):
        Methodology.model_validate(data)
