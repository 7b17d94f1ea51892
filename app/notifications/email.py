"""Email about notifications: immediate or as a daily / weekly digest, with one-click unsubscribe.

Subjects and bodies are neutral on purpose: an email can be read over a shoulder or on a shared
screen, so it never names a forum's condition, a thread or anything a member wrote; it links to
Harbour, where the member signs in to read. Each email is written in the member's language.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app import i18n
from app.accounts.models import User
from app.config import Settings
from app.db import after_commit, utcnow, write_transaction
from app.i18n import N_, _, ngettext
from app.notifications.models import Notification, OutboxEmail
from app.posts.models import Post, Thread
from app.security import signature, signature_is_valid

logger = logging.getLogger(__name__)

PREFERENCES = {
    "off": N_("No emails"),
    "immediate": N_("An email for each new notification"),
    "daily": N_("A daily digest"),
    "weekly": N_("A weekly digest"),
}
NEUTRAL_SUBJECT = N_("Something new for you on Harbour")
DIGEST_SUBJECTS = {
    "daily": N_("Your Harbour daily digest"),
    "weekly": N_("Your Harbour weekly digest"),
}
DIGEST_PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def settings_of(session: Session) -> Settings | None:
    settings = session.info.get("settings")
    return settings if isinstance(settings, Settings) else None


def unsubscribe_token(secret_key: str, user_id: int) -> str:
    return signature(secret_key, "unsubscribe", user_id)[:32]


def token_is_valid(secret_key: str, user_id: int, token: str) -> bool:
    return signature_is_valid(secret_key, token, "unsubscribe", user_id, length=32)


def unsubscribe_url(settings: Settings, user: User) -> str:
    """The signed address that stops a member's notification emails: opened, it asks to confirm
    (nothing changes on GET); a POST to it (the page's button, or a mail client's RFC 8058
    one-click) stops them."""
    return f"{settings.base_url}/unsubscribe/{user.id}/{unsubscribe_token(settings.secret_key, user.id)}"


def _footer(settings: Settings, user: User) -> str:
    link = unsubscribe_url(settings, user)
    return "\n\n" + _(
        "You can change how often Harbour emails you on your account page: {account}\n"
        "Stop these emails with one click: {unsubscribe}\n"
    ).format(account=f"{settings.base_url}/account", unsubscribe=link)


def queue(
    session: Session, settings: Settings, user: User, subject: str, body: str, kind: str
) -> OutboxEmail:
    """Queue an email about notifications (with the unsubscribe footer); call it inside
    `i18n.language(user.language)` so all of it is in theirs."""
    mail = send_to_address(
        session, settings, user.email, subject, body + _footer(settings, user), kind
    )
    mail.list_unsubscribe = unsubscribe_url(settings, user)
    return mail


def send_to_address(
    session: Session, settings: Settings, to_address: str, subject: str, body: str, kind: str
) -> OutboxEmail:
    """Queue an email to an address, e.g. an account's security email (a reset link, a
    confirmation link), which is sent whatever the member's notification preference."""
    mail = OutboxEmail(to_address=to_address, subject=subject, body=body, kind=kind)
    session.add(mail)
    session.flush()
    if settings.email_mode == "smtp":
        mail_id = mail.id
        after_commit(session, lambda: deliver(settings, session.info["sessions"], mail_id))
    return mail


def notification_email(session: Session, user: User) -> None:
    """Called when a notification is created: an immediate email if the member asked for one."""
    settings = settings_of(session)
    if (
        settings is None
        or user.email_preference != "immediate"
        or user.deleted_at is not None
        or not user.email_verified
    ):
        return
    with i18n.language(user.language):
        queue(
            session,
            settings,
            user,
            _(NEUTRAL_SUBJECT),
            _(
                "Hello {handle},\n\nThere is something new for you on Harbour. "
                "Sign in to read it:\n{url}"
            ).format(handle=user.handle, url=f"{settings.base_url}/notifications"),
            "notification",
        )


def send_digests(session: Session, settings: Settings, period: str) -> int:
    """One digest email to each member who chose this period and has unread notifications."""
    since_default = utcnow() - DIGEST_PERIODS[period]
    sent = 0
    for user in session.scalars(
        select(User).where(
            User.email_preference == period,
            User.deleted_at.is_(None),
            User.email_verified_at.is_not(None),
        )
    ):
        since = user.last_digest_at or since_default
        unread = (
            session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(
                    Notification.user_id == user.id,
                    Notification.read_at.is_(None),
                    Notification.created_at > since,
                )
            )
            or 0
        )
        if unread:
            with i18n.language(user.language):
                body = ngettext(
                    "Hello {handle},\n\nYou have {count} new notification on Harbour. "
                    "Sign in to read it:\n{url}",
                    "Hello {handle},\n\nYou have {count} new notifications on Harbour. "
                    "Sign in to read them:\n{url}",
                    unread,
                ).format(handle=user.handle, count=unread, url=f"{settings.base_url}/notifications")
                body += _replies_to_own_threads(session, user, since)
                queue(session, settings, user, _(DIGEST_SUBJECTS[period]), body, f"digest.{period}")
            sent += 1
        user.last_digest_at = utcnow()
    return sent


def message_for(settings: Settings, mail: OutboxEmail) -> EmailMessage:
    """The email as sent. A notification email carries RFC 8058 one-click unsubscribe headers,
    so a mail client's "Unsubscribe" button works without opening a page."""
    message = EmailMessage()
    message["From"] = settings.email_from
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    if mail.list_unsubscribe:
        message["List-Unsubscribe"] = f"<{mail.list_unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.body)
    return message


def _replies_to_own_threads(session: Session, user: User, since: datetime) -> str:
    """A reason to come back: how many replies wait in the member's own threads, and in which
    (by title only if they opted in to titles in email; otherwise only numbers)."""
    urls = session.scalars(
        select(Notification.url).where(
            Notification.user_id == user.id,
            Notification.kind == "post.reply",
            Notification.read_at.is_(None),
            Notification.created_at > since,
        )
    )
    post_ids = [int(url[7:]) for url in urls if url.startswith("/posts/") and url[7:].isdigit()]
    if not post_ids:
        return ""
    per_thread = session.execute(
        select(Thread.title, func.count(Post.id))
        .join(Post, Post.thread_id == Thread.id)
        .where(Post.id.in_(post_ids), Thread.author_id == user.id)
        .group_by(Thread.id, Thread.title)
        .order_by(func.count(Post.id).desc(), Thread.title)
    ).all()
    replies = sum(count for _title, count in per_thread)
    if not replies:
        return ""
    text = "\n\n" + ngettext(
        "{count} new reply is waiting in {threads} of your threads.",
        "{count} new replies are waiting in {threads} of your threads.",
        replies,
    ).format(count=replies, threads=len(per_thread))
    if user.email_titles:
        for title, count in per_thread:
            text += "\n- " + ngettext(
                "“{title}”: {count} reply", "“{title}”: {count} replies", count
            ).format(title=title, count=count)
    return text


def deliver(settings: Settings, sessions: object, mail_id: int) -> bool:
    """Send one queued email over SMTP and mark it sent (after the commit that queued it); False
    when the server could not take it. The SMTP conversation holds no transaction: only marking
    it sent writes."""
    with sessions() as session:  # type: ignore[operator]
        mail = session.get(OutboxEmail, mail_id)
        if mail is None or mail.sent_at is not None:
            return mail is not None
        message = message_for(settings, mail)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        logger.exception("could not send email %s; it stays in the outbox", mail_id)
        return False
    with write_transaction(sessions) as session:  # type: ignore[arg-type]
        session.execute(
            update(OutboxEmail).where(OutboxEmail.id == mail_id).values(sent_at=utcnow())
        )
    return True
