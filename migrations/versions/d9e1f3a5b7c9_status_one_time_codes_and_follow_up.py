"""status one time codes and follow up

Revision ID: d9e1f3a5b7c9
Revises: c8d0e2f4a6b8
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa
import lltp.core.db


# revision identifiers, used by Alembic.
revision = 'd9e1f3a5b7c9'
down_revision = 'c8d0e2f4a6b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'one_time_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.Enum('download', 'complete', 'payment', 'withdraw', name='codepurpose', native_enum=False, length=32), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', lltp.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', lltp.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('used_at', lltp.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_one_time_codes_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_codes')),
    )
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_time_codes_case_id'), ['case_id'], unique=False)

    op.create_table(
        'payment_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=80), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('paid_on', sa.Date(), nullable=False),
        sa.Column('reported_at', lltp.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_payment_reports_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_reports')),
    )
    with op.batch_alter_table('payment_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_reports_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('payment_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_reports_case_id'))
    op.drop_table('payment_reports')
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_codes_case_id'))
    op.drop_table('one_time_codes')
