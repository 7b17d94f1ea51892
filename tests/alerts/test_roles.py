"""Per-forum safeguarding roles: an admin gives a forum's moderators roles in the console (a
person may hold several); only that forum's moderators can hold them, and every change is audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.audit.models import AuditEvent
from app.forums import service as forums
from app.forums.models import Membership, MembershipRole
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of


def test_an_admin_gives_moderators_several_roles_and_only_moderators_hold_them(
    browser: Browser, db: Session
) -> None:
    forum, other = ForumFactory(), ForumFactory()
    UserFactory(email="admin@example.org", site_role=SiteRole.ADMIN)
    rowan = member_of(forum, MembershipRole.MODERATOR, handle="mod_rowan")
    alex = member_of(forum, MembershipRole.MODERATOR, handle="mod_alex")
    sam = member_of(forum, handle="sam")  # a member, not a moderator
    elsewhere = member_of(other, MembershipRole.MODERATOR, handle="mod_elsewhere")
    ids = {
        u.handle: db.scalar(select(Membership.id).where(Membership.user_id == u.id))
        for u in (rowan, alex, sam, elsewhere)
    }
    browser.sign_in("admin@example.org")

    page = browser.get(f"/admin/forums/{forum.slug}/safeguarding").text
    assert "mod_rowan" in page and "mod_alex" in page and "sam" not in page
    assert "Clinical reviewer" in page and "Out-of-hours contact" in page

    response = browser.post(
        f"/admin/forums/{forum.slug}/safeguarding/roles",
        {
            "roles": [  # type: ignore[dict-item]
                f"{ids['mod_rowan']}:on_call",
                f"{ids['mod_rowan']}:safeguarding_lead",
                f"{ids['mod_alex']}:clinically_trained",
                f"{ids['sam']}:safeguarding_lead",
                f"{ids['mod_elsewhere']}:on_call",
            ]
        },
        follow_redirects=False,
    )
    assert response.status_code == 303

    def holders(role: str) -> list[str]:
        return [u.handle for u in forums.moderators_with_role(db, forum.id, role)]

    assert holders("on_call") == ["mod_rowan"]
    assert holders("safeguarding_lead") == ["mod_rowan"]  # the member's box is ignored
    assert holders("clinically_trained") == ["mod_alex"]
    assert [u.handle for u in forums.moderators_with_role(db, other.id, "on_call")] == []
    assert "checked" in browser.get(f"/admin/forums/{forum.slug}/safeguarding").text
    audited = db.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "membership.safeguarding_roles")
    ).all()
    assert sorted(d["roles"] for d in audited) == [
        ["clinically_trained"],
        ["on_call", "safeguarding_lead"],
    ]

    # Unticking takes a role away.
    browser.post(
        f"/admin/forums/{forum.slug}/safeguarding/roles",
        {"roles": f"{ids['mod_rowan']}:on_call"},
    )
    assert holders("safeguarding_lead") == [] and holders("on_call") == ["mod_rowan"]


def test_a_forum_without_moderators_says_so(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    UserFactory(email="admin@example.org", site_role=SiteRole.ADMIN)
    browser.sign_in("admin@example.org")
    page = browser.get(f"/admin/forums/{forum.slug}/safeguarding").text
    assert "This forum has no moderators yet" in page


def test_only_site_admins_set_roles(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    browser.sign_in("rowan@example.org")
    assert browser.get(f"/admin/forums/{forum.slug}/safeguarding").status_code == 403
