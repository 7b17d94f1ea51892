"""The moderation gate: every new post is saved, assessed, then published or held.

With a fast scorer the post is assessed before its request writes anything, then saved and routed
(published, indexed, readers told; or queued) in that one write transaction. With a slow scorer
it is saved awaiting assessment and the worker assesses it after the commit, in its own session.
Either way a scorer that fails or a process that dies never loses what a member wrote: the post
stays saved, and a post that cannot be assessed is held for a human with the reason "could not be
assessed".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import moderation
from app.accounts.models import User
from app.audit import service as audit
from app.conversations.models import ConversationMessage
from app.db import utcnow, write_transaction
from app.forums.models import Forum, ModerationMode
from app.i18n import N_
from app.moderation_queue import items
from app.moderation_queue.models import PostAssessment, ReviewQueue
from app.pictures import service as pictures
from app.posts import service as posts
from app.posts.models import EditStatus, Post, PostEdit, PostStatus, Thread

logger = logging.getLogger(__name__)

NEW_MEMBER_AGE = timedelta(days=7)
ASSESSMENT_FAILED: dict[str, Any] = {
    "code": "assessment_failed",
    "message": N_(
        "This post could not be assessed automatically, so a moderator needs to read it."
    ),
    "label": None,
    "spans": [],
}


def policy_for(forum: Forum) -> moderation.Policy:
    policy = forum.policy
    return moderation.Policy(
        thresholds=dict(policy.thresholds),
        venting=moderation.VentingHandling(policy.venting),
        watched_words=tuple(
            moderation.WatchedWord(w.phrase, moderation.WatchedWordAction(w.action.value))
            for w in forum.watched_words
        ),
    )


def context_for(session: Session, post: Post, forum: Forum) -> moderation.AssessmentContext:
    return author_context(session, post.author, forum, post_id=post.id)


def author_context(
    session: Session, author: User, forum: Forum, *, post_id: int | None = None
) -> moderation.AssessmentContext:
    """What the engine knows of a post's author (their latest other posts, whether they are new),
    for a saved post or one about to be saved."""
    recent = session.scalars(
        select(Post.body_source)
        .where(Post.author_id == author.id, Post.id != (post_id or 0))
        .order_by(Post.created_at.desc())
        .limit(5)
    ).all()
    return moderation.AssessmentContext(
        policy=policy_for(forum),
        author_is_new_member=utcnow() - author.created_at < NEW_MEMBER_AGE,
        recent_texts_by_author=tuple(recent),
    )


def status_for(mode: ModerationMode, assessment: moderation.Assessment) -> tuple[PostStatus, bool]:
    """The post's status under the forum's mode, and whether a published post is flagged."""
    if assessment.route is moderation.Route.URGENT:
        return PostStatus.HELD, False  # a person in crisis reaches a human in every mode
    if mode is ModerationMode.PRE_MODERATE:
        return PostStatus.HELD, False
    if mode is ModerationMode.POST_MODERATE:
        return PostStatus.PUBLISHED, True
    if assessment.route is moderation.Route.HOLD:
        return PostStatus.HELD, False
    return PostStatus.PUBLISHED, assessment.review_flag


NEW_MEMBER_CODE = "new_member.first_posts"
PICTURES_CODE = "pictures.first_posts"
# A member's pictures wait for a moderator in their first posts in a forum (at least this many,
# more when the forum holds more of a new member's posts): a picture can't be scored like text.
PICTURES_HELD_FIRST_POSTS = 3
EDIT_CODE = "edit.pending"  # an edit of a published post waits; the published version stays


def _among_first_posts(
    session: Session, post: Post, forum: Forum, *, at_least: int = 0, this_one_too: bool = False
) -> bool:
    """Whether the forum holds this author's first posts for a moderator to read first.
    `this_one_too`: the post is already published (an edit of it), so it counts as one of them."""
    limit = max(forum.policy.first_posts_held, at_least)
    if limit <= 0:
        return False
    published = session.scalar(
        select(func.count())
        .select_from(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Thread.forum_id == forum.id,
            Post.author_id == post.author_id,
            Post.status == PostStatus.PUBLISHED,
            *([Post.id < post.id] if this_one_too else []),
        )
    )
    return (published or 0) < limit


def reasons_as_json(assessment: moderation.Assessment) -> list[dict[str, object]]:
    return [
        {
            "code": r.code,
            "message": r.message,
            "label": r.label,
            "spans": [[s.start, s.end] for s in r.spans],
        }
        for r in assessment.reasons
    ]


def _forums_of(session: Session, batch: Sequence[Post]) -> dict[int, Forum]:
    """Each post's forum by thread id, in one query."""
    rows = session.execute(
        select(Thread.id, Forum)
        .join(Forum, Thread.forum_id == Forum.id)
        .where(Thread.id.in_({p.thread_id for p in batch}))
    ).all()
    return {thread_id: forum for thread_id, forum in rows}


def _assessment_row(post: Post, assessment: moderation.Assessment) -> PostAssessment:
    return PostAssessment(
        post_id=post.id,
        scorer_name=assessment.scorer_name,
        scorer_version=assessment.scorer_version,
        route=assessment.route.value,
        priority=assessment.priority,
        scores=dict(assessment.scores),
        reasons=reasons_as_json(assessment),
        review_flag=assessment.review_flag,
        needs_clinical_review=assessment.needs_clinical_review,
    )


def _queue_for_review(
    session: Session,
    post: Post,
    forum: Forum,
    assessment: moderation.Assessment,
    codes: Sequence[str] | None = None,
) -> None:
    """A review item for what the assessment holds: urgent for crisis, else the held queue."""
    urgent = assessment.route is moderation.Route.URGENT
    items.open_item(
        session,
        post,
        forum.id,
        ReviewQueue.URGENT if urgent else ReviewQueue.HELD,
        priority=assessment.priority,
        reason_codes=list(codes if codes is not None else (r.code for r in assessment.reasons)),
        needs_clinical_review=assessment.needs_clinical_review,
    )


Awaiting = TypeVar("Awaiting", Post, PostEdit, ConversationMessage)


def awaiting_rows(
    session: Session,
    model: type[Awaiting],
    awaiting: StrEnum,
    ids: Sequence[int] | None,
    limit: int,
    older_than: timedelta | None = None,
    *,
    lock: bool = False,
) -> Sequence[Awaiting]:
    """A batch of rows awaiting assessment, oldest first. With `lock` (in the write transaction)
    SKIP LOCKED on PostgreSQL means several workers never route the same row."""
    query = select(model).where(model.status == awaiting).order_by(model.id).limit(limit)
    if lock:
        query = query.with_for_update(skip_locked=True, of=model)
    if ids is not None:
        query = query.where(model.id.in_(ids))
    if older_than is not None:
        query = query.where(model.created_at < utcnow() - older_than)
    return session.scalars(query).all()


@dataclass
class ModerationGate:
    sessions: sessionmaker[Session]
    scorer: moderation.Scorer

    def assess_post(self, post_id: int) -> None:
        """Assess one post awaiting assessment and route it; safe to call twice."""
        self.assess_pending(post_ids=[post_id])

    def assess_pending(
        self,
        *,
        post_ids: Sequence[int] | None = None,
        limit: int = 32,
        older_than: timedelta | None = None,
    ) -> int:
        """Assess a batch of posts awaiting assessment; returns how many were routed.

        The scorer and the detectors run first, outside any write transaction: on SQLite the write
        lock is held only while the results are stored, never while a long text is checked."""
        with self.sessions() as session:
            waiting = awaiting_rows(
                session, Post, PostStatus.AWAITING_ASSESSMENT, post_ids, limit, older_than
            )
            if not waiting:
                return 0
            forum_of = _forums_of(session, waiting)
            assessed = dict(
                zip(
                    [p.id for p in waiting],
                    self._assess(session, waiting, forum_of),
                    strict=True,
                )
            )
        with write_transaction(self.sessions) as session:
            # Still awaiting: another worker may have routed some meanwhile.
            batch = awaiting_rows(
                session, Post, PostStatus.AWAITING_ASSESSMENT, list(assessed), limit, lock=True
            )
            forum_of = _forums_of(session, batch) if batch else {}
            for post in batch:
                forum, assessment = forum_of[post.thread_id], assessed[post.id]
                if assessment is None:
                    self._hold_unassessed(session, post, forum)
                else:
                    self._route(session, post, forum, assessment)
            return len(batch)

    def assess_before_saving(
        self, session: Session, author: User, forum: Forum, body: str
    ) -> moderation.Assessment | None:
        """A fast scorer's verdict on a post about to be saved, reached before the transaction
        writes anything (so SQLite's write lock is not held while it scores); None when the post
        cannot be scored (it is then saved and held for a human)."""
        try:
            return moderation.assess(
                body, author_context(session, author, forum), scorer=self.scorer
            )
        except Exception:
            # Log the author's id only: never what they wrote.
            logger.exception("could not assess a new post by user %s; holding it", author.id)
            return None

    def route_saved(
        self,
        session: Session,
        post: Post,
        forum: Forum,
        assessment: moderation.Assessment | None,
    ) -> bool:
        """Route a post saved in this same transaction: published (indexed, readers told) or
        queued, in the one write transaction that saves it. In a savepoint: if routing fails the
        post is still saved, awaiting assessment, and False says the worker must take it."""
        try:
            with session.begin_nested():
                if assessment is None:
                    self._hold_unassessed(session, post, forum)
                else:
                    self._route(session, post, forum, assessment)
        except Exception:
            logger.exception("could not route post %s in its request; the worker will", post.id)
            return False
        return True

    def rescore(
        self, session: Session, batch: Sequence[Post]
    ) -> list[tuple[Post, moderation.Assessment]]:
        """Store fresh scores for already routed posts. Statuses stay with people: a published
        post the new model would hold is only flagged for a moderator to look at."""
        forum_of = _forums_of(session, batch)
        results = []
        for post, assessment in zip(batch, self._assess(session, batch, forum_of), strict=True):
            if assessment is None:
                continue
            session.add(_assessment_row(post, assessment))
            if post.status is PostStatus.HELD:
                _queue_for_review(session, post, forum_of[post.thread_id], assessment)
            if (
                post.status is PostStatus.PUBLISHED
                and assessment.route is not moderation.Route.PUBLISH
            ):
                post.review_flag = True
            results.append((post, assessment))
        return results

    def _assess(
        self, session: Session, batch: Sequence[Post], forum_of: dict[int, Forum]
    ) -> list[moderation.Assessment | None]:
        contexts = [context_for(session, p, forum_of[p.thread_id]) for p in batch]
        try:
            return list(
                moderation.assess_batch(
                    [p.body_source for p in batch], contexts, scorer=self.scorer
                )
            )
        except Exception:
            if len(batch) == 1:
                # Log the id only: never what the member wrote.
                logger.exception(
                    "could not assess post %s; holding it for a moderator", batch[0].id
                )
                return [None]
        # One bad text must not hold the whole batch: retry one by one.
        return [self._assess(session, [p], forum_of)[0] for p in batch]

    def _route(
        self, session: Session, post: Post, forum: Forum, assessment: moderation.Assessment
    ) -> None:
        session.add(_assessment_row(post, assessment))
        if not post.author.email_verified and assessment.route is not moderation.Route.URGENT:
            # Nothing is published (or queued for moderators) before its author has confirmed
            # their email address; a post suggesting a crisis still reaches a human at once.
            post.status = PostStatus.AWAITING_VERIFICATION
            audit.record(
                session,
                actor_id=None,
                action="post.awaiting_verification",
                target_type="post",
                target_id=post.id,
                forum_id=forum.id,
                route=assessment.route.value,
            )
            return
        status, flagged = status_for(forum.moderation_mode, assessment)
        codes = [r.code for r in assessment.reasons]
        if status is PostStatus.PUBLISHED and _among_first_posts(session, post, forum):
            status, codes = PostStatus.HELD, [*codes, NEW_MEMBER_CODE]
        elif (
            status is PostStatus.PUBLISHED
            and pictures.has_pictures(session, post.id)
            and _among_first_posts(session, post, forum, at_least=PICTURES_HELD_FIRST_POSTS)
        ):
            status, codes = PostStatus.HELD, [*codes, PICTURES_CODE]
        if status is PostStatus.PUBLISHED:
            post.review_flag = flagged
            posts.publish(session, post)
            if flagged:
                items.open_item(
                    session,
                    post,
                    forum.id,
                    ReviewQueue.UNREVIEWED,
                    # A post the engine publishes keeps the priority it gave its flag (worry
                    # about someone at risk is high); one published only because of the forum's
                    # mode is looked at after the held queue.
                    priority=assessment.priority
                    if assessment.route is moderation.Route.PUBLISH
                    else min(assessment.priority, 20),
                    reason_codes=codes,
                )
        else:
            post.status = status
            _queue_for_review(session, post, forum, assessment, codes)
        audit.record(
            session,
            actor_id=None,
            action=f"post.{post.status.value}",
            target_type="post",
            target_id=post.id,
            forum_id=forum.id,
            route=assessment.route.value,
            scorer=assessment.scorer_name,
        )

    def rescore_post(self, post_id: int) -> None:
        """Re-assess a held post whose author changed it, so highlights match the new words."""
        with write_transaction(self.sessions) as session:
            post = session.get(Post, post_id)
            if post is not None and post.status is PostStatus.HELD:
                self.rescore(session, [post])

    def assess_edit(self, edit_id: int) -> None:
        """Assess one edit awaiting assessment and route it; safe to call twice."""
        self.assess_pending_edits(edit_ids=[edit_id])

    def assess_pending_edits(
        self,
        *,
        edit_ids: Sequence[int] | None = None,
        limit: int = 32,
        older_than: timedelta | None = None,
    ) -> int:
        """Assess authors' edits of published posts: apply each one that would publish, else
        queue it for a moderator while the published version stays. Returns how many. As for
        posts, the assessment runs before the write transaction, which only stores it."""
        with self.sessions() as session:
            waiting = awaiting_rows(
                session, PostEdit, EditStatus.AWAITING_ASSESSMENT, edit_ids, limit, older_than
            )
            assessed = {edit.id: self._assess_edit(session, edit) for edit in waiting}
        if not assessed:
            return 0
        with write_transaction(self.sessions) as session:
            edits = awaiting_rows(
                session, PostEdit, EditStatus.AWAITING_ASSESSMENT, list(assessed), limit, lock=True
            )
            for edit in edits:
                self._route_edit(session, edit, assessed[edit.id])
            return len(edits)

    def _assess_edit(self, session: Session, edit: PostEdit) -> moderation.Assessment | None:
        post = session.get(Post, edit.post_id)
        assert post is not None
        if post.status is not PostStatus.PUBLISHED:
            return None  # nothing to assess: the edit is dropped when it is routed
        forum = _forums_of(session, [post])[post.thread_id]
        try:
            return moderation.assess(
                edit.body_source, context_for(session, post, forum), scorer=self.scorer
            )
        except Exception:
            logger.exception("could not assess edit %s; holding it for a moderator", edit.id)
            return None

    def _route_edit(
        self, session: Session, edit: PostEdit, assessment: moderation.Assessment | None
    ) -> None:
        post = session.get(Post, edit.post_id)
        assert post is not None
        if post.status is not PostStatus.PUBLISHED:
            posts.discard_edit(session, edit)  # taken down or withdrawn meanwhile: nothing to edit
            return
        forum = _forums_of(session, [post])[post.thread_id]
        if assessment is None:
            edit.status = EditStatus.PENDING
            self._hold_unassessed(session, post, forum, edit=True)
            return
        session.add(_assessment_row(post, assessment))
        status, _flagged = status_for(forum.moderation_mode, assessment)
        new_pictures_held = (
            edit.replaces_pictures
            and pictures.adds_pictures(session, post.id, edit.id)
            and _among_first_posts(
                session, post, forum, at_least=PICTURES_HELD_FIRST_POSTS, this_one_too=True
            )
        )
        if (
            status is PostStatus.PUBLISHED
            and assessment.route is moderation.Route.PUBLISH
            and not new_pictures_held
        ):
            posts.apply_edit(session, post, edit)
            return
        edit.status = EditStatus.PENDING
        codes = [
            *(r.code for r in assessment.reasons),
            *([PICTURES_CODE] if new_pictures_held else []),
            EDIT_CODE,
        ]
        _queue_for_review(session, post, forum, assessment, codes)
        audit.record(
            session,
            actor_id=None,
            action="post.edit_held",
            target_type="post",
            target_id=post.id,
            forum_id=forum.id,
            route=assessment.route.value,
        )

    def _hold_unassessed(
        self, session: Session, post: Post, forum: Forum, *, edit: bool = False
    ) -> None:
        """Hold for a human what the scorer could not assess: a new post, or an author's edit of
        a published post (which stays published; the edit waits)."""
        session.add(
            PostAssessment(
                post_id=post.id,
                scorer_name=self.scorer.name,
                scorer_version=self.scorer.version,
                route=moderation.Route.HOLD.value,
                priority=50,
                reasons=[ASSESSMENT_FAILED],
            )
        )
        if not edit:
            post.status = PostStatus.HELD
        items.open_item(
            session,
            post,
            forum.id,
            ReviewQueue.HELD,
            priority=50,
            reason_codes=[ASSESSMENT_FAILED["code"], *([EDIT_CODE] if edit else [])],
        )
        audit.record(
            session,
            actor_id=None,
            action="post.edit_held" if edit else "post.held",
            target_type="post",
            target_id=post.id,
            forum_id=forum.id,
            route="hold",
            error="assessment_failed",
        )
