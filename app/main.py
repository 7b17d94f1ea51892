"""Application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles

import moderation
from app.accounts.consent_views import router as consent_router
from app.accounts.security_views import router as account_security_router
from app.accounts.two_factor_views import router as two_factor_router
from app.accounts.views import router as accounts_router
from app.admin.views import router as admin_router
from app.admission import RetryReadOnDisconnect, WriteTurns, write_turn
from app.alerts import subscribers as alert_subscribers
from app.alerts.delivery import AlertWorker
from app.alerts.views import router as alerts_router
from app.buddies import service as buddies
from app.buddies.views import router as buddies_router
from app.cases import service as cases
from app.cases.views import router as cases_router
from app.cohorts import service as cohorts
from app.cohorts import subscribers as cohort_subscribers
from app.cohorts.views import router as cohorts_router
from app.config import PROJECT_ROOT, Environment, Settings, get_settings
from app.conversations.gate import MessageGate
from app.conversations.views import router as conversations_router
from app.db import make_engine, make_sessionmaker
from app.errors import install_error_handlers
from app.forums.views import router as forums_router
from app.goals import service as goals
from app.goals import subscribers as goal_subscribers
from app.goals.views import router as goals_router
from app.i18n import LanguageMiddleware
from app.moderation_queue.aftercare_views import router as aftercare_router
from app.moderation_queue.gate import ModerationGate
from app.moderation_queue.views import router as moderation_router
from app.moderation_queue.wakeup import is_postgres_url
from app.moderation_queue.worker import Assessments, AssessmentWorker
from app.notifications.views import router as notifications_router
from app.outcomes.views import router as outcomes_router
from app.pictures.views import router as pictures_router
from app.posts.views import router as posts_router
from app.ratelimit import RateLimiter
from app.search.views import router as search_router
from app.security import BodyLimit, SecurityMiddleware, TrustedProxies, verify_csrf

logger = logging.getLogger(__name__)


class ScorerUnavailable(RuntimeError):
    pass


def load_configured_scorer(settings: Settings) -> moderation.Scorer:
    try:
        return moderation.load_scorer(
            settings.scorer,
            detoxify_checkpoint=settings.detoxify_checkpoint,
            detoxify_model_dir=settings.detoxify_model_dir,
            embedding_model=settings.embedding_model,
            model_cache_dir=settings.model_cache_dir,
            threads=settings.scorer_threads,
        )
    except moderation.ScorerLoadError as exc:
        # Never fall back silently to another scorer: stop and say which setting to fix.
        raise ScorerUnavailable(str(exc)) from exc


def pool_size(settings: Settings) -> dict[str, int]:
    """Connections per process. SQLite's are cheap: one per thread, so none waits for one.
    PostgreSQL's are not (max_connections is shared by every process)."""
    if settings.is_sqlite:
        return {"pool_size": settings.threads + 4, "max_overflow": 8}
    return {"pool_size": 10, "max_overflow": 20}


def assessment_worker_for(
    gate: ModerationGate,
    grace: timedelta | None,
    database_url: str = "",
    poll_seconds: float = 5.0,
) -> AssessmentWorker:
    """The worker that assesses posts, edits and members' private messages left waiting; on
    PostgreSQL it also listens for posts saved by other processes."""
    messages = MessageGate(gate)
    return AssessmentWorker(
        gate,
        grace=grace,
        sweeps=[
            lambda limit, wait: messages.assess_pending(limit=limit, older_than=wait),
            # Time-driven work (the clock says when): buddy check-ins and endings, cohorts'
            # weekly check-in threads, goal reminders.
            lambda limit, wait: buddies.run_due(gate.sessions, limit),
            lambda limit, wait: cohorts.run_due(gate.sessions, limit, messages.assess_message),
            lambda limit, wait: goals.run_due(gate.sessions, limit),
        ],
        listen_url=database_url if database_url and is_postgres_url(database_url) else None,
        poll_seconds=poll_seconds,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        if settings.in_process_worker:
            worker.start()  # its first sweep picks up anything a previous run left unassessed
            alert_worker.start()  # … and sends any alert a previous run left unsent
        yield
        worker.stop()
        alert_worker.stop()
        engine.dispose()

    app = FastAPI(
        title="Harbour",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(verify_csrf), Depends(write_turn, scope="function")],
    )
    engine = make_engine(
        settings.database_url,
        write_wait_seconds=settings.write_wait_seconds,
        **pool_size(settings),
    )
    sessions = make_sessionmaker(engine, settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.session_touches = {}
    app.state.write_turns = WriteTurns(
        settings.max_concurrent_writes, settings.write_queue_seconds, settings.write_queue_limit
    )
    app.state.limiter = RateLimiter.from_storage_uri(settings.rate_limit_storage)
    gate = ModerationGate(sessions=sessions, scorer=load_configured_scorer(settings))
    worker = assessment_worker_for(
        gate,
        grace=timedelta(seconds=30) if settings.inline_assessment else None,
        database_url=settings.database_url,
        poll_seconds=settings.worker_poll_seconds,
    )
    app.state.gate = gate
    alert_subscribers.install()
    cohort_subscribers.install()
    goal_subscribers.install()
    cases.install()
    alert_worker = AlertWorker(sessions, settings)
    app.state.alert_worker = alert_worker
    app.state.assessments = Assessments(
        gate,
        worker,
        inline=settings.inline_assessment,
        assess_message=MessageGate(gate).assess_message,
    )

    # Members are often on a phone with a poor connection: compress text responses.
    # Level 5: nearly the size of 9 at well under half the CPU (a thread page is ~90 KB of HTML).
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=5)
    app.add_middleware(
        SecurityMiddleware,
        cookie_secure=settings.cookie_secure,
        hsts=settings.environment is Environment.PRODUCTION,
    )
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(TrustedProxies, trusted=settings.trusted_proxies)
    app.add_middleware(RetryReadOnDisconnect)
    app.add_middleware(BodyLimit, limit=settings.upload_request_max_bytes)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        # Also the benchmark's ceiling: the same server and middleware, no database.
        return PlainTextResponse("ok")

    for router in ROUTERS:
        app.include_router(router)
    return app


# Every feature's routes (the authorisation matrix test walks these: a new route needs a row).
ROUTERS = (
    accounts_router,
    account_security_router,
    two_factor_router,
    consent_router,
    forums_router,
    posts_router,
    moderation_router,
    notifications_router,
    admin_router,
    search_router,
    conversations_router,
    alerts_router,
    cases_router,
    aftercare_router,
    pictures_router,
    buddies_router,
    cohorts_router,
    goals_router,
    outcomes_router,
)
