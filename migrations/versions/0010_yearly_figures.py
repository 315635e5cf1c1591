"""yearly figures: frozen per unit and year, hamlet totals, projections, printed figures

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 00:50:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

UNIT_LEVELS = ('unit', 'province', 'district', 'commune', 'hamlet')


def _unit_columns():
    """The UnitScoped columns (unit and its ancestry), nullable as the model says."""
    return [sa.Column(f'{level}_id', sa.Integer(), nullable=level in ('district', 'commune', 'hamlet'))
            for level in UNIT_LEVELS]


def _unit_keys(table):
    return [sa.ForeignKeyConstraint([f'{level}_id'], ['admin_unit.id'],
                                    name=op.f(f'fk_{table}_{level}_id_admin_unit'))
            for level in UNIT_LEVELS]


def _indexes(table):
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in (*(f'{level}_id' for level in UNIT_LEVELS), 'year'):
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def upgrade():
    op.create_table('year_figure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    *[sa.Column(name, sa.Integer(), nullable=False) for name in (
        'households', 'poor', 'near_poor', 'persons', 'social', 'policy', 'no_labour')],
    sa.Column('households_entered', sa.Boolean(), nullable=False),
    sa.Column('frozen_at', sa.DateTime(), nullable=False),
    sa.Column('frozen_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_number', sa.String(length=60), nullable=False),
    *_unit_columns(),
    sa.ForeignKeyConstraint(['frozen_by_id'], ['user_account.id'],
                            name=op.f('fk_year_figure_frozen_by_id_user_account')),
    *_unit_keys('year_figure'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year_figure')),
    sa.UniqueConstraint('unit_id', 'year', name='uq_year_figure_unit_year')
    )
    _indexes('year_figure')
    op.create_table('household_total',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    *_unit_columns(),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'],
                            name=op.f('fk_household_total_entered_by_id_user_account')),
    *_unit_keys('household_total'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_total')),
    sa.UniqueConstraint('unit_id', 'year', name='uq_household_total_unit_year')
    )
    _indexes('household_total')
    op.create_table('household_projection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=True),
    sa.Column('growth_bp', sa.Integer(), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    *_unit_columns(),
    sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'],
                            name=op.f('fk_household_projection_set_by_id_user_account')),
    *_unit_keys('household_projection'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_projection')),
    sa.UniqueConstraint('unit_id', 'year', name='uq_household_projection_unit_year')
    )
    _indexes('household_projection')


def downgrade():
    for table in ('household_projection', 'household_total', 'year_figure'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in (*(f'{level}_id' for level in UNIT_LEVELS), 'year'):
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
