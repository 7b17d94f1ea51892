"""Security that every page and form gets: CSRF, headers, object-level authorisation."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Environment, Settings
from app.main import create_app
from app.posts.models import Post
from tests.conftest import Browser, csrf_token_in
from tests.factories import ForumFactory, UserFactory, member_of, thread_with_opening_post


def test_a_form_without_its_csrf_token_changes_nothing(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    for token in (None, "0" * 64):
        data = {"body": "Forged reply"}
        if token:
            data["csrf_token"] = token
        response = browser.client.post(f"/f/{forum.slug}/t/{thread.id}/reply", data=data)
        assert response.status_code == 403
        assert "This form has expired or was sent from another site" in response.text
    assert db.scalars(select(Post).where(Post.is_opening.is_(False))).all() == []


def test_the_csrf_token_is_bound_to_the_visitor(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, email="attacker@example.org")
    thread = thread_with_opening_post(forum, kai)
    victim, attacker = make_browser(), make_browser()
    victim.sign_in("kai@example.org")
    attacker.sign_in("attacker@example.org")
    attackers_token = csrf_token_in(attacker.get("/"))
    response = victim.client.post(
        f"/f/{forum.slug}/t/{thread.id}/reply", data={"body": "x", "csrf_token": attackers_token}
    )
    assert response.status_code == 403


def test_htmx_requests_may_send_the_token_as_a_header(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    token = csrf_token_in(browser.get("/"))
    response = browser.client.post(
        f"/f/{forum.slug}/t/{thread.id}/reply",
        data={"body": "Thanks everyone"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 200


def test_every_page_carries_a_strict_csp_and_safety_headers(browser: Browser, db: Session) -> None:
    response = browser.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_pages_for_signed_in_members_are_never_cached(browser: Browser, db: Session) -> None:
    assert browser.get("/").headers.get("cache-control") != "no-store"
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    assert browser.get("/").headers["cache-control"] == "no-store"
    assert browser.get("/account").headers["cache-control"] == "no-store"


def test_no_page_has_inline_script_or_style(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    for url in (
        "/",
        "/account",
        f"/f/{forum.slug}",
        f"/f/{forum.slug}/t/{thread.id}",
        f"/f/{forum.slug}/new",
    ):
        html = browser.get(url).text
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert " onclick=" not in html


def test_a_thread_id_from_another_forum_is_not_found(browser: Browser, db: Session) -> None:
    forum_a, forum_b = ForumFactory(), ForumFactory()
    member_of(forum_a, email="kai@example.org")
    secret = thread_with_opening_post(forum_b, UserFactory(), title="Private to forum B")
    browser.sign_in("kai@example.org")
    response = browser.get(f"/f/{forum_a.slug}/t/{secret.id}")
    assert response.status_code == 404 and "Private to forum B" not in response.text
    reply = browser.post(f"/f/{forum_a.slug}/t/{secret.id}/reply", {"body": "sneaky"})
    assert reply.status_code == 404
    direct = browser.post(f"/f/{forum_b.slug}/t/{secret.id}/reply", {"body": "sneaky"})
    assert direct.status_code == 403


def test_a_post_permalink_respects_forum_membership(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    thread = thread_with_opening_post(forum, UserFactory())
    post = db.scalars(select(Post).where(Post.thread_id == thread.id)).one()
    UserFactory(email="outsider@example.org")
    browser.sign_in("outsider@example.org")
    assert browser.get(f"/posts/{post.id}").status_code == 404


def test_the_client_address_comes_only_from_a_trusted_proxys_last_hop(
    settings: Settings, db: Session
) -> None:
    """Rotating X-Forwarded-For must not dodge the per-address sign-in limit."""
    behind_proxy = create_app(settings.model_copy(update={"trusted_proxies": "10.0.0.0/8"}))
    proxy = TestClient(behind_proxy, client=("10.1.2.3", 443))
    direct = TestClient(behind_proxy, client=("203.0.113.9", 4000))
    for client, spoofed in ((proxy, True), (direct, False)):
        statuses = []
        for i in range(31):
            # The client writes whatever it likes on the left; the proxy appends what it saw.
            forwarded = f"198.51.100.{i}, 192.0.2.77" if spoofed else f"198.51.100.{i}"
            statuses.append(
                Browser(client)
                .post(
                    "/login",
                    {"email": f"p{i}@example.org", "password": "nope"},
                    headers={"X-Forwarded-For": forwarded},
                )
                .status_code
            )
        assert statuses[-1] == 429, "the same client got round the per-address limit"
    behind_proxy.state.engine.dispose()


def test_production_responses_carry_hsts(settings: Settings, db: Session) -> None:
    production = create_app(settings.model_copy(update={"environment": Environment.PRODUCTION}))
    with TestClient(production, base_url="https://harbour.example") as client:
        response = client.get("/healthz")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    production.state.engine.dispose()
