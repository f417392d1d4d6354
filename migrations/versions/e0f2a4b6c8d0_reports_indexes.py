"""reports: the index of returned cases by the day they were closed, and the daily summary

Revision ID: e0f2a4b6c8d0
Revises: d9e1f3a5b7c9
Create Date: 2026-12-01 16:00:00

"""
from alembic import op
import sqlalchemy as sa
import lltp.core.db


# revision identifiers, used by Alembic.
revision = 'e0f2a4b6c8d0'
down_revision = 'd9e1f3a5b7c9'
branch_labels = None
depends_on = None

CHANNELS = ('counter', 'post', 'agency', 'online', 'vneid', 'national_portal', 'provincial_portal')


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_stage_closed_at', ['stage', 'closed_at'], unique=False)
    op.create_table(
        'report_daily_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('measure', sa.String(length=16), nullable=False),
        sa.Column('certificate_type', sa.SmallInteger(), nullable=False),
        sa.Column('channel', sa.Enum(*CHANNELS, name='channel', native_enum=False, length=32), nullable=False),
        sa.Column('days_late', sa.Integer(), nullable=False),
        sa.Column('working_days', sa.Integer(), nullable=False),
        sa.Column('calendar_days', sa.Integer(), nullable=False),
        sa.Column('cases', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_daily_figures')),
    )
    with op.batch_alter_table('report_daily_figures', schema=None) as batch_op:
        batch_op.create_index('ix_report_daily_figures_measure_day', ['measure', 'day'], unique=False)
    op.create_table(
        'report_summary_coverage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('calendar_fingerprint', sa.String(length=64), nullable=False),
        sa.Column('refreshed_at', lltp.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_summary_coverage')),
    )


def downgrade():
    op.drop_table('report_summary_coverage')
    with op.batch_alter_table('report_daily_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_report_daily_figures_measure_day')
    op.drop_table('report_daily_figures')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_stage_closed_at')
