"""Join the accounts branch (reset, verification, re-authentication) with main.

Revision ID: e1a2b3c4d5e6
Revises: c3e5a7b9d1f2, 6b1f0e2d9a77
Create Date: 2026-12-01 10:40:00
"""

from collections.abc import Sequence

revision: str = "e1a2b3c4d5e6"
down_revision: str | tuple[str, ...] | None = ("c3e5a7b9d1f2", "6b1f0e2d9a77")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
