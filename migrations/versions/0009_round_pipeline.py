"""review round pipeline: postings, complaints, one commune decision

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 00:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Postings and complaints of a round; one decision per round; the households of a decision
    # (applied or excluded), scoped like every household row.
    op.create_table('round_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('list_year', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_round_decision_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['review_round.id'], name=op.f('fk_round_decision_round_id_review_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_decision')),
    sa.UniqueConstraint('round_id', name=op.f('uq_round_decision_round_id'))
    )
    op.create_table('round_posting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('hamlet_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('posted_from', sa.Date(), nullable=False),
    sa.Column('posted_to', sa.Date(), nullable=False),
    sa.Column('front_supervised', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hamlet_id'], ['admin_unit.id'], name=op.f('fk_round_posting_hamlet_id_admin_unit')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_round_posting_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['review_round.id'], name=op.f('fk_round_posting_round_id_review_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_posting'))
    )
    with op.batch_alter_table('round_posting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_posting_hamlet_id'), ['hamlet_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_posting_round_id'), ['round_id'], unique=False)

    op.create_table('decision_household',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('decided_status', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('applied_by_id', sa.Integer(), nullable=True),
    sa.Column('applied_at', sa.DateTime(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('hamlet_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['applied_by_id'], ['user_account.id'], name=op.f('fk_decision_household_applied_by_id_user_account')),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_decision_household_commune_id_admin_unit')),
    sa.ForeignKeyConstraint(['decision_id'], ['round_decision.id'], name=op.f('fk_decision_household_decision_id_round_decision')),
    sa.ForeignKeyConstraint(['district_id'], ['admin_unit.id'], name=op.f('fk_decision_household_district_id_admin_unit')),
    sa.ForeignKeyConstraint(['hamlet_id'], ['admin_unit.id'], name=op.f('fk_decision_household_hamlet_id_admin_unit')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_decision_household_household_id_household')),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_decision_household_province_id_admin_unit')),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_decision_household_review_id_review')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_household')),
    sa.UniqueConstraint('decision_id', 'household_id', name='uq_decision_household')
    )
    with op.batch_alter_table('decision_household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_household_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_household_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_household_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_household_hamlet_id'), ['hamlet_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_household_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_household_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_household_review_id'), ['review_id'], unique=False)

    op.create_table('posting_complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('complainant', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['round_posting.id'], name=op.f('fk_posting_complaint_posting_id_round_posting')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_posting_complaint_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user_account.id'], name=op.f('fk_posting_complaint_resolved_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting_complaint'))
    )
    with op.batch_alter_table('posting_complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posting_complaint_posting_id'), ['posting_id'], unique=False)


def downgrade():
    for table in ("posting_complaint", "decision_household", "round_posting", "round_decision"):
        op.drop_table(table)
