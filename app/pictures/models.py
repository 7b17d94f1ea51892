from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class PostPicture(Base):
    """A picture attached to a post, as re-encoded by Harbour; the file is in the picture store
    under `storage_key` (its content hash)."""

    __tablename__ = "post_picture"
    __table_args__ = (
        Index("ix_post_picture_post_id_position", "post_id", "position"),
        Index("ix_post_picture_storage_key", "storage_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    # Set while the picture belongs to an author's edit of a published post that is still
    # waiting; the post shows only its pictures without one.
    edit_id: Mapped[int | None] = mapped_column(
        ForeignKey("post_edit.id", ondelete="CASCADE"), index=True, default=None
    )
    position: Mapped[int] = mapped_column(default=0)
    storage_key: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    # What the picture shows, for people who can't see it (asked for with every picture).
    alt_text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
