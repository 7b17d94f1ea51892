"""Merge the branches of the third round: screened peer texts, staff two-factor as a site
setting with sealed keys, a stored queue rank, site-wide moderators with one blur setting,
pictures on edits and trigram search. The stored queue rank comes after it
(d7a1c3e5b9f2): SQLite's batch copies of review_item in these branches cannot write a
generated column.

Revision ID: 2c3d4e5f6071
Revises: 5c7e9a1b3d20, c4f1a9e7b2d3, c4e8a2d6f1b3, e6f7a8b9c0d1
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

revision: str = "2c3d4e5f6071"
down_revision: str | Sequence[str] | None = (
    "5c7e9a1b3d20",
    "c4f1a9e7b2d3",
    "c4e8a2d6f1b3",
    "e6f7a8b9c0d1",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
