"""factory_boy factories, one per model. They commit, so the app under test sees their rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import factory
import pyotp
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import Session

from app import sealing
from app.accounts.passwords import hash_password
from app.db import utcnow
from app.forums.service import default_policy
from app.models import (
    BuddyRequest,
    Forum,
    JoinPolicy,
    Membership,
    MembershipRole,
    MembershipStatus,
    ModerationMode,
    Post,
    PostStatus,
    SiteRole,
    Thread,
    User,
    Visibility,
)
from app.notifications.models import Watch
from app.posts.rendering import render_markdown

PASSWORD = "correct horse battery staple"


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # argon2 is slow on purpose; hash the shared test password once per run.
    return hash_password(PASSWORD)


class Base(SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "commit"


def bind(session: Session) -> None:
    for factory_class in (UserFactory, ForumFactory, MembershipFactory, ThreadFactory, PostFactory):
        factory_class._meta.sqlalchemy_session = session


class UserFactory(Base):
    class Meta:
        model = User

    handle = factory.Sequence(lambda n: f"member_{n}")
    handle_key = factory.LazyAttribute(lambda o: o.handle.casefold())
    email = factory.LazyAttribute(lambda o: f"{o.handle}@example.org")
    email_key = factory.LazyAttribute(lambda o: o.email.casefold())
    password_hash = factory.LazyFunction(_password_hash)
    site_role = SiteRole.MEMBER
    # Established members by default; tests about new members set this explicitly.
    created_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=90))
    email_verified_at = factory.SelfAttribute("created_at")
    # Consented to Harbour holding health information when they signed up.
    consented_at = factory.SelfAttribute("created_at")


class ForumFactory(Base):
    class Meta:
        model = Forum

    slug = factory.Sequence(lambda n: f"forum-{n}")
    name = factory.Sequence(lambda n: f"Forum {n}")
    description = "A forum for people living with a long-term condition."
    audience = "Adults living with the condition"
    visibility = Visibility.MEMBERS_ONLY
    join_policy = JoinPolicy.OPEN
    moderation_mode = ModerationMode.HOLD_FLAGGED
    policy = factory.LazyFunction(default_policy)


class MembershipFactory(Base):
    class Meta:
        model = Membership

    forum = factory.SubFactory(ForumFactory)
    user = factory.SubFactory(UserFactory)
    role = MembershipRole.MEMBER
    status = MembershipStatus.ACTIVE


class ThreadFactory(Base):
    class Meta:
        model = Thread

    forum = factory.SubFactory(ForumFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Thread {n}")
    published_at = factory.LazyFunction(utcnow)
    last_activity_at = factory.LazyFunction(utcnow)

    @factory.post_generation
    def author_watches(obj: Thread, create: bool, extracted: Any, **kwargs: Any) -> None:
        # As starting a thread through the service does: its author watches it (and can stop).
        if create and extracted is not False:
            session = ThreadFactory._meta.sqlalchemy_session
            session.add(Watch(user_id=obj.author.id, thread_id=obj.id))
            session.commit()


class PostFactory(Base):
    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SelfAttribute("thread.author")
    body_source = "Thanks for sharing this, it helps to know I'm not the only one."
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body_source))
    status = PostStatus.PUBLISHED
    is_opening = False
    published_at = factory.LazyFunction(utcnow)

    @factory.post_generation
    def count_published_reply(obj: Post, create: bool, extracted: Any, **kwargs: Any) -> None:
        # Keep the thread's counter true, as publishing through the service would.
        if create and obj.status is PostStatus.PUBLISHED and not obj.is_opening:
            obj.thread.reply_count += 1


# The site secret of the suite's settings (tests/conftest.py): sealed values open under it.
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


def with_two_factor(user: User, now: datetime, secret_key: str = SECRET_KEY) -> str:
    """Two-factor sign-in turned on, as set up in the app; the authenticator's secret."""
    secret = pyotp.random_base32()
    user.totp_secret_sealed = sealing.seal(secret_key, sealing.TOTP_SECRET, secret)
    user.two_factor_enabled_at = now
    return secret


def member_of(forum: Forum, role: MembershipRole = MembershipRole.MEMBER, **user: Any) -> User:
    """A new user with an active membership of `forum`."""
    membership = MembershipFactory(forum=forum, role=role, user=UserFactory(**user))
    return membership.user  # type: ignore[no-any-return]


def rejection_reason(forum: Forum) -> str:
    """The first of the forum's own reasons for rejecting a post (only these reach an author)."""
    return forum.policy.rejection_reasons[0]


def thread_with_opening_post(forum: Forum, author: User, **thread: Any) -> Thread:
    created = ThreadFactory(forum=forum, author=author, **thread)
    PostFactory(thread=created, author=author, is_opening=True)
    return created  # type: ignore[no-any-return]


class BrokenScorer:
    """A scorer whose model cannot be read: what it should have assessed must reach a human."""

    name = "broken"
    version = "1"

    def score_batch(self, texts: list[str]) -> list[dict[str, float]]:
        raise RuntimeError("model file unreadable")


def buddy_with_room(forum: Forum, capacity: int = 1, **profile: Any) -> User:
    """A trained supporter of `forum` offering to be a buddy (profile fields may be given)."""
    from app.buddies import service as buddies

    buddy = member_of(forum, MembershipRole.SUPPORTER, **profile.pop("user", {}))
    session = UserFactory._meta.sqlalchemy_session
    buddies.save_profile(
        session,
        forum,
        buddy,
        experiences=profile.get("experiences", []),
        age_band=profile.get("age_band"),
        languages=profile.get("languages", ["en"]),
        capacity=capacity,
        available=True,
    )
    session.commit()
    return buddy


def buddy_request(forum: Forum, member: User, **wanted: Any) -> BuddyRequest:
    """A member's open request for a buddy in `forum`."""
    request = BuddyRequest(forum_id=forum.id, member_id=member.id, **wanted)
    session = UserFactory._meta.sqlalchemy_session
    session.add(request)
    session.commit()
    return request
