"""The admin console's alert set-up: the webhook address is checked (https in production), the
signing secret can be replaced, the escalation time saved, and test alerts are limited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.alerts import service as alerts
from app.alerts.views import webhook_url_error
from app.config import Environment
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory


def test_a_webhook_address_must_be_https_in_production() -> None:
    assert (
        webhook_url_error("https://hooks.slack.com/services/T0/B0/x", Environment.PRODUCTION)
        is None
    )
    assert webhook_url_error("http://hooks.example/x", Environment.PRODUCTION)
    assert webhook_url_error("http://127.0.0.1:9000/x", Environment.DEVELOPMENT) is None
    assert webhook_url_error("javascript:alert(1)", Environment.DEVELOPMENT)
    assert webhook_url_error("file:///etc/passwd", Environment.DEVELOPMENT)
    assert webhook_url_error("https://", Environment.DEVELOPMENT)


def test_the_admin_saves_a_webhook_replaces_its_secret_and_a_bad_address_is_given_back(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    UserFactory(email="admin@example.org", site_role=SiteRole.ADMIN)
    browser.sign_in("admin@example.org")
    address = f"/admin/forums/{forum.slug}/safeguarding/alerts"

    refused = browser.post(
        address, {"webhook_url": "ftp://files.example/x", "escalate_after_minutes": "7"}
    )
    assert refused.status_code == 422
    assert (
        "Use the https address" in refused.text and 'value="ftp://files.example/x"' in refused.text
    )
    assert alerts.alerting_of(db, forum.id) is None

    browser.post(
        address,
        {"webhook_url": "https://hooks.slack.com/services/T0/B0/x", "escalate_after_minutes": "7"},
    )
    saved = alerts.alerting_of(db, forum.id)
    assert (
        saved is not None and saved.escalate_after_minutes == 7 and len(saved.webhook_secret) == 64
    )
    first_secret = saved.webhook_secret
    page = browser.get(f"/admin/forums/{forum.slug}/safeguarding").text
    assert (
        first_secret in page and "If nobody claims the item within 7 minutes" not in page
    )  # no lead

    browser.post(
        address,
        {
            "webhook_url": "https://hooks.slack.com/services/T0/B0/x",
            "escalate_after_minutes": "7",
            "new_secret": "true",
            "webhook_language": "cy",
        },
    )
    db.refresh(saved)
    assert saved.webhook_secret != first_secret
    assert saved.webhook_language == "cy"  # the channel's language; emails follow each reader's
    page = browser.get(f"/admin/forums/{forum.slug}/safeguarding").text
    assert '<option value="cy" selected>Cymraeg</option>' in page


def test_test_alerts_are_limited_to_a_few_a_minute(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    UserFactory(email="admin@example.org", site_role=SiteRole.ADMIN)
    browser.sign_in("admin@example.org")
    statuses = [
        browser.post(
            f"/admin/forums/{forum.slug}/safeguarding/test", follow_redirects=False
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [303] * 5 + [429]
