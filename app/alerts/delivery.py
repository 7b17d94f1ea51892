"""Sending alerts: a worker that escalates what waited too long and sends each delivery job.

A delivery is a row, so nothing is lost to a restart: the worker takes the jobs that are due,
leases them (a crash mid-send means the lease runs out and the job is taken again), sends each
outside any transaction, and records the outcome. A failed attempt is retried with exponential
backoff (2 s, 4 s, 8 s … at most 10 minutes apart) up to MAX_ATTEMPTS, each attempt audited.
"""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from app import i18n
from app.alerts import service
from app.alerts.models import (
    Alert,
    AlertDelivery,
    AlertStatus,
    DeliveryChannel,
    DeliveryStatus,
)
from app.audit import service as audit
from app.config import Settings
from app.db import utcnow, write_transaction
from app.notifications import email
from app.notifications.models import OutboxEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=2)
LONGEST_WAIT = timedelta(minutes=10)
# How long a taken job is left to its worker before another may take it (a crashed worker).
LEASE = timedelta(seconds=60)
WEBHOOK_TIMEOUT_SECONDS = 10.0


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 2 s, 4 s, 8 s, … capped."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


@dataclass(frozen=True)
class Job:
    """What one attempt needs, read before sending so no transaction is held while it sends."""

    delivery_id: int
    channel: DeliveryChannel
    attempt: int
    subject: str
    text: str
    to_address: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None


class DeliveryError(Exception):
    """The receiver refused or could not be reached; `code` is short and holds nothing sent."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_workers: weakref.WeakSet[AlertWorker] = weakref.WeakSet()


def wake_workers() -> None:
    """Called after a commit that queued deliveries: this process's workers send them now."""
    for worker in list(_workers):
        worker.wake()


@dataclass(eq=False)
class AlertWorker:
    sessions: sessionmaker[Session]
    settings: Settings
    poll_seconds: float = 1.0
    batch_size: int = 20
    _wake: threading.Event = field(default_factory=threading.Event, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def anything_due(self) -> bool:
        """One read, no lock: an idle worker never takes SQLite's write lock just to look."""
        now = utcnow()
        with self.sessions() as session:
            return bool(
                session.scalar(
                    select(
                        exists().where(
                            AlertDelivery.status == DeliveryStatus.PENDING,
                            AlertDelivery.next_attempt_at <= now,
                        )
                        | exists().where(
                            Alert.status.in_([AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]),
                            Alert.escalate_at <= now,
                        )
                    )
                )
            )

    def run_until_idle(self) -> int:
        """Escalate what is due and send every due delivery; returns how many were attempted."""
        total = 0
        while self.anything_due():
            with write_transaction(self.sessions) as session:
                service.escalate_due(session)
            jobs = self.take_due()
            for job in jobs:
                self.attempt(job)
            total += len(jobs)
            if len(jobs) < self.batch_size:
                break
        return total

    def take_due(self) -> list[Job]:
        """Lease a batch of due deliveries and read what each needs."""
        now = utcnow()
        with write_transaction(self.sessions) as session:
            due = session.scalars(
                select(AlertDelivery)
                .where(
                    AlertDelivery.status == DeliveryStatus.PENDING,
                    AlertDelivery.next_attempt_at <= now,
                )
                .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            jobs = []
            for delivery in due:
                delivery.attempts += 1
                delivery.next_attempt_at = now + LEASE
                jobs.append(self._job(session, delivery))
            return jobs

    def _job(self, session: Session, delivery: AlertDelivery) -> Job:
        alert = session.get(Alert, delivery.alert_id)
        assert alert is not None
        base = self.settings.base_url
        if delivery.channel is DeliveryChannel.EMAIL:
            user = delivery.user
            assert user is not None
            with i18n.language(user.language):
                message = service.message_for(alert, delivery.tier, base)
            return Job(
                delivery.id,
                delivery.channel,
                delivery.attempts,
                message.subject,
                message.text,
                to_address=user.email,
            )
        settings = service.alerting_of(session, alert.forum_id)
        with i18n.language(settings.webhook_language if settings else "en"):
            message = service.message_for(alert, delivery.tier, base)
        return Job(
            delivery.id,
            delivery.channel,
            delivery.attempts,
            message.subject,
            message.text,
            webhook_url=settings.webhook_url if settings else None,
            webhook_secret=settings.webhook_secret if settings else None,
        )

    def attempt(self, job: Job) -> None:
        try:
            if job.channel is DeliveryChannel.EMAIL:
                self._send_email(job)
            else:
                self._post_webhook(job)
        except DeliveryError as exc:
            self._record(job, error=exc.code)
        except Exception as exc:  # a bug must not stop the other alerts
            logger.exception("alert delivery %s failed", job.delivery_id)
            self._record(job, error=type(exc).__name__)
        else:
            self._record(job, error=None)

    def _send_email(self, job: Job) -> None:
        """Through the outbox like every Harbour email (kept once, however often retried), and
        over SMTP when it is set up."""
        with write_transaction(self.sessions) as session:
            delivery = session.get(AlertDelivery, job.delivery_id)
            assert delivery is not None and job.to_address is not None
            if delivery.outbox_email_id is None:
                mail = OutboxEmail(
                    to_address=job.to_address, subject=job.subject, body=job.text, kind="alert"
                )
                session.add(mail)
                session.flush()
                delivery.outbox_email_id = mail.id
            mail_id = delivery.outbox_email_id
        if self.settings.email_mode == "smtp" and not email.deliver(
            self.settings, self.sessions, mail_id
        ):
            raise DeliveryError("smtp")

    def _post_webhook(self, job: Job) -> None:
        if not job.webhook_url or not job.webhook_secret:
            raise DeliveryError("no webhook")  # removed since the alert was raised
        body = service.webhook_body(service.AlertMessage(job.subject, job.text))
        try:
            response = httpx.post(
                job.webhook_url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    service.SIGNATURE_HEADER: service.sign(job.webhook_secret, body),
                    "X-Harbour-Delivery": str(job.delivery_id),
                },
                timeout=WEBHOOK_TIMEOUT_SECONDS,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(type(exc).__name__) from exc
        if not response.is_success:
            raise DeliveryError(f"HTTP {response.status_code}")

    def _record(self, job: Job, *, error: str | None) -> None:
        now = utcnow()
        with write_transaction(self.sessions) as session:
            delivery = session.get(AlertDelivery, job.delivery_id)
            if delivery is None:
                return
            alert = session.get(Alert, delivery.alert_id)
            retry_in: timedelta | None = None
            if error is None:
                delivery.status, delivery.sent_at, delivery.last_error = (
                    DeliveryStatus.SENT,
                    now,
                    None,
                )
            elif delivery.attempts >= MAX_ATTEMPTS:
                delivery.status, delivery.last_error = DeliveryStatus.FAILED, error[:200]
            else:
                retry_in = backoff(delivery.attempts)
                delivery.next_attempt_at, delivery.last_error = now + retry_in, error[:200]
            audit.record(
                session,
                actor_id=None,
                action="alert.delivery",
                target_type="alert",
                target_id=delivery.alert_id,
                forum_id=alert.forum_id if alert else None,
                delivery_id=delivery.id,
                channel=delivery.channel.value,
                user_id=delivery.user_id,
                attempt=delivery.attempts,
                outcome=delivery.status.value if error is None else "error",
                error=error,
                retry_in_seconds=int(retry_in.total_seconds()) if retry_in else None,
                gave_up=delivery.status is DeliveryStatus.FAILED,
            )

    def wake(self) -> None:
        self._wake.set()

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_until_idle()
            except Exception:
                logger.exception("alert sweep failed; retrying in %ss", self.poll_seconds)
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def start(self) -> None:
        _workers.add(self)
        self._thread = threading.Thread(target=self.run_forever, name="alert-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        _workers.discard(self)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
