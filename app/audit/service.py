from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.audit.models import AuditEvent


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int | None,
    forum_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append an audit entry. `detail` holds ids and codes only, never anything a member wrote."""
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        forum_id=forum_id,
        detail=detail,
    )
    session.add(event)
    return event
