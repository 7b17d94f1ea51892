"""Merge the outcome measures and the invite uses into the joined second round.

Revision ID: 1b2c3d4e5f60
Revises: 0a1b2c3d4e5f, 71741874f6e4, a7d0f4b2e6c3
Create Date: 2026-12-01 13:40:00
"""

from collections.abc import Sequence

revision: str = "1b2c3d4e5f60"
down_revision: str | Sequence[str] | None = ("0a1b2c3d4e5f", "71741874f6e4", "a7d0f4b2e6c3")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
