"""Join the identity keys (hardening) with the accounts and safeguarding branches.

Revision ID: f2b3c4d5e6a7
Revises: c27f9d4e1a02, e1a2b3c4d5e6
Create Date: 2026-12-01 11:10:00
"""

from collections.abc import Sequence

revision: str = "f2b3c4d5e6a7"
down_revision: str | tuple[str, ...] | None = ("c27f9d4e1a02", "e1a2b3c4d5e6")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
