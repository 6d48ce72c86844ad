"""The docs say what the code does: every declared item is documented, the README is run by CI."""

from __future__ import annotations

import re
from pathlib import Path

from ashyq.index.inputs import field_specs
from ashyq.index.methodology import Methodology
from ashyq.settings import PREFIX, Settings
from ashyq.web.limits import LIMITS

ROOT = Path(__file__).parents[1]


def test_every_indicator_criterion_and_formula_kind_is_documented(methodology: Methodology) -> None:
    text = (ROOT / "docs/methodology.md").read_text(encoding="utf-8")
    for criterion in methodology.criteria:
        assert f"`{criterion.id}`" in text, criterion.id
    for indicator in methodology.indicators:
        assert f"### `{indicator.id}`" in text, indicator.id
        section = text.split(f"### `{indicator.id}`", 1)[1].split("\n### ", 1)[0]
        assert f"`{indicator.formula.kind}`" in section, indicator.id
        if indicator.source.assumption:
            assert "**Assumption:**" in section, f"{indicator.id}: its assumption is not documented"
    for kind in {i.formula.kind for i in methodology.indicators}:
        assert f"| `{kind}` |" in text, kind


def test_grades_and_categories_in_the_docs_match_the_file(methodology: Methodology) -> None:
    text = (ROOT / "docs/methodology.md").read_text(encoding="utf-8")
    bounds = [b.bound for b in methodology.grades.bands if b.bound is not None]
    assert [int(b) for b in bounds] == [95, 90, 85, 80, 65, 50]
    assert "BB from 65, B from\n50" in text or "BB from 65, B from 50" in text
    for criterion in methodology.criteria:
        a, b = (band.bound for band in criterion.categories.bands[:2])
        assert re.search(rf"`{criterion.id}` \| {a} \| {b} \|", text), criterion.id


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    commands = re.findall(r"^(\./scripts/\w+)\s*$", readme, flags=re.MULTILINE)
    assert commands[:2] == ["./scripts/demo", "./scripts/test"]
    steps = [line for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert steps[-1] == "./scripts/test"  # the README's test command, run last, unchanged


def test_architecture_names_every_package() -> None:
    text = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    packages = sorted(
        p.name for p in (ROOT / "src/ashyq").iterdir() if p.is_dir() and not p.name.startswith("_")
    )
    for package in packages:
        assert f"ashyq/{package}" in text, package


def test_every_input_column_is_documented(methodology: Methodology) -> None:
    text = (ROOT / "docs/data-formats.md").read_text(encoding="utf-8")
    for name, spec in field_specs(methodology).items():
        row = re.search(rf"^\| `{name}` \| (.+?) \| (\w+) \| (.+) \|$", text, flags=re.MULTILINE)
        assert row, f"{name} is not documented in docs/data-formats.md"
        assert row.group(2) == spec.authority.upper(), name
        users = [i.id for i in methodology.indicators if name in i.input_fields]
        assert all(f"`{user}`" in row.group(3) for user in users), name


def test_data_formats_lists_every_record_field() -> None:
    from ashyq.kinds import all_kinds, markdown_fields

    text = (ROOT / "docs/data-formats.md").read_text(encoding="utf-8")
    for kind in all_kinds():
        assert f"### `{kind.name}`" in text, kind.name
        # The table is the model's, word for word (kinds.markdown_fields).
        assert markdown_fields(kind) in text, kind.name


def test_table_schema_files_are_generated_from_the_model() -> None:
    import json

    from ashyq.kinds import SCHEMA_DIRECTORY, all_kinds

    for kind in all_kinds():
        path = SCHEMA_DIRECTORY / f"{kind.name}.schema.json"
        # Regenerate with: python -m ashyq.kinds
        assert json.loads(path.read_text(encoding="utf-8")) == kind.table_schema(), path
    listed = {path.name for path in SCHEMA_DIRECTORY.glob("*.schema.json")}
    assert listed == {f"{kind.name}.schema.json" for kind in all_kinds()}


def test_methodology_documents_every_count_from_records() -> None:
    from ashyq.appeals.indicators import COUNTS

    text = (ROOT / "docs/methodology.md").read_text(encoding="utf-8")
    for spec in COUNTS:
        assert f"`{spec.name}`" in text, spec.name


def test_violations_doc_lists_every_type_of_the_catalogue() -> None:
    from ashyq.services.catalogue import load_catalogue

    text = (ROOT / "docs/violations.md").read_text(encoding="utf-8")
    for violation_type in load_catalogue().types:
        section = text.split(f"### `{violation_type.id}`\n", 1)
        assert len(section) == 2, violation_type.id
        body = section[1].split("\n### ", 1)[0]
        for name in (violation_type.names.ru, violation_type.names.kk, violation_type.names.en):
            assert name in body, (violation_type.id, name)
        assert violation_type.norm.ru in body, violation_type.id
        # The evidence a violation carries, as the catalogue lists it, in its order.
        evidence = ", ".join(f"`{name}`" for name in violation_type.evidence)
        assert f"- **Evidence** {evidence}\n" in body, violation_type.id


def test_every_limit_of_the_portal_is_documented() -> None:
    text = (ROOT / "docs/security.md").read_text(encoding="utf-8")
    for name, _value in LIMITS.as_rows():
        assert f"| `{name}` |" in text, f"{name} is not in docs/security.md"


def test_every_setting_is_documented_and_no_other() -> None:
    text = (ROOT / "docs/settings.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `(ASHYQ_[A-Z_]+)` \|", text, re.MULTILINE)
    declared = [f"{PREFIX}{name.upper()}" for name in Settings.model_fields]
    assert documented == declared
    for field in Settings.model_fields.values():
        assert field.description, "every setting says what it sets (ashyq settings shows it)"


def test_the_public_service_examples_ingest_and_detect_as_documented(tmp_path: Path) -> None:
    """Every complete CSV example of docs/data-formats.md's public-service section lands
    whole, and detection finds in them what the text says it finds."""
    import ibis

    from ashyq.periods import Period
    from ashyq.records.ingest import ingest
    from ashyq.records.store import RecordStore
    from ashyq.services.detect import detect, open_period
    from ashyq.services.model import KINDS

    text = (ROOT / "docs/data-formats.md").read_text(encoding="utf-8")
    section = text[
        text.index("## Public-service records") : text.index("## The violation registry")
    ]
    blocks = [b for b in re.findall(r"```csv\n(.*?)```", section, flags=re.DOTALL) if "…" not in b]
    assert len(blocks) >= 4
    store, period = RecordStore(tmp_path / "home"), Period.parse("2025")
    # The registry first: deliveries find their service in it.
    blocks.sort(key=lambda block: not block.startswith("service_code"))
    for number, block in enumerate(blocks):
        path = tmp_path / f"example-{number}.csv"
        path.write_text(block, encoding="utf-8")
        report = ingest(path, period, KINDS, store=store)
        assert report.problems == (), [p.render("en") for p in report.problems]
        assert report.stored == block.count("\n") - 1
    con = ibis.duckdb.connect()
    found = con.to_pyarrow(detect(open_period(period, con, store))).to_pylist()
    assert sorted((row["delivery_id"], row["violation_type"]) for row in found) == [
        ("ГУ-2025-0000802", "incomplete_package_granted"),
        ("ГУ-2025-0004411", "excess_documents_at_registration"),
    ]
