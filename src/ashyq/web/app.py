"""The FastAPI application: its state, its middleware, its answers to errors, and the
routers of its features (public pages, workspace, cycle, ratings, monitoring, reports, the
JSON API)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ashyq.db import make_engine, upgrade
from ashyq.db.models import utcnow
from ashyq.ratings.desk import RatingDesk
from ashyq.settings import Settings, settings
from ashyq.storage.atomic import remove_leftovers
from ashyq.web import monitoring
from ashyq.web import ratings as rating_routes
from ashyq.web.admin import api as admin_api
from ashyq.web.admin import pages as admin_pages
from ashyq.web.cache import ChangeStamp, PageCache, PublicCache
from ashyq.web.cycle import api as cycle_api
from ashyq.web.cycle import pages as cycle_pages
from ashyq.web.errors import install_error_handlers
from ashyq.web.limits import LIMITS
from ashyq.web.middleware import Admission, BodyLimit, SecurityHeaders
from ashyq.web.portal import Portal
from ashyq.web.public import api as public_api
from ashyq.web.public import pages as public_pages
from ashyq.web.public import reports as public_reports
from ashyq.web.rendering import PACKAGE
from ashyq.web.reports import ReportFiles
from ashyq.web.security import LoginLimiter, TrustedProxies
from ashyq.web.workspace import api as session_api
from ashyq.web.workspace import pages as workspace_pages

__all__ = ["create_app"]


def create_app(
    config: Settings | None = None,
    *,
    migrate: bool = True,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    """The portal as ``config`` sets it (by default, the settings of the environment): its
    data home, its database, cookies, trusted proxies, rating limits, incident window and
    cache sizes.

    The schema is upgraded to the newest migration first unless ``migrate`` is False.
    ``clock`` gives the time deadlines and rating incidents are judged by (the real time
    by default). While the app runs (its lifespan), the escalation worker runs in a thread
    unless ``config.escalation_worker`` is off.
    """
    config = config if config is not None else settings()
    home = config.home
    engine = make_engine(
        config.database,
        connections=LIMITS.database_connections,
        wait_seconds=LIMITS.database_wait_seconds,
    )
    if migrate:
        upgrade(engine)
    # What killed processes left half-written (never read: only final names are).
    remove_leftovers(config.paths.portal)
    desk = RatingDesk(engine, config, clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Every endpoint that touches the database is a plain function run in this pool;
        # the database pool has a connection for each of its threads (web/limits.py).
        anyio.to_thread.current_default_thread_limiter().total_tokens = LIMITS.worker_threads
        desk.start()
        try:
            yield
        finally:
            desk.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Ashyq",
        summary="Openness Index of Kazakhstan's government bodies: results and evaluation cycle.",
        version="1",
        # Swagger UI would load from a CDN; closed networks read the OpenAPI file itself.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    limiter = LoginLimiter(proxies=TrustedProxies.parse(config.trusted_proxies))
    app.state.portal = Portal(
        engine=engine,
        home=home,
        secure_cookies=config.secure_cookies,
        clock=clock,
        limiter=limiter,
    )
    app.state.report_files = ReportFiles(config.paths.report_files)
    app.state.report_slots = threading.BoundedSemaphore(LIMITS.report_waiters)
    app.state.ratings = desk
    app.state.survey_figures = monitoring.SurveyFigures(home)
    # Outermost last: headers and cookies go on every answer, cached or not.
    routers = (
        # Routes are matched in order: the rating endpoint, the busiest, comes first.
        rating_routes.api,
        # The JSON API, in the order of its OpenAPI description.
        public_api.router,
        session_api.router,
        cycle_api.router,
        admin_api.router,
        public_pages.router,
        workspace_pages.router,
        cycle_pages.router,
        admin_pages.router,
        public_reports.router,
        monitoring.api,
        monitoring.router,
        rating_routes.pages,
    )
    # Every route with its full path, for what must know a route before routing.
    app.state.routes = [route for router in routers for route in router.routes]
    cache = PageCache(config.page_cache_bytes, config.page_cache_entry_bytes)
    app.add_middleware(
        Admission,
        inside=LIMITS.worker_threads,
        waiting=LIMITS.requests_waiting,
        wait_seconds=LIMITS.database_wait_seconds,
    )
    app.add_middleware(PublicCache, cache=cache, stamp=ChangeStamp(engine), routes=app.state.routes)
    app.add_middleware(BodyLimit, limit=LIMITS.request_bytes, limits=rating_routes.BODY_LIMITS)
    app.add_middleware(SecurityHeaders, secure=config.secure_cookies)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")
    for router in routers:
        app.include_router(router)
    _one_requirement_per_operation(app)
    return app


def _one_requirement_per_operation(app: FastAPI) -> None:
    """Make each operation's security one requirement object.

    FastAPI lists each security scheme an operation depends on as a requirement object of
    its own, which the standard reads as alternatives (any one suffices). An operation of
    Ashyq needs every scheme it names at once (the session cookie and both halves of the
    CSRF pair), so they are merged into one object: all of them.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                requirements = operation.get("security")
                if requirements:
                    merged: dict[str, list[str]] = {}
                    for requirement in requirements:
                        merged.update(requirement)
                    operation["security"] = [merged]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
