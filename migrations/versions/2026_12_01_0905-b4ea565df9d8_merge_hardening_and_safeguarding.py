"""Join the hardening (submission keys) and safeguarding (private conversations) branches.

Revision ID: b4ea565df9d8
Revises: 3fc3135bbf07, a16e5b2c7d01
Create Date: 2026-12-01 09:05:00
"""

from collections.abc import Sequence

revision: str = "b4ea565df9d8"
down_revision: str | tuple[str, ...] | None = ("3fc3135bbf07", "a16e5b2c7d01")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
