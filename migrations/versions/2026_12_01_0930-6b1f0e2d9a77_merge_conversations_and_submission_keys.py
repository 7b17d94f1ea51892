"""merge: private conversations and claims with submission keys

Revision ID: 6b1f0e2d9a77
Revises: 80fca02303a1, a16e5b2c7d01
Create Date: 2026-12-01 09:30:00
"""

from collections.abc import Sequence

revision: str = "6b1f0e2d9a77"
down_revision: str | Sequence[str] | None = ("80fca02303a1", "a16e5b2c7d01")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
