"""An agent's call notes and wrap-up stored with the referral; the outbox says what it sends.

- `leads.call_notes_enc` (Fernet token, like the contact fields), `leads.wrap_up` (a key of
  data/channels/agent.yml), `leads.notes_at`;
- `outbox.kind`: "lead" for the referral's notification, "call_notes" for the notes added later
  (each its own delivery), so notes saved after the referral went out still reach the team.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("call_notes_enc", sa.Text))
        batch.add_column(sa.Column("wrap_up", sa.String(40)))
        batch.add_column(sa.Column("notes_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="lead"))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("notes_at")
        batch.drop_column("wrap_up")
        batch.drop_column("call_notes_enc")
