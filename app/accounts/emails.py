"""The emails an account sends about itself: links to confirm an address or reset a password,
and notices of security changes. Like every Harbour email they name no forum or condition."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import i18n
from app.config import Settings
from app.i18n import N_, _
from app.notifications.email import send_to_address


def _send(
    session: Session,
    settings: Settings,
    to_address: str,
    language: str,
    kind: str,
    subject: str,
    body: str,
    **values: str,
) -> None:
    """Write the email in `language` (subject and body are catalogue messages)."""
    with i18n.language(language):
        text = _(body).format(site=settings.base_url, **values)
        sign_off = "\n\n" + _("The Harbour team")
        send_to_address(session, settings, to_address, _(subject), text + sign_off, kind)


def password_reset(
    session: Session, settings: Settings, to_address: str, language: str, token: str
) -> None:
    _send(
        session,
        settings,
        to_address,
        language,
        "account.password_reset",
        N_("Reset your Harbour password"),
        N_(
            "Someone (we hope you) asked to reset the password of your Harbour account.\n\n"
            "Choose a new password here within 30 minutes:\n{link}\n\n"
            "The link works once. If you didn't ask, ignore this email: your password stays as it is."
        ),
        link=f"{settings.base_url}/password/reset/{token}",
    )


def no_account(session: Session, settings: Settings, to_address: str, language: str) -> None:
    """Sent instead of a reset link when no account uses the address, so the page that asked
    looks and takes the same whether or not the address is registered."""
    _send(
        session,
        settings,
        to_address,
        language,
        "account.no_account",
        N_("Reset your Harbour password"),
        N_(
            "Someone (we hope you) asked to reset a Harbour password for this email address, "
            "but no Harbour account uses it.\n\n"
            "If you have an account, you may have signed up with another address. "
            "You can also create an account: {site}/register\n\n"
            "If you didn't ask, you can ignore this email."
        ),
    )


def password_changed(session: Session, settings: Settings, to_address: str, language: str) -> None:
    _send(
        session,
        settings,
        to_address,
        language,
        "account.password_changed",
        N_("Your Harbour password was changed"),
        N_(
            "The password of your Harbour account was just changed, and every other device that "
            "was signed in has been signed out.\n\n"
            "If this wasn't you, reset your password now: {site}/password/forgot"
        ),
    )


def confirm_address(
    session: Session, settings: Settings, to_address: str, language: str, token: str
) -> None:
    _send(
        session,
        settings,
        to_address,
        language,
        "account.confirm_address",
        N_("Confirm your email address for Harbour"),
        N_(
            "Please confirm that this is your email address, so you can post on Harbour:\n"
            "{link}\n\n"
            "The link works for 48 hours. If you didn't ask for a Harbour account, ignore this "
            "email and nothing more will be sent to you."
        ),
        link=f"{settings.base_url}/verify-email/{token}",
    )


def already_registered(
    session: Session, settings: Settings, to_address: str, language: str
) -> None:
    """Sent when someone signs up with an address that already has an account."""
    _send(
        session,
        settings,
        to_address,
        language,
        "account.already_registered",
        N_("Confirm your email address for Harbour"),
        N_(
            "Someone (we hope you) tried to create a Harbour account with this email address, "
            "but you already have one.\n\n"
            "Sign in here: {site}/login\n"
            "Forgotten your password? Choose a new one: {site}/password/forgot\n\n"
            "If this wasn't you, you can ignore this email: nothing has changed."
        ),
    )


def mask(address: str) -> str:
    """ "river@example.org" as "r****@example.org": enough to recognise, not to harvest."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}{'*' * max(len(local) - 1, 1)}@{domain}"


def address_change_requested(
    session: Session, settings: Settings, to_address: str, language: str, new_address: str
) -> None:
    """Tells the old address that the account is being moved to a new one."""
    _send(
        session,
        settings,
        to_address,
        language,
        "account.email_change",
        N_("Your Harbour email address is being changed"),
        N_(
            "Someone signed in to your Harbour account asked to change its email address to "
            "{new_address}. The change happens when that address is confirmed.\n\n"
            "If this wasn't you, reset your password now so nobody else can sign in: "
            "{site}/password/forgot"
        ),
        new_address=mask(new_address),
    )


def address_in_use(session: Session, settings: Settings, to_address: str, language: str) -> None:
    """Sent when an account asks to move to an address that another account already uses."""
    _send(
        session,
        settings,
        to_address,
        language,
        "account.address_in_use",
        N_("Confirm your email address for Harbour"),
        N_(
            "Someone asked to move a Harbour account to this email address, but an account "
            "already uses it, so nothing has changed.\n\n"
            "If that account is yours, you can sign in here: {site}/login"
        ),
    )


def two_factor_reset(
    session: Session, settings: Settings, to_address: str, language: str, set_up_again: bool
) -> None:
    """An admin turned off the person's two-factor sign-in (say, after a lost phone)."""
    _send(
        session,
        settings,
        to_address,
        language,
        "account.two_factor_reset",
        N_("Your Harbour sign-in was changed"),
        N_(
            "An admin has reset the two-factor sign-in of your Harbour account: the "
            "authenticator app and the recovery codes you had no longer work, and every device "
            "that was signed in has been signed out.\n\n"
            "When you next sign in, with your password, you will be asked to set it up again."
        )
        if set_up_again
        else N_(
            "An admin has reset the two-factor sign-in of your Harbour account: the "
            "authenticator app and the recovery codes you had no longer work, and every device "
            "that was signed in has been signed out.\n\n"
            "You now sign in with your password alone. You can turn two-factor sign-in on "
            "again from your account: {site}/account/two-factor"
        ),
    )
