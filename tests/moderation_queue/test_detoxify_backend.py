"""The app on the Detoxify backend: a slower scorer, so posts are assessed by the worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import moderation
from app.config import Settings
from app.main import create_app
from app.moderation_queue.models import PostAssessment
from app.posts.models import Post, PostStatus
from tests.conftest import Browser
from tests.factories import ForumFactory, member_of, thread_with_opening_post
from tests.moderation.tiny_detoxify import build

pytestmark = pytest.mark.detoxify


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("detoxify")
    return build(tmp_path_factory.mktemp("detoxify-app") / "tiny")


def test_posts_are_assessed_by_the_worker_with_detoxify(
    settings: Settings, db: Session, tiny_model: tuple[Path, Path]
) -> None:
    checkpoint, folder = tiny_model
    detoxify_settings = settings.model_copy(
        update={
            "scorer": "detoxify",
            "detoxify_checkpoint": str(checkpoint),
            "detoxify_model_dir": str(folder),
            "in_process_worker": False,
        }
    )
    assert detoxify_settings.inline_assessment is False
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    app = create_app(detoxify_settings)
    with TestClient(app) as client:
        author = Browser(client)
        author.sign_in("kai@example.org")
        page = author.post(
            f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "Frozen grapes help me."}
        )
        assert "Awaiting review" in page.text  # saved; the worker has not run yet
        assert app.state.assessments.worker.run_until_idle() == 1
    reply = db.scalars(select(Post).where(Post.is_opening.is_(False))).one()
    assessment = db.scalars(select(PostAssessment).where(PostAssessment.post_id == reply.id)).one()
    assert assessment.scorer_name == "detoxify" and "sha256:" in assessment.scorer_version
    # Detoxify's six labels, with the embedding heads' crisis, medical and spam labels beside them.
    assert set(assessment.scores) == {
        *moderation.LABELS,
        "crisis",
        "medical_misinformation",
        "spam",
    }
    assert reply.status in (PostStatus.PUBLISHED, PostStatus.HELD)
    app.state.engine.dispose()
