"""The channel's tables leave the leads database for the Rasa server's own.

SMS opt-outs, processed Twilio messages and ended agent sessions belong to the Rasa server,
which keeps them in the tracker database it owns, keyed by its own secret
(bot/rasa_server/channel_db.py); the action server never reads them. Their rows are not
carried over: they were keyed by the leads key, which the Rasa server does not hold. This
revision was written before the first deployment, when no such rows existed anywhere.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.drop_table("revoked_agent_sessions")
    op.drop_table("twilio_messages")
    op.drop_table("sms_opt_outs")


def downgrade() -> None:
    op.create_table(
        "sms_opt_outs",
        sa.Column("number_hash", sa.String(64), primary_key=True),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "twilio_messages",
        sa.Column("sid_hash", sa.String(64), primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "revoked_agent_sessions",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
