"""The portal's pages: what the public reads, in which language, and the security every
response and form carries."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from ashyq.i18n.grammar import number
from ashyq.index.engine import IndexResult
from tests.portal_support import SeededPortal, csrf, post_form

PUBLIC_PAGES = (
    "/rankings",
    "/rankings?level=MIO",
    "/bodies/mf",
    "/methodology",
    "/statistics",
    "/open-data",
    "/login",
)


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_carry_the_security_headers(read_only_portal: SeededPortal, page: str) -> None:
    response = read_only_portal.client().get(page)
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_every_asset_is_served_by_the_portal_itself() -> None:
    templates = resources.files("ashyq.web").joinpath("templates")
    sources = []
    for entry in templates.iterdir():
        if entry.name.endswith(".html"):
            sources.append(entry.read_text(encoding="utf-8"))
    for entry in templates.joinpath("workspace").iterdir():
        sources.append(entry.read_text(encoding="utf-8"))
    text = "\n".join(sources)
    assert not re.search(r"""(src|href)=["'](https?:)?//""", text)
    assert "/static/vendor/htmx-2.0.11.min.js" in text


def test_vendored_htmx_is_served(read_only_portal: SeededPortal) -> None:
    response = read_only_portal.client().get("/static/vendor/htmx-2.0.11.min.js")
    assert response.status_code == 200
    assert "htmx" in response.text[:2000]


def test_rankings_show_each_level_with_grades_and_filters(
    read_only_portal: SeededPortal, result_2025: IndexResult
) -> None:
    client = read_only_portal.client()
    page = client.get("/rankings?level=MIO&lang=en").text
    top = next(r for r in result_2025.bodies if r.body.level.value == "MIO" and r.rank == 1)
    assert top.body.short_en in page
    assert str(top.total) in page  # 96.15, English decimal point
    filtered = client.get("/rankings?level=MIO&grade=B&lang=en").text
    graded_b = [r for r in result_2025.bodies if r.body.level.value == "MIO" and r.grade == "B"]
    assert f"Shown: {len(graded_b)} of 20 bodies." in filtered
    for result in graded_b:
        assert result.body.short_en in filtered
    assert top.body.short_en not in filtered


def test_russian_is_the_default_with_the_decimal_comma(
    read_only_portal: SeededPortal, result_2025: IndexResult
) -> None:
    client = read_only_portal.client()
    page = client.get("/rankings?level=MIO").text
    assert '<html lang="ru">' in page
    top = next(r for r in result_2025.bodies if r.body.level.value == "MIO" and r.rank == 1)
    assert str(top.total).replace(".", ",") in page
    # The language chosen once is kept by a cookie on the next pages.
    client.get("/rankings?lang=kk")
    assert '<html lang="kk">' in client.get("/methodology").text


def test_a_body_page_shows_indicators_against_their_max_with_facts(
    read_only_portal: SeededPortal, result_2025: IndexResult
) -> None:
    page = read_only_portal.client().get("/bodies/mf?lang=en").text
    mf = result_2025.for_body("mf")
    assert f"{mf.total} / 100" in page
    timeliness = mf.indicators["review_timeliness"]
    assert f"{timeliness.score} / {timeliness.indicator.max}" in page
    assert "seed 003 (2025)" in page  # the provenance of each score
    assert f'class="level level--{timeliness.level}"' in page


def test_pages_show_every_score_exactly_as_the_report_and_the_cli(
    read_only_portal: SeededPortal, result_2025: IndexResult
) -> None:
    # МП's total is 79,085 in the report, the CLI and the open data: sums of scores keep
    # every decimal they have, and pages never round them again (to 79,08 or 79,09).
    client = read_only_portal.client()
    mp = result_2025.for_body("mp")
    assert str(mp.total) == "79.085"
    rankings = client.get("/rankings?level=CGO").text
    body = client.get("/bodies/mp").text
    for page in (rankings, body):
        assert "79,085" in page and "79,08<" not in page and "79,09<" not in page
    for result in result_2025.bodies:
        level = client.get(f"/rankings?level={result.body.level.value}").text
        assert f">{number(result.total, 'ru')}<" in level, result.body.code
    for criterion in mp.criteria.values():
        assert number(criterion.score, "ru") in body


def test_a_low_rated_body_is_marked_as_owing_a_roadmap(
    read_only_portal: SeededPortal, result_2025: IndexResult
) -> None:
    low = next(r for r in result_2025.bodies if r.grade == "B")
    page = read_only_portal.client().get(f"/bodies/{low.body.code}?lang=en").text
    assert "must approve and publish a roadmap" in page


def test_unknown_bodies_and_periods_are_404_pages(read_only_portal: SeededPortal) -> None:
    client = read_only_portal.client()
    assert client.get("/bodies/atlantis").status_code == 404
    assert client.get("/rankings?period=2026").status_code == 404  # not published
    assert client.get("/rankings?period=1999").status_code == 404


def test_downloads_are_the_published_table_in_three_formats(
    read_only_portal: SeededPortal, result_2025: IndexResult
) -> None:
    client = read_only_portal.client()
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/2025/v1/results.csv").text)))
    assert len(rows) == 49
    by_body = {row["body"]: row for row in rows}
    for result in result_2025.bodies:
        assert Decimal(by_body[result.body.code]["total"]) == result.total
        assert by_body[result.body.code]["grade"] == result.grade
    as_json = client.get("/open-data/2025/v1/indicators.json").json()
    assert len(as_json["rows"]) == 49 * 20
    workbook = load_workbook(io.BytesIO(client.get("/open-data/2025/v1/results.xlsx").content))
    try:
        assert workbook.active is not None
        assert workbook.active.max_row == 50
    finally:
        workbook.close()
    assert client.get("/open-data/2025/v9/results.csv").status_code == 404


def test_the_data_package_describes_every_published_table(read_only_portal: SeededPortal) -> None:
    client = read_only_portal.client()
    package = client.get("/open-data/datapackage.json").json()
    assert package["profile"] == "tabular-data-package"
    names = {resource["name"] for resource in package["resources"]}
    assert names == {"results-2025-v1", "indicators-2025-v1"}
    for resource in package["resources"]:
        table = list(csv.reader(io.StringIO(client.get(f"/open-data/{resource['path']}").text)))
        fields = [field["name"] for field in resource["schema"]["fields"]]
        assert table[0] == fields  # the schema names exactly the columns of the file
        kinds = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
        for row in table[1:]:
            for name, value in zip(fields, row, strict=True):
                if kinds[name] == "number" and value:
                    Decimal(value)
                if kinds[name] == "integer":
                    int(value)


def test_the_data_package_passes_the_frictionless_validator(
    read_only_portal: SeededPortal, tmp_path: Path
) -> None:
    # The package as a reader downloads it: the descriptor and its tables, whose paths are
    # relative to it (as on the portal, where both sit under /open-data/).
    from frictionless import validate

    client = read_only_portal.client()
    package = client.get("/open-data/datapackage.json").json()
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    for resource in package["resources"]:
        assert resource["profile"] == "tabular-data-resource"
        assert "://" not in resource["path"] and not resource["path"].startswith("/")
        target = tmp_path / resource["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(client.get(f"/open-data/{resource['path']}").content)
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["type", "note"])


def test_a_forged_host_header_reaches_no_one(read_only_portal: SeededPortal) -> None:
    # The package names its tables by relative paths: a request with another Host cannot
    # put that host into it, neither for itself nor, through the public cache, for others.
    client = read_only_portal.client()
    forged = client.get("/open-data/datapackage.json", headers={"Host": "evil.example"})
    honest = client.get("/open-data/datapackage.json")
    for answer in (forged, honest):
        assert answer.status_code == 200
        assert "evil.example" not in answer.text


def test_templates_use_only_the_valid_form_of_htmx_attributes() -> None:
    # HTML validators (the Nu checker) refuse unknown attributes such as hx-get; htmx reads
    # the same attributes prefixed with data-, which are valid HTML.
    templates = resources.files("ashyq.web").joinpath("templates")
    bare = [
        f"{path.name}: {found}"
        for path in _files(templates)
        for found in re.findall(r"(?<![\w-])hx-[a-z-]+=", path.read_text("utf-8"))
    ]
    assert bare == []


def _files(folder: Any) -> list[Any]:
    found = []
    for entry in folder.iterdir():
        found += _files(entry) if entry.is_dir() else [entry]
    return found


def test_methodology_page_is_generated_from_the_declaration(
    read_only_portal: SeededPortal, result_2025: IndexResult
) -> None:
    page = read_only_portal.client().get("/methodology?lang=en").text
    methodology = result_2025.methodology
    for indicator in methodology.indicators:
        assert indicator.name.en.replace("'", "&#39;") in page
        if indicator.source.assumption:
            assert "Assumption:" in page
    assert "seed 003, line 62" in page  # the roadmap rule and its source


def test_statistics_show_the_published_figures_with_their_source(
    read_only_portal: SeededPortal,
) -> None:
    page = read_only_portal.client().get("/statistics?lang=en").text
    assert "5,882,116" in page  # appeals in 2025, seed 003 line 153
    assert "seed 003, line 153" in page
    assert "292,500,000" in page  # public services, seed 000
    assert page.count("<svg") == 2


def test_signed_out_workspace_pages_send_to_the_sign_in_form(
    read_only_portal: SeededPortal,
) -> None:
    response = read_only_portal.client().get("/workspace/periods/2026", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/workspace/periods/2026"


def test_sign_in_sets_an_httponly_samesite_cookie_and_returns_to_the_page(
    portal: SeededPortal,
) -> None:
    client = portal.client()
    response = post_form(
        client,
        "/login",
        {"username": "analyst", "password": portal.passwords["analyst"], "next": "/admin/x"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/x"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("ashyq_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    # Never an open redirect to another site.
    again = post_form(
        portal.client(),
        "/login",
        {"username": "analyst", "password": portal.passwords["analyst"], "next": "//evil.test"},
    )
    assert again.headers["location"] == "/workspace"


def test_forms_without_the_csrf_token_are_refused(portal: SeededPortal) -> None:
    client = portal.signed_in("analyst")
    refused = client.post("/workspace/periods/2026/move", data={}, follow_redirects=False)
    assert refused.status_code == 403
    forged = client.post(
        "/workspace/periods/2026/move", data={"csrf_token": "forged"}, follow_redirects=False
    )
    assert forged.status_code == 403
    accepted = post_form(client, "/workspace/periods/2026/move", {})
    assert accepted.status_code == 303
    state = client.get("/api/v1/cycle/periods").json()
    assert {p["period"]: p["state"] for p in state}[2026] == "consolidation"


def test_a_wrong_password_is_refused_and_repeated_failures_are_limited(
    portal: SeededPortal,
) -> None:
    client = portal.client()
    for _ in range(5):
        wrong = post_form(client, "/login", {"username": "mf", "password": "guess"})
        assert wrong.status_code == 401
    limited = post_form(client, "/login", {"username": "mf", "password": portal.passwords["mf"]})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0


def test_the_analyst_sees_drafts_the_public_never_does(portal: SeededPortal) -> None:
    analyst = portal.signed_in("analyst")
    assert 'id="h-drafts"' in analyst.get("/workspace/periods/2026").text
    draft = analyst.get("/api/v1/cycle/periods/2026/drafts/mf").json()
    assert draft["results"]["period"] == 2026
    public = portal.client()
    assert [p["period"] for p in public.get("/api/v1/periods").json()] == [2025]
    for url in (
        "/bodies/mf?period=2026",
        "/rankings?period=2026",
        "/api/v1/periods/2026/bodies/mf",
        "/api/v1/periods/2026/ranking",
        "/open-data/2026/v1/results.csv",
        "/workspace/periods/2026/bodies/mf",
    ):
        assert public.get(url, follow_redirects=False).status_code in {303, 404}, url
    assert 'id="h-drafts"' not in portal.signed_in("mf").get("/workspace/periods/2026").text


def test_the_admin_reads_the_audit_log(portal: SeededPortal) -> None:
    page = portal.signed_in("admin").get("/admin/audit?lang=en").text
    for action in ("create_account", "create_period", "upload_source_data", "publish_period"):
        assert action in page
    assert portal.signed_in("analyst").get("/admin/audit").status_code == 403


def test_the_api_describes_itself_without_a_cdn(read_only_portal: SeededPortal) -> None:
    client = read_only_portal.client()
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/periods/{period}/ranking" in spec["paths"]
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN
    assert json.dumps(spec).count("ErrorBody") > 10
    assert csrf(client)


def test_cached_public_pages_follow_publication_and_never_reach_signed_in_people(
    portal: SeededPortal,
) -> None:
    public = portal.client()
    assert "/rankings?period=2025" in public.get("/bodies/mf?lang=en").text
    analyst = portal.signed_in("analyst")
    signed_in_page = analyst.get("/bodies/mf?lang=en").text
    assert 'action="/logout"' in signed_in_page  # not the public copy
    assert post_form(analyst, "/workspace/periods/2026/move", {}).status_code == 303
    assert post_form(analyst, "/workspace/periods/2026/publish", {}).status_code == 303
    after = public.get("/bodies/mf?lang=en").text
    assert 'href="/bodies/mf?period=2026"' in after  # the new period, not the cached page
    assert 'action="/logout"' not in after


def test_a_submitted_roadmap_replaces_the_cached_body_page(portal: SeededPortal) -> None:
    public = portal.client()
    before = public.get("/bodies/karaganda?lang=en").text
    assert "none has been submitted yet" in before
    rep = portal.signed_in("rep-karaganda")
    submitted = rep.put(
        "/api/v1/cycle/periods/2025/roadmap",
        json={
            "approved_by": "Akim of Karaganda region",
            "approved_on": "2026-11-20",
            "measures": [
                {
                    "measure": "Answer every appeal within the APPK deadline",
                    "owner": "Head of the appeals office",
                    "due_on": "2027-03-31",
                    "indicator": "review_timeliness",
                }
            ],
        },
        headers={"X-CSRF-Token": csrf(rep)},
    )
    assert submitted.status_code == 200, submitted.text
    after = public.get("/bodies/karaganda?lang=en").text
    assert "Answer every appeal within the APPK deadline" in after


def test_public_pages_set_no_cookie_and_forms_get_their_token(
    read_only_portal: SeededPortal,
) -> None:
    client = read_only_portal.client()
    for page in ("/rankings", "/bodies/mf", "/methodology", "/open-data"):
        assert "set-cookie" not in client.get(page).headers, page
    login = client.get("/login")
    token = login.cookies.get("ashyq_csrf")
    assert token
    assert f'name="csrf_token" value="{token}"' in login.text


def test_an_attachment_reaches_its_body_and_the_analyst_only(portal: SeededPortal) -> None:
    rep = portal.signed_in("mf")
    filed = rep.post(
        "/api/v1/cycle/periods/2026/disputes",
        data={"indicator": "open_budget", "justification": "Бюджет опубликован вовремя."},
        files={"attachments": ("Справка МФ.pdf", b"%PDF-1.4 letter", "application/pdf")},
        headers={"X-CSRF-Token": csrf(rep)},
    )
    assert filed.status_code == 201, filed.text
    dispute = filed.json()["id"]
    page = rep.get(f"/workspace/disputes/{dispute}").text
    link = re.search(rf'href="(/workspace/disputes/{dispute}/attachments/\d+)"', page)
    assert link is not None
    for reader in (rep, portal.signed_in("analyst")):
        download = reader.get(link[1])
        assert download.status_code == 200
        assert download.content == b"%PDF-1.4 letter"
        assert "filename*=UTF-8''%D0%A1%D0%BF%D1%80" in download.headers["content-disposition"]
    assert portal.signed_in("rep-karaganda").get(link[1]).status_code == 404
    assert portal.client().get(link[1], follow_redirects=False).status_code == 303
