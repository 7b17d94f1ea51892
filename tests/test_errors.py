"""Bad input gets a clear message and the right status code, never a 500."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.forums.models import MembershipRole
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of, thread_with_opening_post


def test_unknown_pages_are_html_for_browsers_and_problem_json_for_apis(
    browser: Browser, db: Session
) -> None:
    html = browser.get("/no/such/page", headers={"Accept": "text/html"})
    assert html.status_code == 404 and "couldn&#39;t find that page" in html.text
    problem = browser.get("/no/such/page", headers={"Accept": "application/json"})
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"
    body = problem.json()
    assert body["status"] == 404 and body["title"] == "Not Found" and body["detail"]


BEYOND_THE_DATABASE = ("not-a-number", "0", "-1", str(2**31), str(2**63), str(10**30))


def test_a_malformed_or_out_of_range_id_in_an_address_is_not_found(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    member_of(forum, MembershipRole.MODERATOR, email="kai@example.org")
    browser.sign_in("kai@example.org")
    for bad in BEYOND_THE_DATABASE:
        for path in (
            f"/f/{forum.slug}/t/{bad}",
            f"/posts/{bad}",
            f"/moderation/items/{bad}",
            f"/moderation/members/{bad}?forum={forum.slug}",
        ):
            response = browser.get(path)
            assert response.status_code == 404, path
            assert "couldn&#39;t find that page" in response.text


def test_out_of_range_numbers_in_a_link_or_a_form_are_refused_clearly(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, MembershipRole.MODERATOR, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    assert browser.get(f"/moderation?since={2**63}").status_code == 400
    assert browser.get(f"/f/{forum.slug}/t/{thread.id}?page=0").status_code == 400
    for field in ("item_ids", "author_id"):
        response = browser.post(
            "/moderation/bulk", {"action": "reject", field: str(2**64), "reason": "Spam."}
        )
        assert response.status_code == 422
        assert 'href="#' + field + '"' in response.text  # the error summary links to the field
        assert "Spam." in response.text  # and what was typed comes back


def test_a_malformed_form_is_refused_clearly(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    huge_title = "t" * 5000
    response = browser.post(f"/f/{forum.slug}/new", {"title": huge_title, "body": "My post"})
    assert response.status_code == 422
    assert "Keep the title under 150 characters." in response.text
    assert huge_title in response.text and "My post" in response.text


def test_an_expired_session_on_submit_keeps_the_draft(browser: Browser, db: Session) -> None:
    from sqlalchemy import update

    from app.accounts.models import UserSession
    from app.db import utcnow

    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    db.execute(update(UserSession).values(revoked_at=utcnow()))
    db.commit()
    response = browser.post(
        f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "My long heartfelt reply"}
    )
    assert response.status_code == 401
    assert "Your session has expired" in response.text
    assert "My long heartfelt reply" in response.text


def test_the_wrong_method_is_a_clear_405(browser: Browser, db: Session) -> None:
    UserFactory()
    response = browser.get("/logout")
    assert response.status_code == 405
