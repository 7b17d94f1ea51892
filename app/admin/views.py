"""The admin console: only site admins reach it (forum moderators get their forums' join requests)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import object_session

import moderation
from app.accounts import service as accounts
from app.accounts.data import my_posts
from app.accounts.models import User
from app.admin import service, site_settings
from app.audit import service as audit
from app.db import utcnow
from app.deps import (
    ClockDep,
    CurrentUser,
    ModeratedForum,
    Moderator,
    OptionalUser,
    PathId,
    RecentlyAuthenticatedAdmin,
    SessionDep,
    SettingsDep,
    SiteAdmin,
    Slug,
    Submission,
    Token,
)
from app.forums import service as forums
from app.forums.models import (
    Forum,
    Invite,
    JoinPolicy,
    Membership,
    MembershipStatus,
    ModerationMode,
    Visibility,
)
from app.i18n import N_, _
from app.moderation_queue import sanctions
from app.templating import render

router = APIRouter()


Text = Annotated[str, Form(max_length=20_000)]
Short = Annotated[str, Form(max_length=200)]


def _forum(db: SessionDep, slug: str) -> Forum:
    forum = forums.get_by_slug(db, slug)
    if forum is None:
        raise HTTPException(404, _("There is no forum at this address."))
    return forum


def _confirm(request: Request, title: str, detail: str, fields: dict[str, Any]) -> Response:
    """Dangerous actions ask once more before anything changes."""
    return render(
        request,
        "admin/confirm.html",
        {"title": title, "detail": detail, "fields": fields, "action": request.url.path},
    )


@router.get("/admin")
def index(request: Request, db: SessionDep, admin: SiteAdmin) -> Response:
    all_forums = forums.all_forums(db)
    pending = {f.id: len(service.join_requests(db, f)) for f in all_forums}
    return render(request, "admin/index.html", {"forums": all_forums, "pending": pending})


FORUM_FIELDS = (*service.FORUM_FIELDS, "joining_questions", *service.ELIGIBILITY_FIELDS)


def _forum_form(
    request: Request,
    forum: Forum | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/forum_form.html",
        {
            "forum": forum,
            "values": values,
            "errors": errors,
            "visibilities": list(Visibility),
            "join_policies": list(JoinPolicy),
            "modes": list(ModerationMode),
            "cover": _cover(forum),
        },
        status_code=status_code,
    )


def _cover(forum: Forum | None) -> Sequence[User]:
    session = object_session(forum) if forum is not None else None
    return forums.covering_moderators(session, forum) if forum and session else []


def _forum_values(forum: Forum | None) -> dict[str, Any]:
    if forum is None:
        return {
            "visibility": "members_only",
            "join_policy": "open",
            "moderation_mode": "hold_flagged",
            "joining_questions": "",
            "outcome_every_weeks": "6",
        }
    values = {f: getattr(forum, f) for f in FORUM_FIELDS}
    values["joining_questions"] = "\n".join(forum.joining_questions)
    values["eligibility_questions"] = "\n".join(forum.eligibility_questions)
    for key in ("age_min", "age_max"):
        values[key] = "" if values[key] is None else str(values[key])
    for key in ("visibility", "join_policy", "moderation_mode"):
        values[key] = values[key].value
    values["outcome_every_weeks"] = str(forum.policy.outcome_every_weeks)
    return values


@router.get("/admin/forums/new")
def new_forum(request: Request, admin: SiteAdmin) -> Response:
    return _forum_form(request, None, _forum_values(None), {})


@router.get("/admin/forums/{slug}")
def edit_forum(request: Request, db: SessionDep, admin: SiteAdmin, slug: Slug) -> Response:
    forum = _forum(db, slug)
    return _forum_form(request, forum, _forum_values(forum), {})


def _save_forum(
    request: Request, db: SessionDep, admin: User, forum: Forum | None, **fields: Any
) -> Response:
    values = {**fields, "slug": fields["slug"].strip().lower(), "name": fields["name"].strip()}
    try:
        values["visibility"] = Visibility(values["visibility"])
        values["join_policy"] = JoinPolicy(values["join_policy"])
        values["moderation_mode"] = ModerationMode(values["moderation_mode"])
        service.validate_forum(db, values, forum)
    except ValueError:
        return _forum_form(request, forum, fields, {"visibility": _("Choose from the lists.")}, 422)
    except service.AdminInputError as exc:
        return _forum_form(request, forum, fields, exc.errors, 422)
    if forum is None:
        forum = forums.create_forum(db, slug=values["slug"], name=values["name"], actor=admin)
        forum.position = len(forums.all_forums(db))
        forum.opened_at = None  # opened to members once someone moderates it
    service.apply_forum_fields(forum, values)
    audit.record(
        db,
        actor_id=admin.id,
        action="forum.update",
        target_type="forum",
        target_id=forum.id,
        forum_id=forum.id,
    )
    return RedirectResponse(f"/admin/forums/{forum.slug}?saved=1", status_code=303)


def forum_form_fields(
    address: Short = "",
    name: Short = "",
    description: Text = "",
    audience: Short = "",
    visibility: Short = "members_only",
    join_policy: Short = "open",
    moderation_mode: Short = "hold_flagged",
    guidelines: Text = "",
    eligibility: Short = "",
    welcome_message: Text = "",
    joining_questions: Text = "",
    age_min: Annotated[str, Form(max_length=3)] = "",
    age_max: Annotated[str, Form(max_length=3)] = "",
    eligibility_questions: Text = "",
    ineligible_message: Text = "",
    outcome_every_weeks: Annotated[str, Form(max_length=3)] = "6",
) -> dict[str, Any]:
    fields = dict(locals())
    fields["slug"] = fields.pop("address")  # "slug" is the URL's own parameter on edit routes
    return fields


ForumFields = Annotated[dict[str, Any], Depends(forum_form_fields)]


@router.post("/admin/forums/new")
def create_forum(
    request: Request, db: SessionDep, admin: SiteAdmin, submission: Submission, fields: ForumFields
) -> Response:
    if earlier := submission.replay():
        return earlier
    response = _save_forum(request, db, admin, None, **fields)
    return submission.done(response) if isinstance(response, RedirectResponse) else response


@router.post("/admin/forums/{slug}")
def update_forum(
    request: Request, db: SessionDep, admin: SiteAdmin, slug: Slug, fields: ForumFields
) -> Response:
    return _save_forum(request, db, admin, _forum(db, slug), **fields)


@router.post("/admin/forums/{slug}/archive")
def archive_forum(
    request: Request,
    db: SessionDep,
    admin: SiteAdmin,
    slug: Slug,
    confirmed: Annotated[bool, Form()] = False,
) -> Response:
    forum = _forum(db, slug)
    if not confirmed:
        return _confirm(
            request,
            _("Archive {forum}?").format(forum=forum.name),
            _(
                "Members will still be able to read it, but nobody can post. You can't undo this here."
            ),
            {},
        )
    service.archive(db, forum, admin)
    return RedirectResponse("/admin?archived=1", status_code=303)


@router.post("/admin/forums/{slug}/open")
def open_forum(request: Request, db: SessionDep, admin: SiteAdmin, slug: Slug) -> Response:
    """Open a forum to members: only while it has a moderator (no forum without cover)."""
    forum = _forum(db, slug)
    try:
        forums.open_to_members(db, forum, admin)
    except forums.NoCover:
        return _forum_form(
            request,
            forum,
            _forum_values(forum),
            {"open": _(NO_COVER)},
            status_code=409,
        )
    return RedirectResponse(f"/admin/forums/{forum.slug}?opened=1", status_code=303)


NO_COVER = N_(
    "This forum has no moderator, so it cannot be opened to members: nobody would see an "
    "urgent post. Appoint at least one moderator on the People page first."
)


@router.post("/admin/forums/{slug}/move")
def move_forum(
    db: SessionDep, admin: SiteAdmin, slug: Slug, step: Annotated[int, Form(ge=-1, le=1)]
) -> Response:
    service.move(db, forums.all_forums(db), _forum(db, slug), step)
    return RedirectResponse("/admin", status_code=303)


# ---- policy editor ------------------------------------------------------------------------


def _policy_context(
    forum: Forum,
    thresholds: dict[str, float],
    preview: Any = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    policy = forum.policy
    return {
        "forum": forum,
        "labels": moderation.LABELS,
        "thresholds": thresholds,
        "preview": preview,
        "errors": errors or {},
        "modes": list(ModerationMode),
        "reasons_text": "\n".join(policy.rejection_reasons),
        "resources_text": "\n".join(
            f"{r['name']} | {r['contact']} | {r.get('detail', '')}" for r in policy.crisis_resources
        ),
        "ladder_text": "\n".join(
            f"{s['kind']} {s.get('days', '')}".strip() for s in policy.strike_ladder
        ),
        "words_text": service.watched_words_csv(forum),
    }


@router.get("/admin/forums/{slug}/policy")
def policy_page(request: Request, db: SessionDep, admin: SiteAdmin, slug: Slug) -> Response:
    forum = _forum(db, slug)
    return render(
        request, "admin/policy.html", _policy_context(forum, dict(forum.policy.thresholds))
    )


@router.post("/admin/forums/{slug}/policy")
async def save_policy(
    request: Request,
    db: SessionDep,
    admin: SiteAdmin,
    slug: Slug,
    watched_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    forum = _forum(db, slug)
    form = await request.form()
    errors: dict[str, str] = {}
    thresholds = {}
    for label in moderation.LABELS:
        try:
            value = float(str(form.get(f"threshold_{label}", "")))
            if not 0.0 < value <= 1.0:
                raise ValueError
            thresholds[label] = round(value, 2)
        except ValueError:
            errors[f"threshold_{label}"] = _("Use a number between 0.01 and 1.")
            thresholds[label] = forum.policy.thresholds.get(
                label, moderation.DEFAULT_THRESHOLDS[label]
            )
    if errors:
        return render(
            request,
            "admin/policy.html",
            _policy_context(forum, thresholds, errors=errors),
            status_code=422,
        )
    if form.get("intent") == "preview":
        preview = service.preview_thresholds(db, forum, thresholds)
        return render(request, "admin/policy.html", _policy_context(forum, thresholds, preview))
    words_source = str(form.get("watched_words", ""))
    if watched_file is not None and watched_file.filename:
        words_source = (await watched_file.read()).decode("utf-8", errors="replace")
    try:
        words = service.parse_watched_words(csv.reader(io.StringIO(words_source)))
        ladder = [_step(line) for line in service.parse_lines(str(form.get("strike_ladder", "")))]
        mode = ModerationMode(str(form.get("moderation_mode", forum.moderation_mode.value)))
        first_posts = int(str(form.get("first_posts_held", "0")) or 0)
        follow_up = int(str(form.get("follow_up_hours", "")) or forum.policy.follow_up_hours)
        staffed = service.staffed_times(
            str(form.get("staffed_from", "09:00")), str(form.get("staffed_until", "17:00"))
        )
        zone = service.time_zone(str(form.get("timezone", "Europe/London")))
    except (ValueError, service.AdminInputError) as exc:
        message = exc.errors if isinstance(exc, service.AdminInputError) else {"form": str(exc)}
        return render(
            request,
            "admin/policy.html",
            _policy_context(forum, thresholds, errors=message),
            status_code=422,
        )
    risky = service.lowers_protection(forum.policy.thresholds, thresholds) or (
        mode is ModerationMode.POST_MODERATE
        and forum.moderation_mode is not ModerationMode.POST_MODERATE
    )
    if risky and form.get("confirmed") != "true":
        fields = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "watched_file")}
        fields["watched_words"] = words_source
        return _confirm(
            request,
            _("Publish much more without review?"),
            _(
                "These settings let posts through that would be held now (very high thresholds or "
                "post-moderation). Crisis posts are still held."
            ),
            fields,
        )
    policy = forum.policy
    policy.thresholds = thresholds
    policy.venting = "hold" if form.get("venting") == "hold" else "publish_and_flag"
    policy.rejection_reasons = (
        service.parse_lines(str(form.get("rejection_reasons", ""))) or policy.rejection_reasons
    )
    policy.crisis_resources = (
        service.parse_resources(str(form.get("crisis_resources", ""))) or policy.crisis_resources
    )
    policy.strike_ladder = ladder or policy.strike_ladder
    policy.first_posts_held = max(0, min(first_posts, 50))
    policy.follow_up_hours = max(1, min(follow_up, 336))  # up to two weeks
    policy.keep_posts_of_deleted_accounts = form.get("keep_posts_of_deleted_accounts") == "true"
    policy.staffed_days = sorted(
        {int(str(d)) for d in form.getlist("staffed_days") if str(d) in "0123456"}
    )
    policy.staffed_from, policy.staffed_until = staffed
    policy.timezone = zone
    forum.moderation_mode = mode
    service.replace_watched_words(db, forum, words)
    audit.record(
        db,
        actor_id=admin.id,
        action="policy.update",
        target_type="forum",
        target_id=forum.id,
        forum_id=forum.id,
        thresholds=thresholds,
        mode=mode.value,
    )
    return RedirectResponse(f"/admin/forums/{forum.slug}/policy?saved=1", status_code=303)


def _step(line: str) -> dict[str, Any]:
    parts = line.split()
    kind = parts[0].lower()
    if kind not in {k.value for k in sanctions.SanctionKind}:
        raise ValueError(f"“{kind}” is not a sanction: use warning, mute, suspension or ban.")
    step: dict[str, Any] = {"kind": kind}
    if len(parts) > 1:
        step["days"] = int(parts[1])
    return step


@router.get("/admin/forums/{slug}/watched-words.csv")
def watched_words_csv(db: SessionDep, admin: SiteAdmin, slug: Slug) -> Response:
    forum = _forum(db, slug)
    return Response(
        service.watched_words_csv(forum),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{forum.slug}-watched-words.csv"'},
    )


# ---- invites and join requests -----------------------------------------------------------------


@router.get("/admin/forums/{slug}/invites")
def invites_page(request: Request, db: SessionDep, admin: SiteAdmin, slug: Slug) -> Response:
    forum = _forum(db, slug)
    return render(
        request,
        "admin/invites.html",
        {
            "forum": forum,
            "invites": service.invites(db, forum),
            "uses": service.invite_uses(db, forum),
            "now": utcnow(),
            "base_url": str(request.base_url).rstrip("/"),
        },
    )


@router.post("/admin/forums/{slug}/invites")
def create_invite(
    db: SessionDep,
    admin: SiteAdmin,
    submission: Submission,
    slug: Slug,
    note: Short = "",
    max_uses: Annotated[int, Form(ge=1, le=1000)] = 1,
    days: Annotated[int, Form(ge=1, le=365)] = 30,
) -> Response:
    if earlier := submission.replay():
        return earlier
    forum = _forum(db, slug)
    service.create_invite(db, forum, admin, note=note.strip(), max_uses=max_uses, days=days)
    return submission.done(RedirectResponse(f"/admin/forums/{forum.slug}/invites", status_code=303))


INVITE_GONE = N_(
    "This invite link no longer works: it has expired, been used up or been withdrawn. Ask the "
    "person who gave it to you for a new one."
)


@router.get("/invite/{code}")
def invite_page(
    request: Request, db: SessionDep, clock: ClockDep, user: OptionalUser, code: Token
) -> Response:
    """Open to anyone with the link: a person without an account is walked through signing up
    (and confirming their address, and signing in) and brought back here."""
    invite = service.usable_invite(db, code, clock.now())
    if invite is None:
        raise HTTPException(404, _(INVITE_GONE))
    forum = db.get(Forum, invite.forum_id)
    return render(
        request,
        "forums/invite.html",
        {"forum": forum, "code": invite.code, "here": f"/invite/{invite.code}"},
    )


@router.post("/invite/{code}")
def accept_invite(db: SessionDep, clock: ClockDep, user: CurrentUser, code: Token) -> Response:
    invite = service.usable_invite(db, code, clock.now())
    if invite is None:
        raise HTTPException(404, _(INVITE_GONE))
    forum = db.get(Forum, invite.forum_id)
    assert forum is not None
    if forum.opened_at is None:
        raise HTTPException(409, _("This forum is not open to members yet."))
    try:
        service.use_invite(db, invite, forum, user, clock.now())
    except service.InviteUsedUp:
        raise HTTPException(404, _(INVITE_GONE)) from None
    return RedirectResponse(f"/f/{forum.slug}?notice=joined", status_code=303)


@router.post("/admin/forums/{slug}/invites/{invite_id}/revoke")
def revoke_invite(
    db: SessionDep, clock: ClockDep, admin: SiteAdmin, slug: Slug, invite_id: PathId
) -> Response:
    forum = _forum(db, slug)
    invite = db.get(Invite, invite_id)
    if invite is None or invite.forum_id != forum.id:
        raise HTTPException(404, _("There is no such invite to this forum."))
    service.revoke_invite(db, invite, admin, clock.now())
    return RedirectResponse(f"/admin/forums/{forum.slug}/invites", status_code=303)


@router.get("/f/{slug}/requests")
def join_requests(request: Request, db: SessionDep, access: ModeratedForum) -> Response:
    return render(
        request,
        "forums/requests.html",
        {"forum": access.forum, "requests": service.join_requests(db, access.forum)},
    )


@router.get("/moderation/join-requests/{forum_id}")
def join_requests_link(scope: Moderator, forum_id: PathId) -> Response:
    """The neutral link in a join-request email (it names no forum): to the forum's requests."""
    forum = next((f for f in scope.forums if f.id == forum_id), None)
    if forum is None:
        raise HTTPException(404, _("You don't moderate that forum."))
    return RedirectResponse(f"/f/{forum.slug}/requests", status_code=303)


@router.post("/f/{slug}/requests/{membership_id}")
def decide_request(
    db: SessionDep,
    user: CurrentUser,
    access: ModeratedForum,
    submission: Submission,
    membership_id: PathId,
    decision: Annotated[str, Form(pattern="^(approve|decline)$")],
    message: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    if earlier := submission.replay():
        return earlier
    membership = db.get(Membership, membership_id)
    # Only a request still waiting: never a member's (or a co-moderator's) active membership,
    # nor a banned member's removed one.
    if (
        membership is None
        or membership.forum_id != access.forum.id
        or membership.status is not MembershipStatus.PENDING
    ):
        raise HTTPException(
            404, _("There is no request waiting with that number. It may have been decided.")
        )
    service.decide_join(db, membership, user, decision == "approve", message.strip())
    return submission.done(RedirectResponse(f"/f/{access.forum.slug}/requests", status_code=303))


# ---- people ---------------------------------------------------------------------------------


@router.get("/admin/people")
def people(
    request: Request,
    db: SessionDep,
    admin: SiteAdmin,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    return render(
        request,
        "admin/people.html",
        {
            "people": service.search_people(db, q.strip()),
            "q": q,
            "clashes": service.identity_clashes(db),
        },
    )


def _person(db: SessionDep, user_id: int) -> User:
    person = db.get(User, user_id)
    if person is None:
        raise HTTPException(404, _("There is no such person."))
    return person


@router.get("/admin/people/{user_id}")
def person(request: Request, db: SessionDep, admin: SiteAdmin, user_id: PathId) -> Response:
    target = _person(db, user_id)
    return render(
        request,
        "admin/person.html",
        {
            "person": target,
            "memberships": forums.memberships_of_user(db, target),
            "forums": forums.all_forums(db),
            "posts": len(my_posts(db, target)),
            "sanctions": sanctions.of_member(db, target.id),
            "sessions": accounts.count_live_sessions(db, target.id),
        },
    )


def _two_factor_to_reset(db: SessionDep, admin: User, user_id: int) -> User | None:
    target = _person(db, user_id)
    if target.id == admin.id:
        raise HTTPException(
            422, _("You can't reset your own two-factor sign-in here; ask another admin.")
        )
    return target if target.has_two_factor else None


@router.get("/admin/people/{user_id}/two-factor/reset")
def confirm_two_factor_reset(
    request: Request, db: SessionDep, admin: RecentlyAuthenticatedAdmin, user_id: PathId
) -> Response:
    target = _two_factor_to_reset(db, admin, user_id)
    if target is None:
        return RedirectResponse(f"/admin/people/{user_id}", status_code=303)
    return _confirm(
        request,
        _("Reset {handle}'s two-factor sign-in?").format(handle=target.handle),
        _(
            "Their authenticator app and recovery codes will stop working and they will be "
            "signed out everywhere. We email them to say so; they sign in with their password "
            "and set it up again. Do this only once you are sure it is them asking."
        ),
        {},
    )


@router.post("/admin/people/{user_id}/two-factor/reset")
def reset_two_factor(
    db: SessionDep,
    settings: SettingsDep,
    admin: RecentlyAuthenticatedAdmin,
    user_id: PathId,
    confirmed: Annotated[bool, Form()] = False,
) -> Response:
    """A staff member lost their phone: an admin who has just confirmed it's them turns the
    person's two-factor sign-in off; they are told by email and set it up again at next sign-in."""
    target = _two_factor_to_reset(db, admin, user_id)
    if target is not None and confirmed:
        service.reset_two_factor(db, settings, target, admin)
        return RedirectResponse(f"/admin/people/{user_id}?saved=1", status_code=303)
    return RedirectResponse(f"/admin/people/{user_id}/two-factor/reset", status_code=303)


@router.post("/admin/people/{user_id}/role")
def set_role(
    db: SessionDep,
    admin: SiteAdmin,
    user_id: PathId,
    forum: Short,
    role: Annotated[str, Form(pattern="^(none|member|supporter|moderator)$")],
    coordinates_buddies: Annotated[bool, Form()] = False,
) -> Response:
    chosen, person = _forum(db, forum), _person(db, user_id)
    covering = [u.id for u in forums.covering_moderators(db, chosen)]
    if chosen.opened_at is not None and role != "moderator" and covering == [person.id]:
        raise HTTPException(
            409,
            _(
                "{name} is the forum's last moderator, and an open forum must have one. "
                "Appoint another moderator first."
            ).format(name=person.handle),
        )
    service.set_role(db, chosen, person, role, admin, coordinates_buddies)
    return RedirectResponse(f"/admin/people/{user_id}?saved=1", status_code=303)


@router.post("/admin/people/{user_id}/site-admin")
def set_site_admin(
    db: SessionDep, admin: SiteAdmin, user_id: PathId, make_admin: Annotated[bool, Form()] = False
) -> Response:
    target = _person(db, user_id)
    if target.id == admin.id and not make_admin:
        raise HTTPException(422, _("You can't remove your own admin role; ask another admin."))
    service.set_site_admin(db, target, make_admin, admin)
    return RedirectResponse(f"/admin/people/{user_id}?saved=1", status_code=303)


@router.post("/admin/people/{user_id}/site-moderator")
def set_site_moderator(
    db: SessionDep,
    admin: SiteAdmin,
    user_id: PathId,
    site_moderator: Annotated[bool, Form()] = False,
) -> Response:
    target = _person(db, user_id)
    if not site_moderator and (uncovered := service.forums_only_they_cover(db, target)):
        raise HTTPException(
            409,
            _(
                "{name} is the only moderator of {forums}, and an open forum must have one. "
                "Appoint another moderator there first."
            ).format(name=target.handle, forums=", ".join(f.name for f in uncovered)),
        )
    service.set_site_moderator(db, target, site_moderator, admin)
    return RedirectResponse(f"/admin/people/{user_id}?saved=1", status_code=303)


@router.post("/admin/people/{user_id}/end-sessions")
def end_sessions(db: SessionDep, admin: SiteAdmin, user_id: PathId) -> Response:
    service.end_sessions(db, _person(db, user_id), admin)
    return RedirectResponse(f"/admin/people/{user_id}?saved=1", status_code=303)


@router.post("/admin/people/{user_id}/deactivate")
def deactivate(
    request: Request,
    db: SessionDep,
    admin: SiteAdmin,
    user_id: PathId,
    confirmed: Annotated[bool, Form()] = False,
) -> Response:
    target = _person(db, user_id)
    if target.id == admin.id:
        raise HTTPException(422, _("You can't deactivate your own account here."))
    if not confirmed:
        return _confirm(
            request,
            _("Deactivate {handle}?").format(handle=target.handle),
            _("They will be signed out everywhere and unable to sign in."),
            {},
        )
    service.deactivate(db, target, admin)
    return RedirectResponse(f"/admin/people/{user_id}?saved=1", status_code=303)


# ---- security settings ----------------------------------------------------------------------


@router.get("/admin/security")
def security_settings(
    request: Request, db: SessionDep, settings: SettingsDep, admin: RecentlyAuthenticatedAdmin
) -> Response:
    return render(
        request,
        "admin/security.html",
        {
            "staff_two_factor": site_settings.staff_two_factor(db, settings),
            "environment_default": settings.staff_two_factor_required,
            "saved": request.query_params.get("saved") == "1",
        },
    )


@router.post("/admin/security")
def save_security_settings(
    db: SessionDep,
    settings: SettingsDep,
    admin: RecentlyAuthenticatedAdmin,
    staff_two_factor: Annotated[bool, Form()] = False,
) -> Response:
    site_settings.set_staff_two_factor(db, admin, staff_two_factor, settings)
    return RedirectResponse("/admin/security?saved=1", status_code=303)


# ---- audit log and impact -------------------------------------------------------------------


def _audit_events(db: SessionDep, action: str | None, forum: str | None) -> list[Any]:
    chosen = forums.get_by_slug(db, forum) if forum else None
    return list(
        service.audit_events(db, action=action or None, forum_id=chosen.id if chosen else None)
    )


@router.get("/admin/audit")
def audit_log(
    request: Request,
    db: SessionDep,
    admin: SiteAdmin,
    action: Annotated[str, Query(max_length=64)] = "",
    forum: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    events = _audit_events(db, action, forum)
    return render(
        request,
        "admin/audit.html",
        {
            "events": events,
            "handles": service.handles_of(db, (e.actor_id for e in events)),
            "action": action,
            "forum": forum,
            "forums": forums.all_forums(db),
        },
    )


@router.get("/admin/audit.csv")
def audit_csv(
    db: SessionDep,
    admin: SiteAdmin,
    action: Annotated[str, Query(max_length=64)] = "",
    forum: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    events = _audit_events(db, action, forum)
    body = service.audit_csv(events, service.handles_of(db, (e.actor_id for e in events)))
    return Response(
        body,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


def _impacts(db: SessionDep, forum: str, days: int) -> list[service.Impact]:
    chosen = [f for f in forums.all_forums(db) if not forum or f.slug == forum]
    return [service.impact(db, f, days) for f in chosen]


@router.get("/admin/impact")
def impact(
    request: Request,
    db: SessionDep,
    admin: SiteAdmin,
    forum: Annotated[str, Query(max_length=64)] = "",
    days: Annotated[int, Query(ge=7, le=365)] = 30,
) -> Response:
    return render(
        request,
        "admin/impact.html",
        {
            "impacts": _impacts(db, forum, days),
            "forum": forum,
            "days": days,
            "forums": forums.all_forums(db),
        },
    )


@router.get("/admin/impact.csv")
def impact_csv(
    db: SessionDep,
    admin: SiteAdmin,
    forum: Annotated[str, Query(max_length=64)] = "",
    days: Annotated[int, Query(ge=7, le=365)] = 30,
) -> Response:
    return Response(
        service.impact_csv(_impacts(db, forum, days)),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="harbour-impact.csv"'},
    )
