"""callbacks event order and retry window

Revision ID: b7c9d1e3f5a7
Revises: a6b8c0d2e4f6
Create Date: 2026-12-01 15:00:00

"""

from alembic import op
import sqlalchemy as sa
import lltp.core.db


# revision identifiers, used by Alembic.
revision = "b7c9d1e3f5a7"
down_revision = "a6b8c0d2e4f6"
branch_labels = None
depends_on = None


def upgrade():
    # A case's callbacks go out in order (ordering_key), and the dead-letter page shows the last attempt.
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ordering_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("last_attempt_at", lltp.core.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_messages_ordering_key"), ["ordering_key"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_ordering_key"))
        batch_op.drop_column("last_attempt_at")
        batch_op.drop_column("ordering_key")
