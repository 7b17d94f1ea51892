"""The migrations build the schema the models describe, and can be undone."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

import app.models  # noqa: F401
from app import migrations
from app.db import Base, make_engine
from tests.conftest import TemplateDatabase, _reset_postgres_schema


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    # The same filter as migrations/env.py: the search index is not a model.
    return not (type_ == "table" and name is not None and name.startswith("post_search"))


def _fresh_url(template_database: TemplateDatabase, tmp_path: object) -> str:
    if template_database.backend == "sqlite":
        return f"sqlite:///{tmp_path}/migrations.db"
    _reset_postgres_schema(template_database.url)
    return template_database.url


def test_upgrade_then_downgrade_to_base_and_back(
    template_database: TemplateDatabase, tmp_path: object
) -> None:
    url = _fresh_url(template_database, tmp_path)
    migrations.upgrade(url)
    engine = make_engine(url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    migrations.downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrations.upgrade(url)
    engine.dispose()


def test_models_and_migrations_agree(template_database: TemplateDatabase, tmp_path: object) -> None:
    url = _fresh_url(template_database, tmp_path)
    migrations.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], (
        f"models differ from the migrations; run alembic revision --autogenerate: {diff}"
    )


def test_the_audit_log_is_append_only(
    template_database: TemplateDatabase, tmp_path: object
) -> None:
    url = _fresh_url(template_database, tmp_path)
    migrations.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_event (created_at, action, target_type, detail) "
                "VALUES (CURRENT_TIMESTAMP, 'forum.create', 'forum', '{}')"
            )
        )
    for statement in ("UPDATE audit_event SET action = 'tampered'", "DELETE FROM audit_event"):
        try:
            with engine.begin() as conn:
                conn.execute(text(statement))
        except DBAPIError as exc:
            assert "append-only" in str(exc)
        else:
            raise AssertionError(f"{statement!r} was allowed")
    engine.dispose()


def test_identity_keys_migration_reports_accounts_that_now_clash(
    template_database: TemplateDatabase, tmp_path: object
) -> None:
    """Before: "zoë@example.org" typed as NFC and as NFD made two accounts, and so did "Sam" and
    its full-width twin. After: one key each; the newer account of each pair is marked
    and reported to admins, nothing is merged or lost."""
    url = _fresh_url(template_database, tmp_path)
    migrations.upgrade(url, "6b1f0e2d9a77")  # the revision before identity keys
    engine = make_engine(url)
    people = [
        ("Sam", "zo\u00eb@example.org"),
        ("\uff33\uff41\uff4d", "zoe\u0308@example.org"),
        ("kai", "kai@example.org"),
    ]
    with engine.begin() as conn:
        for handle, email in people:
            conn.execute(
                text(
                    "INSERT INTO user_account (email, handle, handle_key, password_hash, "
                    "site_role, status, created_at, bio, avatar, email_preference, language) "
                    "VALUES (:email, :handle, :key, 'x', 'member', 'active', CURRENT_TIMESTAMP, "
                    "'', 'wave', 'daily', 'en')"
                ),
                {"email": email, "handle": handle, "key": handle.casefold()},
            )
    migrations.upgrade(url)
    with engine.connect() as conn:
        keys = conn.execute(
            text("SELECT id, email_key, handle_key FROM user_account ORDER BY id")
        ).all()
        clashes = conn.execute(
            text("SELECT kind, user_id, kept_by_id FROM identity_clash ORDER BY kind")
        ).all()
    engine.dispose()
    first, second, kai = keys
    assert first[1:] == ("zo\u00eb@example.org", "sam") and kai[1:] == ("kai@example.org", "kai")
    assert second[1].endswith(f"~{second[0]}") and second[2].endswith(f"~{second[0]}")
    assert [tuple(c) for c in clashes] == [
        ("email", second[0], first[0]),
        ("handle", second[0], first[0]),
    ]


def test_upgrading_a_database_in_use_keeps_every_row(
    template_database: TemplateDatabase, tmp_path: object
) -> None:
    """Later migrations rebuild tables others point at (SQLite's batch mode): the rows that point
    at them (sessions, memberships, posts) must survive, not be cascade-deleted."""
    url = _fresh_url(template_database, tmp_path)
    migrations.upgrade(url, "5d3e8b1c9f42")  # the schema of the first release
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO user_account (id, email, handle, handle_key, password_hash, site_role, status, "
                "created_at) VALUES (1, 'kai@example.org', 'kai', 'kai', 'x', 'member', 'active', "
                "CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO user_session (user_id, token_hash, created_at, last_seen_at, "
                "expires_at) VALUES (1, 'h', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"
            )
        )
    counts_before = _row_counts(engine)
    engine.dispose()
    migrations.upgrade(url)
    engine = make_engine(url)
    assert _row_counts(engine) == counts_before
    engine.dispose()


def _row_counts(engine: object) -> dict[str, int]:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return {
            table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            for table in ("user_account", "user_session")
        }


def test_accounts_from_before_consent_and_two_factor_are_asked_at_their_next_sign_in(
    template_database: TemplateDatabase, tmp_path: object
) -> None:
    """Members who joined before consent was asked give it at their next sign-in; staff who
    signed in with a password alone set up two-factor sign-in first (where it is required)."""
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app
    from tests.conftest import Browser
    from tests.factories import PASSWORD, _password_hash

    url = _fresh_url(template_database, tmp_path)
    migrations.upgrade(url, "f2b3c4d5e6a7")  # the revision before two-factor sign-in
    engine = make_engine(url)
    with engine.begin() as conn:
        for handle, role in (("kai", "member"), ("chair", "admin")):
            conn.execute(
                text(
                    "INSERT INTO user_account (email, email_key, handle, handle_key, "
                    "password_hash, site_role, status, created_at, bio, avatar, "
                    "email_preference, language, email_verified_at) VALUES (:email, :email, "
                    ":handle, :handle, :hash, :role, 'active', CURRENT_TIMESTAMP, '', 'wave', "
                    "'daily', 'en', CURRENT_TIMESTAMP)"
                ),
                {
                    "email": f"{handle}@example.org",
                    "handle": handle,
                    "hash": _password_hash(),
                    "role": role,
                },
            )
    migrations.upgrade(url)
    engine.dispose()
    settings = Settings(
        environment="test",
        database_url=url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        staff_two_factor=True,
    )
    app = create_app(settings)
    try:
        for email, step in (
            ("kai@example.org", "/account/consent?next=/"),
            ("chair@example.org", "/account/two-factor?next=/"),
        ):
            with TestClient(app, base_url="http://testserver") as client:
                visitor = Browser(client)
                visitor.sign_in(email, PASSWORD)
                asked = visitor.get("/", follow_redirects=False)
                assert asked.status_code == 303 and asked.headers["location"] == step
    finally:
        app.state.engine.dispose()


def test_two_factor_keys_from_before_are_encrypted_on_upgrade_and_opened_on_downgrade(
    template_database: TemplateDatabase, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import sealing
    from app.config import get_settings
    from tests.factories import SECRET_KEY, _password_hash

    monkeypatch.setenv("HARBOUR_SECRET_KEY", SECRET_KEY)  # the key the migration seals with
    get_settings.cache_clear()
    totp_key = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    url = _fresh_url(template_database, tmp_path)
    migrations.upgrade(url, "1b2c3d4e5f60")  # the revision before keys were sealed
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO user_account (email, email_key, handle, handle_key, password_hash, "
                "site_role, status, created_at, bio, avatar, email_preference, language, "
                "totp_secret, two_factor_enabled_at) VALUES ('mo@example.org', 'mo@example.org', "
                "'mo', 'mo', :hash, 'admin', 'active', CURRENT_TIMESTAMP, '', 'wave', 'daily', "
                "'en', :key, CURRENT_TIMESTAMP)"
            ),
            {"hash": _password_hash(), "key": totp_key},
        )
    try:
        migrations.upgrade(url)
        with engine.connect() as conn:
            sealed = conn.execute(text("SELECT totp_secret_sealed FROM user_account")).scalar_one()
        assert totp_key not in sealed
        assert sealing.unseal(SECRET_KEY, sealing.TOTP_SECRET, sealed) == totp_key
        migrations.downgrade(url, "1b2c3d4e5f60")
        with engine.connect() as conn:
            opened = conn.execute(text("SELECT totp_secret FROM user_account")).scalar_one()
        assert opened == totp_key
        migrations.upgrade(url)  # on PostgreSQL this database is the suite's: leave it at head
    finally:
        engine.dispose()
        get_settings.cache_clear()


def test_the_two_blur_settings_become_one_keeping_each_moderators_choice_to_turn_it_off(
    template_database: TemplateDatabase, tmp_path: object
) -> None:
    """Both settings were on by default, so an "off" in either was the moderator's own choice:
    after the merge, blurring is off for them, and on for everyone else."""
    url = _fresh_url(template_database, tmp_path)
    migrations.upgrade(url, "1b2c3d4e5f60")  # the revision before the merge
    engine = make_engine(url)
    # (pictures off, wellbeing row: None = never saved, else its blur_distressing)
    people = {
        "ann": (False, None),
        "bo": (True, False),
        "cy": (False, True),
        "di": (True, None),
        "ed": (True, True),
    }
    with engine.begin() as conn:
        for handle, (pictures, distressing) in people.items():
            user_id = conn.execute(
                text(
                    "INSERT INTO user_account (email, email_key, handle, handle_key, "
                    "password_hash, site_role, status, created_at, bio, avatar, "
                    "email_preference, language, blur_pictures) VALUES (:email, :email, "
                    ":handle, :handle, 'x', 'member', 'active', CURRENT_TIMESTAMP, '', 'wave', "
                    "'daily', 'en', :pictures) RETURNING id"
                ),
                {"email": f"{handle}@example.org", "handle": handle, "pictures": pictures},
            ).scalar_one()
            if distressing is not None:
                conn.execute(
                    text(
                        "INSERT INTO moderator_wellbeing (user_id, blur_distressing, "
                        "break_after_crisis_items, break_after_minutes) VALUES (:id, :d, 5, 90)"
                    ),
                    {"id": user_id, "d": distressing},
                )
    migrations.upgrade(url)
    with engine.connect() as conn:
        after = dict(
            conn.execute(
                text(
                    "SELECT u.handle, w.blur_distressing FROM user_account u "
                    "LEFT JOIN moderator_wellbeing w ON w.user_id = u.id"
                )
            ).all()
        )
    engine.dispose()
    assert {h: (True if v is None else bool(v)) for h, v in after.items()} == {
        "ann": False,
        "bo": False,
        "cy": False,
        "di": True,
        "ed": True,
    }
