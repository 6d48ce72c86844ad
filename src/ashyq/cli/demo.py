"""``ashyq demo``: the 2025 ranking from the published reference data, and the workbook;
then the whole chain from synthetic e-Otinish records to grades, on the embedded DuckDB;
the public-service and public-monitoring chains; the reports; and the portal, seeded and
served."""

from __future__ import annotations

import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import sessionmaker

from ashyq.access.roles import ROLE_NAMES
from ashyq.appeals.model import KINDS
from ashyq.appeals.pipeline import body_counts, index_counts, open_period
from ashyq.bodies import load_bodies
from ashyq.cli.common import json_text, resolve_lang, serve_settings, write_reports
from ashyq.cli.options import HostOption, LangOption, PortOption
from ashyq.cycle.demo import seed_demo
from ashyq.db import make_engine, session_scope, upgrade
from ashyq.db.models import utcnow
from ashyq.home import Home
from ashyq.i18n import N_, Lang, translate
from ashyq.i18n.grammar import number as spell_number
from ashyq.index.engine import compute_index
from ashyq.index.inputs import read_index_input
from ashyq.index.methodology import load_methodology
from ashyq.index.published import load_published
from ashyq.index.reconcile import CheckKind, Status, reconcile
from ashyq.monitoring.bodies import load_monitored_bodies
from ashyq.monitoring.figures import open_survey, trend, year_figures
from ashyq.monitoring.model import KINDS as MONITORING_KINDS
from ashyq.monitoring.published import load_published_monitoring
from ashyq.periods import Period
from ashyq.ratings.demo import DEMO_POINTS, seed_ratings
from ashyq.records.ingest import ingest
from ashyq.records.store import RecordStore
from ashyq.reports.render import REPORT_RENDERERS
from ashyq.results.render import RENDERERS, results_of
from ashyq.services.detect import ServicesPeriod, detect
from ashyq.services.detect import open_period as open_services
from ashyq.services.model import KINDS as SERVICE_KINDS
from ashyq.services.stats import service_stats
from ashyq.settings import override
from ashyq.storage.atomic import write_file
from ashyq.synth.appeals import synthesize_appeals
from ashyq.synth.services import synthesize_services
from ashyq.synth.survey import synthesize_survey

_WROTE = N_("Wrote {path}")
_RECONCILED = N_(
    "Recomputed the {period} report: {totals} of {bodies} totals and {grades} stated grades "
    "reproduced; {errata} report errors corrected by documented errata "
    "(`ashyq index reproduce {period}`)."
)


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the results files.")] = Path(
        "ashyq-output"
    ),
    lang: LangOption = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Prepare everything, then exit without serving.")
    ] = False,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Recompute the published 2025 Openness Index, run the record chains, write the
    reports, seed the portal and serve it (with ``--no-serve``, stop after seeding)."""
    chosen = resolve_lang(lang)
    methodology = load_methodology("2025")
    report = load_published(2025)
    rec = reconcile(methodology, load_bodies(), report)
    document = results_of(rec.result, chosen)
    typer.echo(RENDERERS["table"].render(document).decode("utf-8"), nl=False)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("xlsx", "csv", "json"):
        renderer = RENDERERS[name]
        path = out / f"openness-index-2025{renderer.suffix}"
        write_file(path, renderer.render(document))
        typer.echo(translate(_WROTE, chosen, path=path))
    summary = rec.summary()
    totals = summary[CheckKind.TOTAL]
    grades = summary[CheckKind.GRADE]
    typer.echo(
        translate(
            _RECONCILED,
            chosen,
            period=report.period,
            totals=totals[Status.REPRODUCED] + totals[Status.WITH_ERRATUM],
            bodies=len(rec.result.bodies),
            grades=grades[Status.REPRODUCED],
            errata=len(report.errata),
        )
    )
    _records_chain(out, chosen)
    services = _services_chain(out, chosen)
    _monitoring_chain(out, chosen)
    _reports(out / "reports", chosen, services)
    if not rec.totals_and_stated_grades_reproduced:
        raise typer.Exit(1)
    home = _seed_portal(out, chosen)
    if not no_serve:
        # The demo serves the portal it seeded, whatever ASHYQ_HOME and
        # ASHYQ_DATABASE_URL say.
        override(home=home, database_url=_portal_url(home))
        serve_settings(host, port, chosen)


_PORTAL = N_(
    "Portal: 2025 published from the report, 2026 open for disputes (synthetic source data "
    "from the three authorities); database {path}"
)
_ACCOUNT = N_("  {role}: {username} / {password} {scope}")
_RATINGS = N_(
    "Service ratings: {ratings} over the last week at {points} service points; {incidents} "
    "incidents ({resolved} resolved in time, {escalated} escalated, {open} open) on "
    "/workspace/ratings"
)
_RATING_KEY = N_(
    "  API key of {point}: {key} (POST /api/v1/ratings with Authorization: Bearer <key>)"
)


def _portal_url(home: Path) -> str:
    # The demo always runs on the embedded default, whatever ASHYQ_DATABASE_URL says.
    return f"sqlite:///{Home(home).database}"


def _seed_portal(out: Path, lang: Lang) -> Path:
    """A fresh portal database in the demo's data directory, seeded; prints the accounts."""
    home = out / "home"
    for stale in home.glob(f"{Home(home).database.name}*"):
        stale.unlink()
    shutil.rmtree(Home(home).portal, ignore_errors=True)
    engine = make_engine(_portal_url(home))
    upgrade(engine)
    with session_scope(sessionmaker(engine)) as session:
        accounts = seed_demo(session, Home(home).uploads)
    ratings = seed_ratings(engine, load_bodies(), utcnow())
    engine.dispose()
    typer.echo(translate(_PORTAL, lang, path=Home(home).database))
    for account in accounts:
        typer.echo(
            translate(
                _ACCOUNT,
                lang,
                role=translate(ROLE_NAMES[account.role], lang),
                username=account.username,
                password=account.password,
                scope=f"({account.scope})" if account.scope else "",
            ).rstrip()
        )
    typer.echo(
        translate(
            _RATINGS,
            lang,
            ratings=ratings.ratings,
            points=len(DEMO_POINTS),
            incidents=ratings.incidents,
            resolved=ratings.resolved,
            escalated=ratings.escalated,
            open=ratings.open,
        )
    )
    typer.echo(translate(_RATING_KEY, lang, point=ratings.point, key=ratings.key))
    return home


_CHAIN = N_(
    "From records: {appeals} synthetic appeals (scale {scale}) ingested, {quarantined} "
    "quarantined; counts computed with Ibis on DuckDB; index written to {path}"
)
_DEMO_SCALE = 0.01


def _records_chain(out: Path, lang: Lang) -> None:
    """The whole chain on a small synthetic year: records → store → counts → index."""
    methodology = load_methodology("2025")
    registry = load_bodies()
    period = Period.parse("2025")
    home = out / "home"
    store = RecordStore(home)
    synth = synthesize_appeals(methodology, out / "synth", period=period, scale=_DEMO_SCALE, seed=1)
    quarantined = 0
    for path in (synth.appeals, synth.bookings):
        report = ingest(path, period, KINDS, store=store, registry=registry, lang=lang)
        quarantined += report.quarantined
    data = open_period(period, store=store)
    supplied = index_counts(data, body_counts(data), methodology)
    inputs = read_index_input(synth.authority_scores, methodology, registry, supplied=supplied)
    result = compute_index(methodology, inputs, registry)
    target = out / "openness-index-2025-from-records.csv"
    write_file(target, RENDERERS["csv"].render(results_of(result, lang, registry=registry)))
    typer.echo(
        translate(
            _CHAIN,
            lang,
            appeals=synth.rows,
            scale=_DEMO_SCALE,
            quarantined=quarantined,
            path=target,
        )
    )


_SERVICES_CHAIN = N_(
    "Public services: {deliveries} synthetic deliveries (scale {scale}) ingested, "
    "{quarantined} quarantined; {violations} violations found ({planned} planned), "
    "registry written to {path}"
)
_CONTROL_LINE = N_(
    "Control: {measures} control measures, {restored} rights restored, {disciplinary} "
    "disciplinary sanctions, {protocols} protocols ({fines} tenge in fines), {orders} orders "
    "to remedy; statistics written to {path}"
)
# Large enough for at least one record of every control kind (one protocol at 0.001).
_SERVICES_SCALE = 0.001


def _services_chain(out: Path, lang: Lang) -> ServicesPeriod:
    """Public services on a small synthetic year: records → store → violation registry
    and statistics.

    Exits with status 1 when detection does not find exactly the planned violations, or
    the statistics do not count every control record written.
    """
    period = Period.parse("2025")
    store = RecordStore(out / "home")
    synth = synthesize_services(
        period.year, _SERVICES_SCALE, 1, out / "synth-services", layout="import"
    )
    quarantined = 0
    for path in synth.files:
        report = ingest(path, period, SERVICE_KINDS, store=store, lang=lang)
        quarantined += report.quarantined
    data = open_services(period, store=store)
    target = out / "violations-2025.csv"
    registry = detect(data, lang).order_by("provider_body", "delivery_id", "violation_type")
    data.con.to_csv(registry, target)
    found = int(data.con.execute(registry.count()))
    planned = sum(synth.planned_by_type.values())
    typer.echo(
        translate(
            _SERVICES_CHAIN,
            lang,
            deliveries=synth.deliveries,
            scale=_SERVICES_SCALE,
            quarantined=quarantined,
            violations=found,
            planned=planned,
            path=target,
        )
    )
    stats = service_stats(data, lang)
    stats_path = out / "services-stats-2025.json"
    write_file(stats_path, (json_text(stats.as_dict()) + "\n").encode("utf-8"))
    typer.echo(
        translate(
            _CONTROL_LINE,
            lang,
            measures=stats.control_measures,
            restored=stats.rights_restored,
            disciplinary=stats.disciplinary,
            protocols=stats.protocols,
            fines=stats.fines_collected_tenge,
            orders=stats.representations,
            path=stats_path,
        )
    )
    counted = {
        "control_measures": stats.control_measures,
        "rights_restored": stats.rights_restored,
        "disciplinary": stats.disciplinary,
        "protocols": stats.protocols,
        "representations": stats.representations,
        "instructions": stats.instructions,
    }
    if found != planned or quarantined or counted != synth.control:
        raise typer.Exit(1)
    return data


_MONITORING = N_(
    "Public monitoring: synthetic surveys {first}-{last} ({answers} answers a year; "
    "{first}-{before} written to the store, {last} imported: {quarantined} quarantined); "
    "{last}: average {average}, satisfied {satisfaction}% (published: {published_average} "
    "and {published_satisfaction}%); trend {first_average} → {average}"
)
_MONITORING_BODIES = N_(
    "  {very_high} of {bodies} bodies very high, {improving} improving (published: "
    "{published_very_high} and {published_improving}); highest: {highest}; lowest: {lowest}"
)
# The default sample (20 000 respondents a year): every figure of seed 001 as printed.
_SURVEY_SCALE = 1.0


def _monitoring_chain(out: Path, lang: Lang) -> None:
    """The public monitoring on synthetic surveys of 2016-2025: the earlier years written to
    the store directly, the last imported as a file (validated, reconciled), then the
    last year's figures and the trend from the store.

    Exits with status 1 when an answer is quarantined, or the figures printed are not seed
    001's (the trend's ends, 2025's satisfaction, bodies very high and improving).
    """
    home = out / "home"
    published = load_published_monitoring()
    first, last = min(published.trend), max(published.trend)
    synthesize_survey(list(range(first, last)), home, seed=1, scale=_SURVEY_SCALE, layout="store")
    synth = synthesize_survey([last], out / "synth-survey", seed=1, scale=_SURVEY_SCALE)
    store = RecordStore(home)
    report = ingest(synth.files[last], Period(last), MONITORING_KINDS, store=store, lang=lang)
    data = open_survey(store=store)
    figures = year_figures(data, last, "body")
    by_year = {int(row["period"]): row for row in data.con.to_pyarrow(trend(data)).to_pylist()}
    national = figures.national
    typer.echo(
        translate(
            _MONITORING,
            lang,
            first=first,
            before=last - 1,
            last=last,
            answers=synth.answers[last],
            quarantined=report.quarantined,
            average=spell_number(_printed(national["average"], 2), lang),
            satisfaction=spell_number(_printed(national["satisfaction_pct"], 1), lang),
            published_average=spell_number(published.trend[last], lang),
            published_satisfaction=spell_number(published.national["satisfaction_pct"], lang),
            first_average=spell_number(_printed(by_year[first]["average"], 2), lang),
        )
    )
    bodies = load_monitored_bodies()

    def listed(rows: list[dict[str, Any]]) -> str:
        named = ((bodies.get(row["key"]).short(lang), _printed(row["average"], 2)) for row in rows)
        return ", ".join(f"{name} {spell_number(average, lang)}" for name, average in named)

    very_high = sum(1 for row in figures.rows if row["band"] == "very_high")
    improving = sum(1 for row in figures.rows if (row["change_satisfaction_pp"] or 0) > 0)
    typer.echo(
        translate(
            _MONITORING_BODIES,
            lang,
            very_high=very_high,
            bodies=len(figures.rows),
            improving=improving,
            published_very_high=published.national["central_bodies_very_high"],
            published_improving=published.national["bodies_improving"],
            highest=listed(figures.rows[:3]),
            lowest=listed(figures.rows[-3:]),
        )
    )
    reproduced = (
        _printed(national["average"], 2) == published.trend[last]
        and _printed(national["satisfaction_pct"], 1) == published.national["satisfaction_pct"]
        and _printed(by_year[first]["average"], 2) == published.trend[first]
        and very_high == published.national["central_bodies_very_high"]
        and improving == published.national["bodies_improving"]
    )
    if report.quarantined or not report.reconciles or not reproduced:
        raise typer.Exit(1)


def _printed(value: float, places: int) -> Decimal:
    """A figure rounded as the reports print it (half up)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def _reports(folder: Path, lang: Lang, services: ServicesPeriod) -> None:
    """The agency's documents in the reader's language: the 2025 Openness Index report in
    every format, the scorecard (with its roadmap draft) of the lowest-rated body, and the
    compendium of the violations found in the synthetic year of public services."""
    from ashyq.reports.compendium import build_compendium, collect_compendium
    from ashyq.reports.openness import build_openness_report
    from ashyq.reports.scorecard import build_scorecard
    from ashyq.reports.sources import published_openness

    data = published_openness(2025)
    write_reports(
        lambda chosen: build_openness_report(data, chosen),
        "openness-2025",
        [lang],
        list(REPORT_RENDERERS),
        folder,
        lang,
    )
    lowest = min(data.result.bodies, key=lambda body: (body.total, body.body.code))
    write_reports(
        lambda chosen: build_scorecard(data.result, lowest.body.code, chosen, period=2025),
        f"scorecard-2025-{lowest.body.code}",
        [lang],
        ["pdf", "docx"],
        folder,
        lang,
    )
    facts = collect_compendium(services)
    write_reports(
        lambda chosen: build_compendium(facts, chosen),
        "compendium-2025-synthetic",
        [lang],
        ["pdf", "xlsx"],
        folder,
        lang,
    )
