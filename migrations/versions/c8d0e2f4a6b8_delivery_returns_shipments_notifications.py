"""delivery returns shipments notifications

Revision ID: c8d0e2f4a6b8
Revises: b7c9d1e3f5a7
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa
import lltp.core.db


# revision identifiers, used by Alembic.
revision = 'c8d0e2f4a6b8'
down_revision = 'b7c9d1e3f5a7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_returns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('electronic', 'paper', name='returnkind', native_enum=False, length=32), nullable=False),
    sa.Column('method', sa.Enum('electronic', 'counter', 'post', name='deliverymethod', native_enum=False, length=32), nullable=False),
    sa.Column('done_at', lltp.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_reason', sa.Enum('callback_acknowledged', 'applicant_notified', 'collected', 'delivered', name='returnreason', native_enum=False, length=32), nullable=True),
    sa.Column('created_at', lltp.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_returns_case_id_cases'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_returns')),
    sa.UniqueConstraint('case_id', 'kind', name=op.f('uq_case_returns_case_id_kind'))
    )
    with op.batch_alter_table('case_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_returns_case_id'), ['case_id'], unique=False)

    op.create_table('handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_return_id', sa.Integer(), nullable=False),
    sa.Column('collected_by', sa.Enum('applicant', 'proxy', name='collector', native_enum=False, length=32), nullable=False),
    sa.Column('proxy_full_name', sa.String(length=120), nullable=True),
    sa.Column('proxy_id_number', sa.String(length=20), nullable=True),
    sa.Column('authorisation_reference', sa.String(length=120), nullable=True),
    sa.Column('copies', sa.SmallInteger(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('handed_over_at', lltp.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_return_id'], ['case_returns.id'], name=op.f('fk_handovers_case_return_id_case_returns')),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_handovers_officer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers')),
    sa.UniqueConstraint('case_return_id', name=op.f('uq_handovers_case_return_id'))
    )
    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_return_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('tracking_number', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('ready_for_pickup', 'picked_up', 'in_transit', 'delivered', 'returned_to_sender', name='shipmentstatus', native_enum=False, length=32), nullable=False),
    sa.Column('status_changed_at', lltp.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lltp.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', lltp.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_shipments_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['case_return_id'], ['case_returns.id'], name=op.f('fk_shipments_case_return_id_case_returns')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_shipments_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('tracking_number', name=op.f('uq_shipments_tracking_number'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_case_return_id'), ['case_return_id'], unique=False)
        batch_op.create_index('ix_shipments_status_status_changed_at', ['status', 'status_changed_at'], unique=False)

    op.create_table('shipment_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.Enum('ready_for_pickup', 'picked_up', 'in_transit', 'delivered', 'returned_to_sender', name='shipmentstatus', native_enum=False, length=32), nullable=False),
    sa.Column('at', lltp.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('recorded_at', lltp.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_shipment_events_shipment_id_shipments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_events')),
    sa.UniqueConstraint('shipment_id', 'event', 'at', name=op.f('uq_shipment_events_shipment_id_event_at'))
    )


def downgrade():
    op.drop_table('shipment_events')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index('ix_shipments_status_status_changed_at')
        batch_op.drop_index(batch_op.f('ix_shipments_case_return_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_case_id'))

    op.drop_table('shipments')
    op.drop_table('handovers')
    with op.batch_alter_table('case_returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_returns_case_id'))

    op.drop_table('case_returns')
