"""published disclosures: frozen snapshots, the day a late entry counts on, approval reasons

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 04:10:00

- disclosure_snapshot: a fund's disclosure sheet for a period as the Front published it (rows
  and totals, JSON), with the fund's unit ids for the scope.
- fund_entry.disclosed_on: the day an entry counts on in the disclosure when it entered the
  balance after its own date was published (NULL: its entry_date).
- fund_review_event.reason: why a disbursement was approved without the commune's verification
  or without evidence.
"""
import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

UNIT_LEVELS = ('unit', 'province', 'district', 'commune')


def upgrade():
    op.create_table('disclosure_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    *[sa.Column(f'{level}_id', sa.Integer(), nullable=level in ('district', 'commune'))
      for level in UNIT_LEVELS],
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('opening', sa.BigInteger(), nullable=False),
    sa.Column('closing', sa.BigInteger(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'],
                            name=op.f('fk_disclosure_snapshot_fund_id_fund')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'],
                            name=op.f('fk_disclosure_snapshot_published_by_id_user_account')),
    *[sa.ForeignKeyConstraint([f'{level}_id'], ['admin_unit.id'],
                              name=op.f(f'fk_disclosure_snapshot_{level}_id_admin_unit'))
      for level in UNIT_LEVELS],
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_snapshot')),
    sa.UniqueConstraint('fund_id', 'period_start', name='uq_disclosure_snapshot_fund_start')
    )
    with op.batch_alter_table('disclosure_snapshot', schema=None) as batch_op:
        for column in ('fund', *UNIT_LEVELS):
            batch_op.create_index(batch_op.f(f'ix_disclosure_snapshot_{column}_id'),
                                  [f'{column}_id'], unique=False)
    with op.batch_alter_table('fund_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disclosed_on', sa.Date(), nullable=True))
    with op.batch_alter_table('fund_review_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('fund_review_event', schema=None) as batch_op:
        batch_op.drop_column('reason')
    with op.batch_alter_table('fund_entry', schema=None) as batch_op:
        batch_op.drop_column('disclosed_on')
    with op.batch_alter_table('disclosure_snapshot', schema=None) as batch_op:
        for column in ('fund', *UNIT_LEVELS):
            batch_op.drop_index(batch_op.f(f'ix_disclosure_snapshot_{column}_id'))
    op.drop_table('disclosure_snapshot')
