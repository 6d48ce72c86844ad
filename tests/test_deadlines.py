"""The deadline rules of appeals: complete, sourced, strictly validated, documented, joinable."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]
import pytest
import yaml
from pydantic import ValidationError

from ashyq.appeals.deadlines import (
    APPEAL_TYPE_CODES,
    DeadlineRule,
    DeadlineRules,
    load_deadline_rules,
)
from ashyq.appeals.model import APPEAL_TYPES
from ashyq.calendar import WorkingCalendar

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def rules() -> DeadlineRules:
    return load_deadline_rules()


def packaged_data() -> dict[str, Any]:
    text = resources.files("ashyq.appeals").joinpath("deadlines.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def load_changed(tmp_path: Path, data: dict[str, Any]) -> DeadlineRules:
    path = tmp_path / "deadlines.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_deadline_rules(path)


def test_every_appeal_type_has_a_review_and_a_redirect(rules: DeadlineRules) -> None:
    for appeal_type in APPEAL_TYPE_CODES:
        assert rules.rule(appeal_type, "review").working_days is not None
        assert rules.rule(appeal_type, "redirect").working_days is not None


def test_the_periods(rules: DeadlineRules) -> None:
    for appeal_type in APPEAL_TYPE_CODES:
        assert rules.review_working_days(appeal_type) == 15, appeal_type
        assert rules.redirect_working_days(appeal_type) == 3, appeal_type
    for appeal_type in ("application", "complaint"):
        assert rules.extension_months(appeal_type) == 2
    assert {rule.counted_from for rule in rules.rules} == {"registration"}


def test_the_verified_application_rules_are_not_assumptions(rules: DeadlineRules) -> None:
    # Applications are the case the sources read speak of directly.
    for action in ("review", "redirect", "extension"):
        assert not rules.rule("application", action).assumption, action


def test_every_rule_has_a_source_and_every_assumption_a_note(rules: DeadlineRules) -> None:
    for rule in rules.rules:
        assert rule.source.startswith("АППК РК"), rule
        assert re.fullmatch(
            r"АППК РК(, ст\. \d+(, ч\. \d+)?(; ст\. \d+(, ч\. \d+)?)*)?", rule.source
        )
        if rule.assumption:
            assert len(rule.note.strip()) > 20, rule
    assert rules.note.strip()


def test_every_reference_a_note_names_exists(rules: DeadlineRules) -> None:
    ids = {reference.id for reference in rules.references}
    for rule in rules.rules:
        for named in re.findall(r"\b[a-z]+-[a-z0-9]+\b", rule.note):
            assert named in ids, (rule.appeal_type, rule.action, named)


def test_the_codes_are_those_of_the_appeal_model() -> None:
    assert tuple(choice.code for choice in APPEAL_TYPES) == APPEAL_TYPE_CODES


def test_unknown_lookups_are_errors(rules: DeadlineRules) -> None:
    with pytest.raises(KeyError, match="petition"):
        rules.review_working_days("petition")
    with pytest.raises(KeyError, match="archive"):
        rules.rule("application", "archive")


def test_an_unknown_key_is_rejected(tmp_path: Path) -> None:
    data = packaged_data()
    data["rules"][0]["surprise"] = 1
    with pytest.raises(ValidationError, match="surprise"):
        load_changed(tmp_path, data)
    data = packaged_data()
    data["surprise"] = 1
    with pytest.raises(ValidationError, match="surprise"):
        load_changed(tmp_path, data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("appeal_type", "petition"),
        ("action", "archive"),
        ("counted_from", "receipt"),
        ("working_days", 0),
        ("source", " "),
    ],
)
def test_a_bad_value_is_rejected(tmp_path: Path, field: str, value: object) -> None:
    data = packaged_data()
    data["rules"][0][field] = value
    with pytest.raises(ValidationError, match=field):
        load_changed(tmp_path, data)


def test_a_missing_redirect_rule_is_rejected(tmp_path: Path) -> None:
    data = packaged_data()
    data["rules"] = [
        r for r in data["rules"] if (r["appeal_type"], r["action"]) != ("message", "redirect")
    ]
    with pytest.raises(ValidationError, match=r"rules missing: \[\('message', 'redirect'\)\]"):
        load_changed(tmp_path, data)


def test_a_rule_given_twice_is_rejected(tmp_path: Path) -> None:
    data = packaged_data()
    data["rules"].append(dict(data["rules"][0]))
    with pytest.raises(ValidationError, match="rules given twice"):
        load_changed(tmp_path, data)


def test_an_assumption_without_a_note_is_rejected() -> None:
    base = {
        "appeal_type": "request",
        "action": "review",
        "working_days": 15,
        "counted_from": "registration",
        "source": "АППК РК",
    }
    assert DeadlineRule.model_validate(base).assumption is False
    with pytest.raises(ValidationError, match="needs a note"):
        DeadlineRule.model_validate({**base, "assumption": True})


def test_units_match_the_action() -> None:
    base = {"appeal_type": "request", "counted_from": "registration", "source": "АППК РК"}
    with pytest.raises(ValidationError, match="working_days, not calendar_months"):
        DeadlineRule.model_validate({**base, "action": "review", "calendar_months": 1})
    with pytest.raises(ValidationError, match="calendar_months, not working_days"):
        DeadlineRule.model_validate({**base, "action": "extension", "working_days": 40})


def test_the_packaged_rules_are_cached(rules: DeadlineRules) -> None:
    assert load_deadline_rules() is rules


def test_the_table_joins_to_deadlines(rules: DeadlineRules) -> None:
    table = rules.table()
    assert table.column("appeal_type").to_pylist() == list(APPEAL_TYPE_CODES)
    assert table.schema.field("review_working_days").type == pa.int32()
    calendar = WorkingCalendar.build(date(2025, 1, 1), date(2025, 12, 31), overrides=())
    appeals = pa.table(
        {
            "appeal_id": ["a1", "a2"],
            "appeal_type": ["application", "complaint"],
            "registered": pa.array([date(2025, 3, 14), date(2025, 3, 20)], pa.date32()),
        }
    )
    days = calendar.table().select(["date", "wd"]).rename_columns(["registered", "wd"])
    joined = appeals.join(days, "registered").join(table, "appeal_type")
    due = pc.add(joined.column("wd"), joined.column("review_working_days"))
    joined = joined.append_column("due_wd", due.cast(pa.int32()))
    index = calendar.working_day_index().rename_columns(["due_wd", "review_deadline"])
    result = joined.join(index, "due_wd").sort_by("appeal_id")
    # 14 March + 15 working days skips Nauryz (21–25 March): 9 April. 20 March + 15:
    # 26, 27, 28, 31 March, 1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15 April.
    assert result.column("review_deadline").to_pylist() == [date(2025, 4, 9), date(2025, 4, 15)]


def test_every_rule_is_a_row_of_the_docs(rules: DeadlineRules) -> None:
    text = (ROOT / "docs/working-days.md").read_text(encoding="utf-8")
    for rule in rules.rules:
        days = str(rule.working_days) if rule.working_days is not None else "—"
        months = str(rule.calendar_months) if rule.calendar_months is not None else "—"
        flag = "yes" if rule.assumption else "no"
        row = (
            f"| `{rule.appeal_type}` | `{rule.action}` | {days} | {months} | {rule.source} "
            f"| {flag} |"
        )
        assert row in text, row
