"""Every page of the portal and every HTML report passes the Nu HTML Checker (vnu).

The checker is the W3C's own (validator.w3.org/nu): it reads a page as a browser and an
assistive technology would, so an invalid attribute, a misplaced element or a broken id
reference is an error here, not just in a reader's tool.
"""

from __future__ import annotations

from pathlib import Path

from ashyq.i18n import LANGUAGES
from tests.portal_support import SeededPortal
from tests.validators import vnu_errors

PUBLIC = (
    "/",
    "/rankings",
    "/rankings?level=MIO",
    "/rankings?sort=total&order=asc",
    "/bodies/mf",
    "/bodies/almaty",
    "/methodology",
    "/statistics",
    "/open-data",
    "/monitoring",
    "/login",
)
# As the agency's analyst (an administrator sees the accounts and the audit log too).
ANALYST = (
    "/workspace",
    "/workspace/periods/2026",
    "/workspace/periods/2026/bodies/mf",
    "/workspace/ratings",
)
ADMIN = ("/admin/accounts", "/admin/audit")
REPORTS = (
    "/reports/2025/openness.html",
    "/reports/2025/scorecards/mf.html",
)


def test_every_page_and_html_report_is_valid(
    read_only_portal: SeededPortal, tmp_path: Path
) -> None:
    pages: dict[Path, str] = {}

    def keep(client: object, url: str, lang: str) -> None:
        answer = client.get(url, headers={"Accept-Language": lang}, params={"lang": lang})  # type: ignore[attr-defined]
        assert answer.status_code == 200, (url, answer.status_code)
        name = url.strip("/").replace("/", "_").replace("?", "_").replace("&", "_") or "home"
        target = tmp_path / f"{name}-{lang}.html"
        target.write_text(answer.text, encoding="utf-8")
        pages[target] = f"{url} ({lang})"

    public = read_only_portal.client()
    analyst = read_only_portal.signed_in("analyst")
    admin = read_only_portal.signed_in("admin")
    for lang in LANGUAGES:
        for url in PUBLIC + REPORTS:
            keep(public, url, lang)
        for url in ANALYST:
            keep(analyst, url, lang)
        for url in ADMIN:
            keep(admin, url, lang)
    errors = vnu_errors(sorted(pages))
    found = [
        f"{pages[Path(e['url'].removeprefix('file:'))]}:{e.get('lastLine')}: {e['message']}"
        for e in errors
    ]
    assert not found, "\n".join(found[:30]) + f"\n({len(found)} in all)"
