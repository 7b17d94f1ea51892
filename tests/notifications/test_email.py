"""Email: immediate or digest, neutral subjects that never name the condition or quote the post."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.config import Settings
from app.db import make_engine, make_sessionmaker, write_transaction
from app.notifications import email
from app.notifications.models import OutboxEmail
from app.posts.models import Thread
from tests.conftest import Browser
from tests.factories import ForumFactory, member_of, thread_with_opening_post

SECRET_WORDS = ("kidney", "Dialysis diary", "my fistula")


def setup_reply(
    make_browser: Callable[[], Browser], db: Session, preference: str
) -> tuple[User, Browser]:
    forum = ForumFactory(name="Young adults with kidney disease (18–30)")
    kai = member_of(forum, email="kai@example.org", handle="kai")
    db.execute(update(User).where(User.id == kai.id).values(email_preference=preference))
    db.commit()
    member_of(forum, email="sam@example.org", handle="sam")
    thread = thread_with_opening_post(forum, kai, title="Dialysis diary")
    sam = make_browser()
    sam.sign_in("sam@example.org")
    sam.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "My fistula ached for a week too."})
    return kai, sam


def test_an_immediate_email_is_neutral_and_links_to_harbour(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    kai, _sam = setup_reply(make_browser, db, "immediate")
    (mail,) = db.scalars(select(OutboxEmail)).all()
    assert mail.to_address == "kai@example.org" and mail.subject == email.NEUTRAL_SUBJECT
    for secret in SECRET_WORDS:
        assert secret not in mail.subject and secret not in mail.body
    assert "/notifications" in mail.body and f"/unsubscribe/{kai.id}/" in mail.body


def test_digests_count_unread_notifications_once(
    make_browser: Callable[[], Browser], db: Session, settings: Settings
) -> None:
    setup_reply(make_browser, db, "daily")
    assert db.scalars(select(OutboxEmail)).all() == []  # no immediate email for a digest member
    sessions = make_sessionmaker(make_engine(settings.database_url), settings)
    with write_transaction(sessions) as session:
        assert email.send_digests(session, settings, "daily") == 1
    with write_transaction(sessions) as session:
        assert email.send_digests(session, settings, "daily") == 0  # nothing new since
    (mail,) = db.scalars(select(OutboxEmail)).all()
    assert mail.subject == "Your Harbour daily digest" and "1 new notification" in mail.body
    assert not any(secret in mail.body for secret in SECRET_WORDS)


def test_the_unsubscribe_link_asks_first_and_its_button_stops_emails(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    kai, _sam = setup_reply(make_browser, db, "immediate")
    link = re.search(r"/unsubscribe/\d+/\w+", db.scalars(select(OutboxEmail.body)).one())
    assert link
    anonymous = make_browser()
    page = anonymous.get(link.group(0))
    assert page.status_code == 200 and "Stop emails from Harbour?" in page.text
    assert f'action="{link.group(0)}"' in page.text
    db.refresh(kai)
    assert kai.email_preference == "immediate"  # a mail scanner opening the link changes nothing
    done = anonymous.post(link.group(0))
    assert done.status_code == 200 and "You won't get emails" in done.text
    db.refresh(kai)
    assert kai.email_preference == "off"
    assert "already switched off" in anonymous.get(link.group(0)).text
    assert anonymous.get(f"/unsubscribe/{kai.id}/forged").status_code == 404
    member = make_browser()
    member.sign_in("kai@example.org")
    member.post("/account/email", {"preference": "weekly"})
    db.refresh(kai)
    assert kai.email_preference == "weekly"


def test_a_mail_clients_one_click_unsubscribe_needs_only_the_signed_address(
    make_browser: Callable[[], Browser], db: Session, settings: Settings, app: FastAPI
) -> None:
    kai, _sam = setup_reply(make_browser, db, "immediate")
    mail = db.scalars(select(OutboxEmail)).one()
    message = email.message_for(settings, mail)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    address = re.fullmatch(r"<(https?://[^/]+)(/unsubscribe/\d+/\w+)>", message["List-Unsubscribe"])
    assert address and address.group(2) in mail.body
    # RFC 8058: the client POSTs this body with no cookies, no CSRF token, no redirects followed.
    with TestClient(app, base_url="http://testserver") as client:
        forged = client.post(
            f"/unsubscribe/{kai.id}/forged", data={"List-Unsubscribe": "One-Click"}
        )
        assert forged.status_code == 404
        done = client.post(address.group(2), data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200
    db.refresh(kai)
    assert kai.email_preference == "off"


def test_security_emails_carry_no_unsubscribe_header(db: Session, settings: Settings) -> None:
    mail = OutboxEmail(to_address="a@example.org", subject="Reset", body="Link", kind="reset")
    assert "List-Unsubscribe" not in email.message_for(settings, mail)


def test_emails_come_in_the_language_the_member_chose(
    make_browser: Callable[[], Browser], db: Session, settings: Settings
) -> None:
    forum = ForumFactory(name="Young adults with kidney disease (18–30)")
    kai = member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, email="sam@example.org", handle="sam")
    thread = thread_with_opening_post(forum, kai, title="Dialysis diary")
    db.execute(update(User).where(User.id == kai.id).values(email_preference="daily"))
    db.commit()
    kai_browser = make_browser()
    kai_browser.sign_in("kai@example.org")
    kai_browser.post("/language", {"language": "cy"})  # remembered on the account
    sam = make_browser()
    sam.sign_in("sam@example.org")  # sam reads in English; that does not matter
    sam.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "My fistula ached for a week too."})
    sessions = make_sessionmaker(make_engine(settings.database_url), settings)
    with write_transaction(sessions) as session:
        assert email.send_digests(session, settings, "daily") == 1
    (mail,) = db.scalars(select(OutboxEmail)).all()
    assert mail.subject == "Eich crynodeb dyddiol gan Harbour"
    assert "Mae gennych 1 hysbysiad newydd ar Harbour" in mail.body
    assert "Rhowch y gorau i'r e-byst hyn gydag un clic" in mail.body
    assert not any(secret in mail.subject + mail.body for secret in SECRET_WORDS)


def test_a_member_who_registers_in_welsh_gets_welsh_emails(browser: Browser, db: Session) -> None:
    browser.post("/language", {"language": "cy"})
    browser.post(
        "/register",
        {
            "handle": "eleri",
            "email": "eleri@example.org",
            "password": "tidal harbour lantern",
            "consent": "yes",
        },
    )
    assert db.scalars(select(User.language).where(User.handle == "eleri")).one() == "cy"


def test_a_digest_counts_replies_in_the_members_own_threads_naming_them_only_if_asked(
    make_browser: Callable[[], Browser], db: Session, settings: Settings
) -> None:
    kai, sam = setup_reply(make_browser, db, "daily")
    forum = db.scalars(select(Thread)).one().forum
    other = thread_with_opening_post(forum, kai, title="Fistula care")
    for body in ("A sensor alarm changed my nights.", "Sending you strength today."):
        sam.post(f"/f/{forum.slug}/t/{other.id}/reply", {"body": body})
    sessions = make_sessionmaker(make_engine(settings.database_url), settings)
    with write_transaction(sessions) as session:
        email.send_digests(session, settings, "daily")
    neutral = db.scalars(select(OutboxEmail)).one()
    assert "3 new replies are waiting in 2 of your threads." in neutral.body
    assert "Fistula" not in neutral.body and "Dialysis diary" not in neutral.body
    member = make_browser()
    member.sign_in("kai@example.org")
    member.post("/account/email", {"preference": "daily", "titles": "true"})
    db.execute(update(User).where(User.id == kai.id).values(last_digest_at=None))
    db.commit()
    with write_transaction(sessions) as session:
        email.send_digests(session, settings, "daily")
    named = db.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    assert named is not None and named.id != neutral.id
    assert "- “Fistula care”: 2 replies\n- “Dialysis diary”: 1 reply" in named.body
    assert "Fistula" not in named.subject
