"""The reports on the portal: generated from the published snapshot, once per version,
language and format; nothing for a period that is not published."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
from docx import Document

from ashyq.index.engine import IndexResult
from ashyq.web.reports import REPORT_CSP
from tests.portal_support import SeededPortal
from tests.report_support import sheets_by_caption


def _published_totals(portal: SeededPortal) -> dict[str, Decimal]:
    client = portal.client()
    ranking = client.get("/api/v1/periods/2025/ranking", params={"level": "MIO"}).json()
    return {row["body"]: Decimal(str(row["total"])) for row in ranking["rows"]}


def test_the_annual_report_reads_the_published_snapshot(read_only_portal: SeededPortal) -> None:
    client = read_only_portal.client()
    answer = client.get("/reports/2025/openness.xlsx", params={"lang": "en"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "openness-2025-en.xlsx" in answer.headers["content-disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(answer.content))
    final = sheets_by_caption(workbook)["Final results of the Openness Index, MIO"]
    rows = list(final.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 20
    totals = _published_totals(read_only_portal)
    names = {row[1]: row for row in rows}
    assert len(names) == 20 and len(totals) == 20
    for row in rows:
        assert Decimal(str(row[-2])) in set(totals.values())
    # Generated once: the file is kept under the snapshot's digest.
    kept = list((read_only_portal.home / "portal" / "reports").glob("*/openness-2025-en.xlsx"))
    assert len(kept) == 1
    again = client.get("/reports/2025/openness.xlsx", params={"lang": "en"})
    assert again.content == answer.content


def test_the_web_report_is_a_self_contained_page(read_only_portal: SeededPortal) -> None:
    answer = read_only_portal.client().get("/reports/2025/openness.html", params={"lang": "kk"})
    assert answer.status_code == 200
    assert answer.headers["content-security-policy"] == REPORT_CSP
    assert '<html lang="kk">' in answer.text
    assert "Ашықтық индексі" in answer.text
    assert "http://" not in answer.text and "https://" not in answer.text


def test_a_scorecard_of_a_published_body(read_only_portal: SeededPortal) -> None:
    client = read_only_portal.client()
    answer = client.get("/reports/2025/scorecards/almaty.docx", params={"lang": "ru"})
    assert answer.status_code == 200
    document = Document(io.BytesIO(answer.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Алматы" in document.core_properties.title or "Алматы" in text
    pdf = client.get("/reports/2025/scorecards/almaty.pdf", params={"lang": "en"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("inline")


def test_no_report_for_what_is_not_published(read_only_portal: SeededPortal) -> None:
    client = read_only_portal.client()
    assert client.get("/reports/2026/openness.pdf").status_code == 404  # open for disputes
    assert client.get("/reports/2019/openness.pdf").status_code == 404
    assert client.get("/reports/2025/openness.odt").status_code == 404
    assert client.get("/reports/2025/scorecards/nowhere.pdf").status_code == 404


def test_pages_link_the_reports(read_only_portal: SeededPortal) -> None:
    client = read_only_portal.client()
    ranking = client.get("/rankings", params={"period": 2025, "lang": "en"}).text
    assert "/reports/2025/openness.pdf?lang=en" in ranking
    body = client.get("/bodies/almaty", params={"period": 2025, "lang": "en"}).text
    assert "/reports/2025/scorecards/almaty.pdf?lang=en" in body


def test_the_roadmap_form_is_pre_filled_with_the_scorecard_draft(
    read_only_portal: SeededPortal, result_2025: IndexResult
) -> None:
    page = read_only_portal.signed_in("rep-karaganda").get(
        "/workspace/periods/2025/roadmap", params={"lang": "en"}
    )
    assert page.status_code == 200
    html = page.text
    assert "pre-filled from the scorecard" in html
    lost = {
        indicator_id
        for indicator_id, indicator in result_2025.for_body("karaganda").indicators.items()
        if indicator.points_lost > 0
    }
    selected = set(re.findall(r'<option value="(\w+)" selected>', html))
    assert selected and selected <= lost
    first = re.search(r'<textarea id="measure_1"[^>]*>([^<]+)</textarea>', html)
    assert first is not None and first.group(1).strip()
    assert 'value="2026-06-30"' in html  # due at the end of the next year's second quarter
