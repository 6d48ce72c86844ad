"""The annual Openness Index report: generated in ru, kk and en, in every format, and read
back with python-docx, openpyxl and pypdf; the first PDF pages are kept as PNG artefacts."""

from __future__ import annotations

import dataclasses
import io
import re
import uuid
import zipfile
from decimal import Decimal
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
import yaml
from docx import Document
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from typer.testing import CliRunner

from ashyq.bodies import Level
from ashyq.cli import app
from ashyq.i18n import LANGUAGES, Lang
from ashyq.i18n.grammar import number, quantity
from ashyq.index.engine import IndexResult
from ashyq.reports.fonts import KAZAKH_LETTERS, font_faces
from ashyq.reports.model import Chart, Report, Table
from ashyq.reports.openness import OpennessData, build_openness_report, fact_phrase
from ashyq.reports.render import REPORT_RENDERERS
from ashyq.reports.render.docx import obfuscate_font
from ashyq.reports.sources import published_openness
from ashyq.results.document import previous_of, results_payload
from tests.report_support import (
    LEFTOVERS,
    check_docx,
    check_pdf,
    check_xlsx,
    plain,
    report_texts,
    sheets_by_caption,
)
from tests.validators import libreoffice_pdf, qpdf_check


@pytest.fixture(scope="module")
def data_2025() -> OpennessData:
    return published_openness(2025)


@pytest.fixture(scope="module")
def reports(data_2025: OpennessData) -> dict[Lang, Report]:
    return {lang: build_openness_report(data_2025, lang) for lang in LANGUAGES}


@pytest.fixture(scope="module")
def files(reports: dict[Lang, Report]) -> dict[tuple[Lang, str], bytes]:
    return {
        (lang, name): renderer.render(report)
        for lang, report in reports.items()
        for name, renderer in REPORT_RENDERERS.items()
    }


def _docx_text(data: bytes) -> tuple[str, list[list[list[str]]]]:
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    return text, tables


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _report_text(report: Report) -> str:
    return plain("\n".join(report_texts(report)))


def test_the_font_has_every_kazakh_letter() -> None:
    for face in font_faces():
        cmap = TTFont(face.path).getBestCmap()
        assert all(ord(letter) in cmap for letter in KAZAKH_LETTERS), face.path


def _indicator_table(report: Report, key: str) -> Table:
    return next(t for t in report.tables() if t.key == key)


def test_structure_follows_the_published_report(reports: dict[Lang, Report]) -> None:
    report = reports["ru"]
    anchors = [h.anchor for h in report.headings() if h.level == 1]
    assert anchors == [
        "introduction",
        "statistics",
        "appk_compliance",
        "open_government",
        "public_feedback",
        "internal_control",
        "conclusions",
    ]
    keys = {t.key for t in report.tables()}
    methodology = published_openness(2025).result.methodology
    ids = [i.id for i in methodology.indicators] + [c.id for c in methodology.criteria]
    for item in ids:
        assert {f"{item}_CGO", f"{item}_MIO"} <= keys


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tables_hold_every_body_with_its_score(
    reports: dict[Lang, Report], result_2025: IndexResult, lang: Lang
) -> None:
    report = reports[lang]
    for indicator in result_2025.methodology.indicators:
        for level, size in ((Level.CGO, 29), (Level.MIO, 20)):
            table = _indicator_table(report, f"{indicator.id}_{level.value}")
            assert len(table.rows) == size
            for row in table.rows:
                code = row[1].value
                assert isinstance(code, str)
                expected = result_2025.for_body(code).indicators[indicator.id]
                assert row[2].value == expected.score
                assert row[2].text == number(expected.score, lang)
                assert row[3].value == expected.level
    finals = [_indicator_table(report, f"total_{level.value}") for level in Level]
    assert [len(t.rows) for t in finals] == [29, 20]
    for row in finals[0].rows + finals[1].rows:
        assert isinstance(row[1].value, str)
        assert row[-2].value == result_2025.for_body(row[1].value).total


@pytest.mark.parametrize("lang", LANGUAGES)
def test_docx_reads_back(
    files: dict[tuple[Lang, str], bytes],
    reports: dict[Lang, Report],
    result_2025: IndexResult,
    lang: Lang,
) -> None:
    check_docx(reports[lang], files[lang, "docx"])
    text, tables = _docx_text(files[lang, "docx"])
    sizes = [len(t) - 1 for t in tables]
    # 20 indicators, 4 criteria and the final table, for each level.
    assert sizes.count(29) == 25 and sizes.count(20) == 25
    cells = "\n".join("\t".join(row) for t in tables for row in t)
    for body in result_2025.bodies:
        assert body.body.short(lang) in cells, body.body.code
    gp = result_2025.for_body("gp").indicators["review_timeliness"].score
    assert f"{result_2025.for_body('gp').body.short(lang)}\t{number(gp, lang)}" in cells
    assert not LEFTOVERS.search(text + cells)
    document = Document(io.BytesIO(files[lang, "docx"]))
    xml = document.element.xml
    assert "TOC \\o" in xml  # the contents field
    assert document.styles["Normal"].font.name == "DejaVu Sans"
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


def test_docx_embeds_the_font_with_every_kazakh_letter(
    files: dict[tuple[Lang, str], bytes],
) -> None:
    with zipfile.ZipFile(io.BytesIO(files["kk", "docx"])) as archive:
        table = archive.read("word/fontTable.xml").decode("utf-8")
        settings = archive.read("word/settings.xml").decode("utf-8")
        keys = re.findall(r'<w:embed(\w+) r:id="(rId\d+)" w:fontKey="\{([0-9A-F-]+)\}"', table)
        assert {kind for kind, _, _ in keys} == {"Regular", "Bold", "Italic", "BoldItalic"}
        targets = dict(
            re.findall(
                r'Id="(rId\d+)"[^>]*Target="([^"]+)"',
                archive.read("word/_rels/fontTable.xml.rels").decode(),
            )
        )
        for _, relation, key in keys:
            data = obfuscate_font(archive.read(f"word/{targets[relation]}"), uuid.UUID(key))
            cmap = TTFont(io.BytesIO(data)).getBestCmap()
            assert all(ord(letter) in cmap for letter in KAZAKH_LETTERS)
    assert "<w:embedTrueTypeFonts/>" in settings


@pytest.mark.parametrize("lang", LANGUAGES)
def test_xlsx_reads_back(
    files: dict[tuple[Lang, str], bytes],
    reports: dict[Lang, Report],
    result_2025: IndexResult,
    lang: Lang,
) -> None:
    check_xlsx(reports[lang], files[lang, "xlsx"])
    workbook = openpyxl.load_workbook(io.BytesIO(files[lang, "xlsx"]))
    sheets = sheets_by_caption(workbook)
    by_key = {table.key: sheets[table.caption] for table in reports[lang].tables()}
    sheet = by_key["review_timeliness_CGO"]
    assert sheet.freeze_panes == "B2"
    assert next(iter(sheet.tables.values())).ref == "A1:D30"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 29
    names = {b.body.short(lang): b for b in result_2025.bodies}
    for _, name, score, _ in rows:
        assert isinstance(score, int | float) and isinstance(name, str)
        expected = names[name].indicators["review_timeliness"].score
        assert Decimal(str(score)) == expected
    assert sheet["C2"].number_format == "#,##0.00"
    rules = [r for cf in sheet.conditional_formatting for r in cf.rules]
    assert len(rules) >= 8  # four levels on the score column, four on the level column
    assert len(list(by_key["review_timeliness_MIO"].iter_rows(min_row=2))) == 20
    inputs = sheets[reports[lang].data_sheets[0].title]
    header = [c.value for c in inputs[1]]
    assert len(header) == 6 and inputs.max_row > 49 * 20
    text = "\n".join(
        str(v) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for v in row
    )
    assert not LEFTOVERS.search(text.replace("\nNone", "\n"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_reads_back_and_renders(
    files: dict[tuple[Lang, str], bytes],
    reports: dict[Lang, Report],
    result_2025: IndexResult,
    lang: Lang,
) -> None:
    data = files[lang, "pdf"]
    text = plain(_pdf_text(data))
    for body in result_2025.bodies:
        assert plain(body.body.short(lang)) in text, body.body.code
    assert not LEFTOVERS.search(text)
    reader = PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert f"2 / {pages}" in reader.pages[1].extract_text()
    fonts = set()
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        for font in resources.get("/Font", DictionaryObject()).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts and all(name.startswith("DejaVu-Sans") for name in fonts), fonts
    if lang == "kk":
        # Every Kazakh letter the report uses comes back out of the PDF as text.
        used = set(KAZAKH_LETTERS.lower()) & set(_report_text(reports[lang]).lower())
        assert len(used) >= 8
        assert used <= set(text.lower())
    check_pdf(reports[lang], data, f"openness-2025-{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_is_self_contained(files: dict[tuple[Lang, str], bytes], lang: Lang) -> None:
    html = files[lang, "html"].decode("utf-8")
    assert f'<html lang="{lang}">' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "data:font/ttf;base64," in html and "data:image/svg+xml;base64," in html
    assert not LEFTOVERS.search(re.sub(r"<style>.*?</style>", "", html, flags=re.S))


# (violations, reviewed): the forms of 1, 2, 5, 11, 21 and 22 and of the total after "из".
PHRASES = {
    1: (
        "1 нарушение сроков из 21 рассмотренного обращения",
        "21 қаралған өтініштен 1 мерзім бұзушылығы",
        "1 breach of deadline out of 21 reviewed appeals",
    ),
    2: (
        "2 нарушения сроков из 22 рассмотренных обращений",
        "22 қаралған өтініштен 2 мерзім бұзушылығы",
        "2 breaches of deadline out of 22 reviewed appeals",
    ),
    5: (
        "5 нарушений сроков из 25 рассмотренных обращений",
        "25 қаралған өтініштен 5 мерзім бұзушылығы",
        "5 breaches of deadline out of 25 reviewed appeals",
    ),
    11: (
        "11 нарушений сроков из 31 рассмотренного обращения",
        "31 қаралған өтініштен 11 мерзім бұзушылығы",
        "11 breaches of deadline out of 31 reviewed appeals",
    ),
    21: (
        "21 нарушение сроков из 41 рассмотренного обращения",
        "41 қаралған өтініштен 21 мерзім бұзушылығы",
        "21 breaches of deadline out of 41 reviewed appeals",
    ),
    22: (
        "22 нарушения сроков из 42 рассмотренных обращений",
        "42 қаралған өтініштен 22 мерзім бұзушылығы",
        "22 breaches of deadline out of 42 reviewed appeals",
    ),
}


@pytest.mark.parametrize("count", sorted(PHRASES))
def test_fact_phrases_agree_with_their_numbers(count: int) -> None:
    known = {"reviewed_late": Decimal(count), "reviewed_total": Decimal(count + 20)}
    spelled = tuple(plain(fact_phrase("review_timeliness", known, lang)) for lang in LANGUAGES)
    assert spelled == PHRASES[count]


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 государственный орган"), (2, "2 государственных органа"),
     (5, "5 государственных органов"), (11, "11 государственных органов"),
     (21, "21 государственный орган"), (22, "22 государственных органа")],
)  # fmt: skip
def test_counts_of_bodies_agree(count: int, expected: str) -> None:
    assert plain(quantity(count, "body", "ru")) == expected
    assert plain(quantity(count, "body", "kk")) == f"{count} мемлекеттік орган"


def test_findings_quote_the_facts_of_the_report(reports: dict[Lang, Report]) -> None:
    text = _report_text(reports["ru"])
    # Seed 003, line 356: "министерство здравоохранения – 1,96 балла (25 нарушений сроков
    # рассмотрения из 48 981 рассмотренных обращений)".
    assert "1,96 балла (25 нарушений сроков из 48 981 рассмотренного обращения)" in text
    assert "Оценены 29 ЦГО и 20 МИО." in text
    assert "5 882 116 обращений, что на 32,1% больше, чем в 2024 году (4 454 179)" in text


def test_cli_writes_every_language_and_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["report", "openness", "--period", "2025", "--lang", "en", "--format", "xlsx",
         "--out", str(tmp_path / "index.xlsx")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "index.xlsx").stat().st_size > 10_000
    wrong = CliRunner().invoke(
        app, ["report", "openness", "--period", "2025", "--format", "odt", "--lang", "en"]
    )
    assert wrong.exit_code == 2
    assert "Unknown format odt" in wrong.output
    missing = CliRunner().invoke(
        app, ["report", "openness", "--period", "2019", "--format", "html", "--lang", "en"]
    )
    assert missing.exit_code == 1
    assert "2019" in missing.output


def test_cli_rejects_a_bad_input_file_naming_the_cell(tmp_path: Path) -> None:
    bad = tmp_path / "input.csv"
    bad.write_text("body,review_timeliness\nМЗ,abc\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["report", "openness", "--period", "2025", "--lang", "en", "--format", "html",
         "--input", str(bad), "--out", str(tmp_path / "r.html")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "input.csv" in result.output and "abc" in result.output


def test_every_frame_is_declared_in_three_languages_and_used() -> None:
    texts = yaml.safe_load(
        resources.files("ashyq.reports").joinpath("openness.yaml").read_text("utf-8")
    )
    package = resources.files("ashyq.reports").joinpath("openness")
    code = "\n".join(
        part.read_text("utf-8") for part in package.iterdir() if part.name.endswith(".py")
    )
    called = set(re.findall(r'\bt\(\s*"(\w+)"', code))
    assert called
    assert called <= set(texts["frames"])
    unused = [key for key in texts["frames"] if f'"{key}"' not in code]
    assert not unused
    for key, frame in texts["frames"].items():
        assert set(frame) == {"ru", "kk", "en"}, key
        fields = {lang: set(re.findall(r"\{(\w+)\}", text)) for lang, text in frame.items()}
        assert fields["ru"] == fields["kk"] == fields["en"], key
    methodology = published_openness(2025).result.methodology
    assert set(texts["recommendations"]) == {i.id for i in methodology.indicators}


def test_dynamics_name_the_bodies_that_moved(data_2025: OpennessData) -> None:
    before = previous_of(results_payload(data_2025.result, 2024))
    almaty = before["almaty"]
    before["almaty"] = dataclasses.replace(
        almaty,
        grade="BB",
        levels={**almaty.levels, "review_timeliness": "high"},
        indicators={**almaty.indicators, "review_timeliness": Decimal(4)},
    )
    data = dataclasses.replace(data_2025, previous=before, previous_period="2024")
    report = build_openness_report(data, "ru")
    text = _report_text(report)
    # Almaty fell from high to ineffective on review timeliness; nobody else moved.
    assert (
        "По сравнению с 2024 годом уровень повысили 0 государственных органов, понизили "
        "1 государственный орган, сохранили 48 государственных органов." in text
    )
    assert "Снизили уровень: Акимат города Алматы." in text
    assert any(isinstance(b, Chart) and b.key == "grade_dynamics" for b in report.blocks)
    assert "динамика не рассчитывается" not in text
    assert "динамика не рассчитывается" in _report_text(build_openness_report(data_2025, "ru"))


# --- quotation marks -----------------------------------------------------------------------

_DOUBLED = re.compile(r"««|»»|“{2}|”{2}|«[^«»]*«[^»]*»[^«»]*»")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_quotation_mark_is_doubled(reports: dict[Lang, Report], lang: Lang) -> None:
    # A name that carries its own «» ("«e-Өтініш» білім базасы…") is quoted with the inner
    # pair turned into „“: «„e-Өтініш“ білім базасы…», never «««e-Өтініш» … or «…«…»…».
    doubled = [text for text in report_texts(reports[lang]) if _DOUBLED.search(text)]
    assert not doubled, doubled[:5]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pdf_is_tagged_for_assistive_technology(
    files: dict[tuple[Lang, str], bytes], lang: Lang, tmp_path: Path
) -> None:
    # PDF/UA-1: a structure tree of headings, paragraphs and tables, marked content, the
    # document's language and XMP metadata; and a file qpdf finds nothing wrong with.
    data = files[lang, "pdf"]
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"].get_object()
    assert isinstance(catalog, DictionaryObject)
    assert "/StructTreeRoot" in catalog
    marks = catalog["/MarkInfo"].get_object()
    assert isinstance(marks, DictionaryObject) and marks["/Marked"]
    assert "/Metadata" in catalog
    assert str(catalog["/Lang"]).startswith(lang)
    target = tmp_path / f"openness-{lang}.pdf"
    target.write_bytes(data)
    assert qpdf_check(target) == ""


def test_the_title_does_not_repeat_itself(reports: dict[Lang, Report]) -> None:
    # The seed's cover: «ИНДЕКС ОТКРЫТОСТИ / центральных государственных и местных
    # исполнительных органов … по итогам 2025 года»; title and subtitle read as one.
    for lang, report in reports.items():
        words = f"{report.title} {report.subtitle}".lower().split()
        phrases = [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]
        assert len(phrases) == len(set(phrases)), (lang, report.title, report.subtitle)


def test_libreoffice_prints_the_workbook_one_page_wide(
    files: dict[tuple[Lang, str], bytes], tmp_path: Path
) -> None:
    # Printed as it was when issue 20 was filed, the Russian workbook took 201 pages (its
    # tables cut into column strips); one page wide, header on every page, about 80.
    workbook = tmp_path / "openness-2025-ru.xlsx"
    workbook.write_bytes(files["ru", "xlsx"])
    pdf = PdfReader(libreoffice_pdf(workbook, tmp_path))
    assert len(pdf.pages) <= 90
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "««" not in text and "»»" not in text
