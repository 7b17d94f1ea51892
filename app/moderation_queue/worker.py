"""Assessment outside the request: in-process for the single-process default, or `harbour worker`.

The worker picks up every post still awaiting assessment, so a crash or restart between saving a
post and assessing it loses nothing: the next sweep assesses it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

import moderation
from app.accounts.models import User
from app.db import after_commit, write_transaction
from app.forms import service as forms
from app.forums.models import Forum
from app.moderation_queue import wakeup
from app.moderation_queue.gate import ModerationGate
from app.posts.models import Post, PostEdit

logger = logging.getLogger(__name__)
HOUSEKEEPING_SECONDS = 3600


@dataclass
class AssessmentWorker:
    gate: ModerationGate
    batch_size: int = 32
    poll_seconds: float = 5.0
    # With inline assessment the request assesses its own post; the sweep only takes what was
    # left behind (a crash between commit and assessment), so it waits this long before stepping in.
    grace: timedelta | None = None
    # Other things awaiting the same assessment (members' private messages): each sweep takes a
    # batch size and the grace period and returns how many it routed.
    sweeps: list[Callable[[int, timedelta | None], int]] = field(default_factory=list)
    # PostgreSQL: LISTEN here for posts saved by other processes (app/moderation_queue/wakeup.py).
    listen_url: str | None = None
    _wake: threading.Event = field(default_factory=threading.Event, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def run_until_idle(self) -> int:
        """Assess batches until nothing is waiting; returns how many posts and edits were routed."""
        total = 0
        while True:
            done = self.gate.assess_pending(limit=self.batch_size, older_than=self.grace)
            done_edits = self.gate.assess_pending_edits(
                limit=self.batch_size, older_than=self.grace
            )
            others = [sweep(self.batch_size, self.grace) for sweep in self.sweeps]
            total += done + done_edits + sum(others)
            if max([done, done_edits, *others]) < self.batch_size:
                return total

    def wake(self) -> None:
        self._wake.set()

    def housekeeping(self) -> None:
        """Once an hour: forget the one-time keys of forms sent more than a day ago."""
        with write_transaction(self.gate.sessions) as session:
            forms.prune(session)

    def run_forever(self, on_ready: Callable[[], None] | None = None) -> None:
        if self.listen_url is not None:
            listening = threading.Event()
            wakeup.listen(self.listen_url, self.wake, self._stop, self.poll_seconds, listening)
            # Listen before the start-up sweep: a post saved between the two would otherwise
            # wait a whole poll.
            listening.wait(10)
        next_housekeeping = 0.0
        # The start-up sweep always runs (it takes what a crash left), even if stop came first.
        while True:
            try:
                self.run_until_idle()
                if on_ready is not None:
                    on_ready()
                    on_ready = None
                if time.monotonic() >= next_housekeeping:
                    self.housekeeping()
                    next_housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
            except Exception:
                logger.exception("assessment sweep failed; retrying in %ss", self.poll_seconds)
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            if self._stop.is_set():
                return

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.run_forever, name="assessment-worker", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


@dataclass(frozen=True)
class Verdict:
    """A new post's assessment made before it was saved (None: it could not be scored)."""

    forum: Forum
    assessment: moderation.Assessment | None


@dataclass
class Assessments:
    """Where a saved post goes next: assessed before the response (fast scorer) or by the worker."""

    gate: ModerationGate
    worker: AssessmentWorker
    inline: bool
    # Members' private messages (app/conversations): assessed the same way, in their own gate.
    assess_message: Callable[[int], None] | None = None

    def _wake_worker(self, session: Session) -> None:
        # This process's worker directly; workers in other processes by NOTIFY, sent with the commit.
        after_commit(session, self.worker.wake)
        wakeup.announce(session)

    def before_saving(
        self, session: Session, author: User, forum: Forum, body: str
    ) -> Verdict | None:
        """With a fast scorer, the new post's assessment, before the request writes; None when
        the worker assesses (slow scorers)."""
        if not self.inline:
            return None
        return Verdict(forum, self.gate.assess_before_saving(session, author, forum, body))

    def after_saving(self, session: Session, post: Post, verdict: Verdict | None = None) -> None:
        """Route the saved post in the same transaction when it was assessed before saving;
        otherwise assess it after the commit (here, or in the worker)."""
        if verdict is not None and self.gate.route_saved(
            session, post, verdict.forum, verdict.assessment
        ):
            return
        post_id = post.id
        if self.inline:
            after_commit(session, lambda: self.gate.assess_post(post_id))
        else:
            self._wake_worker(session)

    def after_saving_edit(self, session: Session, edit: PostEdit) -> None:
        """An edit of a published post goes the same way as a new post."""
        edit_id = edit.id
        if self.inline:
            after_commit(session, lambda: self.gate.assess_edit(edit_id))
        else:
            self._wake_worker(session)

    def after_saving_message(self, session: Session, message_id: int) -> None:
        """A member's private message goes the same way as a post."""
        assess = self.assess_message
        if self.inline and assess is not None:
            after_commit(session, lambda: assess(message_id))
        else:
            self._wake_worker(session)
