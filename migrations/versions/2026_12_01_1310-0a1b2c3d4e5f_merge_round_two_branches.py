"""Merge the branches of the second round: alerts and escalation, pictures, goals, the
moderator's wellbeing settings, search that scales, forum eligibility.

Revision ID: 0a1b2c3d4e5f
Revises: 8e4f2a3b5c61, 256d459e2d78, 282cff276c6e, c9e3a5b7d1f4, d4a8c1e7f925, f6c9e3a1d5b2
Create Date: 2026-12-01 13:10:00
"""

from collections.abc import Sequence

revision: str = "0a1b2c3d4e5f"
down_revision: str | Sequence[str] | None = (
    "8e4f2a3b5c61",
    "256d459e2d78",
    "282cff276c6e",
    "c9e3a5b7d1f4",
    "d4a8c1e7f925",
    "f6c9e3a1d5b2",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
