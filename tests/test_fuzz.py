"""Property-based fuzzing of every route: no input makes the server answer 5xx.

- Schemathesis generates requests from the app's own OpenAPI description (every route, its path,
  query and form parameters with their types and bounds, and beyond them) and sends them as a
  JSON API client would (Accept: application/json, so errors come back as problem JSON).
- Hypothesis posts forms to every HTML route the way a browser (or an attacker) would: each form
  field filled with awkward text (control characters, right-to-left overrides, 20,000 characters),
  numbers far beyond 64 bits, repeated fields.
Both sign in as a site admin who moderates the forum, so the checks behind the sign-in run too.
Examples per route are few, to keep CI fast; the bounds are what make the space small.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import SiteRole
from app.config import Settings
from app.forums.models import MembershipRole
from app.main import ROUTERS
from app.security import SESSION_COOKIE, csrf_token_for
from tests.factories import ForumFactory, PostFactory, UserFactory, member_of

pytestmark = pytest.mark.once

FUZZ = settings(
    max_examples=6,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
# Signing out or deleting the account would end the fuzzing session itself.
LEFT_OUT = {"/logout", "/logout-everywhere", "/account/delete"}


@pytest.fixture
def signed_in(app: FastAPI, db: Session, settings: Settings) -> Iterator[TestClient]:
    forum = ForumFactory(slug="fuzz")
    admin = member_of(forum, MembershipRole.MODERATOR, site_role=SiteRole.ADMIN, handle="fuzzer")
    PostFactory(thread__forum=forum, thread__author=admin, author=admin, is_opening=True)
    UserFactory(handle="someone")
    token = accounts.start_session(db, admin, settings).token
    db.commit()
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, token)
        client.headers["X-CSRF-Token"] = csrf_token_for(settings.secret_key, token)
        yield client


def test_schemathesis_finds_no_server_error_on_any_route(
    app: FastAPI, signed_in: TestClient
) -> None:
    schema = schemathesis.openapi.from_dict(app.openapi())
    failures: list[str] = []
    statuses: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in LEFT_OUT:
            continue

        @FUZZ
        @given(case=operation.as_strategy())
        def no_server_error(case: Any) -> None:
            response = signed_in.request(
                case.method,
                case.formatted_path,
                params=case.query,
                data=case.body if isinstance(case.body, dict) else None,
                headers={"Accept": "application/json"},
            )
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body}")

        no_server_error()
    assert failures == []
    assert len(statuses) > 200 and {200, 303, 404, 422} <= set(statuses)  # it reached the code


AWKWARD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\u202e\u200dcrafted",
            "a" * 20_001,
            "0",
            "-1",
            str(2**63),
            str(10**30),
            "1e309",
            "fuzz",
            "approve",
            "reject",
            "true",
            "warning",
        ]
    ),
)


def form_routes() -> list[APIRoute]:
    return [
        route
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods and route.path not in LEFT_OUT
    ]


def form_fields(route: APIRoute) -> list[str]:
    names: list[str] = []

    def walk(dependant: Any) -> None:
        names.extend(field.alias for field in dependant.body_params)
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    return sorted(set(names) - {"csrf_token"})


def fuzz_forms(
    client: TestClient, route: APIRoute, statuses: list[int], failures: list[str]
) -> None:
    fields = form_fields(route)
    path_values = st.sampled_from(["1", "fuzz", "fuzzer", str(2**40), "x" * 70])

    @FUZZ
    @given(
        path=st.fixed_dictionaries({name: path_values for name in route.param_convertors}),
        form=st.fixed_dictionaries(
            {}, optional={name: st.lists(AWKWARD_TEXT, max_size=3) for name in fields}
        ),
    )
    def no_server_error(path: dict[str, str], form: dict[str, list[str]]) -> None:
        url = route.path.format(**path)
        response = client.post(url, data=form, headers={"Accept": "text/html"})
        statuses.append(response.status_code)
        if response.status_code >= 500:
            failures.append(f"POST {url} {form}"[:300])

    no_server_error()


def test_hypothesis_form_posts_find_no_server_error_on_any_html_route(
    signed_in: TestClient,
) -> None:
    failures: list[str] = []
    statuses: list[int] = []
    for route in form_routes():
        fuzz_forms(signed_in, route, statuses, failures)
    assert failures == []
    assert len(statuses) > 150 and {303, 404, 422} <= set(statuses)


def bounds_missing(route: APIRoute) -> list[str]:
    """Parameters without a type that bounds them: ints need ge/le, text and lists a max_length
    (or a pattern); booleans, enums and dates bound themselves."""
    missing: list[str] = []

    def kinds(annotation: Any) -> set[type]:
        args = getattr(annotation, "__args__", None)
        origin = getattr(annotation, "__origin__", None)
        if origin is list:
            return {list}
        if args and origin is not None and origin is not type:
            return {k for a in args for k in kinds(a)}
        return {annotation} if isinstance(annotation, type) else set()

    def walk(dependant: Any) -> None:
        for field in (*dependant.path_params, *dependant.query_params, *dependant.body_params):
            metadata = {type(m).__name__ for m in field.field_info.metadata}
            has_pattern = any(getattr(m, "pattern", None) for m in field.field_info.metadata)
            found = kinds(field.field_info.annotation)
            if int in found and not {"Ge", "Le"} <= metadata:
                missing.append(f"{field.alias}: an int needs ge= and le=")
            if (str in found or list in found) and "MaxLen" not in metadata and not has_pattern:
                missing.append(f"{field.alias}: text or a list needs max_length=")
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    return missing


def test_every_parameter_of_every_route_is_typed_and_bounded() -> None:
    unbounded = {
        f"{sorted(route.methods)} {route.path}": gaps
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and (gaps := bounds_missing(route))
    }
    assert unbounded == {}, (
        "give these parameters bounds (ids: PathId/FormId/QueryId from app/deps.py; "
        f"text: max_length=): {unbounded}"
    )
