"""Confirming an email address: before a member's posts are published or any other email is sent."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clock import ManualClock
from app.forums.models import Forum
from app.moderation_queue.models import ReviewItem, ReviewQueue
from app.posts.models import Post, PostStatus
from tests.conftest import Browser
from tests.factories import ForumFactory, MembershipFactory, member_of, thread_with_opening_post
from tests.mail import emails_to, last_email_to, link_in

PASSWORD = "tidal-harbour-42"
CRISIS = "I can't do this anymore. I want to end it all tonight."


def sign_up(browser: Browser, email: str = "river@example.org", **fields: str) -> None:
    data = {
        "handle": "river_song",
        "email": email,
        "password": PASSWORD,
        "consent": "yes",
        **fields,
    }
    assert browser.post("/register", data).status_code == 200


def confirmation_link(db: Session, email: str = "river@example.org") -> str:
    return link_in(last_email_to(db, email), "/verify-email/")


def river(db: Session) -> User:
    user = db.scalar(select(User).where(User.email == "river@example.org"))
    assert user is not None
    return user


def test_the_emailed_link_confirms_the_address_and_the_member_signs_in(
    browser: Browser, db: Session
) -> None:
    sign_up(browser)
    link = confirmation_link(db)
    page = browser.get(link)
    assert "Is river@example.org your email address?" in page.text
    assert river(db).email_verified_at is None  # opening the link changes nothing (mail scanners)
    confirmed = browser.post(link, follow_redirects=False)
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == "/login?notice=email_verified&next=/"
    assert "your email address is confirmed" in browser.get(confirmed.headers["location"]).text
    assert river(db).email_verified_at is not None
    browser.sign_in("river@example.org", PASSWORD)
    assert "Please confirm your email address" not in browser.get("/").text


def test_a_member_can_sign_in_before_confirming_and_is_reminded(
    browser: Browser, db: Session
) -> None:
    sign_up(browser)
    browser.sign_in("river@example.org", PASSWORD)
    home = browser.get("/").text
    assert "Please confirm your email address" in home and "Send the link again" in home
    confirmed = browser.post(confirmation_link(db), follow_redirects=False)
    assert confirmed.headers["location"] == "/?notice=email_verified"
    home = browser.get(confirmed.headers["location"]).text
    assert "your email address is confirmed" in home
    assert "Please confirm your email address" not in home


def test_the_link_expires_after_48_hours(browser: Browser, db: Session, clock: ManualClock) -> None:
    sign_up(browser)
    link = confirmation_link(db)
    clock.advance(hours=48, seconds=1)
    expired = browser.post(link)
    assert expired.status_code == 410
    assert "This confirmation link no longer works" in expired.text
    assert river(db).email_verified_at is None


def test_the_link_works_once(make_browser: Callable[[], Browser], db: Session) -> None:
    visitor = make_browser()
    sign_up(visitor)
    link = confirmation_link(db)
    assert visitor.post(link, follow_redirects=False).status_code == 303
    assert make_browser().get(link).status_code == 410
    assert make_browser().post(link).status_code == 410


def test_a_new_link_can_be_sent_a_few_times_and_replaces_the_old_one(
    browser: Browser, db: Session
) -> None:
    sign_up(browser)
    first = confirmation_link(db)
    browser.sign_in("river@example.org", PASSWORD)
    resent = browser.post("/account/verify-email/resend")
    assert resent.status_code == 200 and "We have sent a new link" in resent.text
    assert browser.get(first).status_code == 410
    assert browser.get(confirmation_link(db)).status_code == 200
    statuses = [browser.post("/account/verify-email/resend").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert len(emails_to(db, "river@example.org")) == 4


def test_a_post_waits_for_its_author_to_confirm_then_is_published(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai, title="Night hypos")
    newcomer = make_browser()
    sign_up(newcomer)
    MembershipFactory(forum=forum, user=river(db))
    newcomer.sign_in("river@example.org", PASSWORD)
    sent = newcomer.post(
        f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "Glucose tabs by the bed help me."}
    )
    assert "Waiting for you to confirm your email address." in sent.text
    post = db.scalars(select(Post).where(Post.author_id == river(db).id)).one()
    assert post.status is PostStatus.AWAITING_VERIFICATION
    assert db.scalars(select(ReviewItem)).all() == []  # not a moderator's job yet
    reader = make_browser()
    reader.sign_in("kai@example.org")
    assert "Glucose tabs" not in reader.get(f"/f/{forum.slug}/t/{thread.id}").text

    newcomer.post(confirmation_link(db))
    db.expire_all()
    assert db.get(Post, post.id).status is PostStatus.PUBLISHED  # type: ignore[union-attr]
    assert "Glucose tabs" in reader.get(f"/f/{forum.slug}/t/{thread.id}").text


def test_a_crisis_post_from_an_unconfirmed_member_reaches_a_moderator_at_once(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    thread = thread_with_opening_post(forum, member_of(forum), title="Bad days")
    sign_up(browser)
    MembershipFactory(forum=forum, user=river(db))
    browser.sign_in("river@example.org", PASSWORD)
    page = browser.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": CRISIS})
    assert "You don't have to face this alone" in page.text
    (item,) = db.scalars(select(ReviewItem)).all()
    assert item.queue is ReviewQueue.URGENT


def test_an_unconfirmed_member_gets_no_notification_emails(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum: Forum = ForumFactory()
    newcomer = make_browser()
    sign_up(newcomer)
    db.execute(update(User).values(email_preference="immediate"))
    db.commit()
    MembershipFactory(forum=forum, user=river(db))
    thread = thread_with_opening_post(forum, river(db), title="Hello")
    newcomer.sign_in("river@example.org", PASSWORD)
    newcomer.post(f"/f/{forum.slug}/t/{thread.id}/watch")
    kai = make_browser()
    member_of(forum, email="kai@example.org")
    kai.sign_in("kai@example.org")
    kai.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "Welcome! Glad you found us."})
    assert [m.subject for m in emails_to(db, "river@example.org")] == [
        "Confirm your email address for Harbour"
    ]


def test_the_link_carries_the_member_on_to_where_they_were_going(
    browser: Browser, db: Session
) -> None:
    sign_up(browser, next="/f/kidney")
    confirmed = browser.post(confirmation_link(db), follow_redirects=False)
    assert confirmed.headers["location"] == "/login?notice=email_verified&next=/f/kidney"
    signed_in = browser.post(
        "/login",
        {"email": "river@example.org", "password": PASSWORD, "next": "/f/kidney"},
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == "/f/kidney"
