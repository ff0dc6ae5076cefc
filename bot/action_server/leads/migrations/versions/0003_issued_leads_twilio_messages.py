"""Lead numbers and references never reused; Twilio messages processed once; no phone ids.

- `issued_leads`: every lead number and reference ever given out, never deleted, so after an
  erasure `show 2` can never show somebody else (SQLite reuses the highest deleted rowid);
- `twilio_messages`: a keyed hash of each processed MessageSid, so a replayed signed request is
  ignored (kept for a day);
- `revoked_agent_sessions`: agent console sessions ended by logging out, until they expire;
- SMS and WhatsApp leads stored before this revision named their conversation by the bare
  phone number; it becomes the keyed conversation id the Twilio channel now uses.

Revision ID: 0003
Revises: 0002
"""

import hashlib
import hmac

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
RESERVED_PREFIXES = ("web-", "sms-", "wa-", "agent-")


def _phone_conversation(number: str, key: bytes) -> str:
    """The conversation id the Twilio channel gave a number at this revision (keyed by the
    leads key then; frozen here, as a migration must be)."""
    whatsapp = number.startswith("whatsapp:")
    purpose, prefix = ("whatsapp", "wa-") if whatsapp else ("sms", "sms-")
    derived = hmac.new(key, f"conversation-ids:{purpose}".encode(), "sha256").digest()
    value = number.removeprefix("whatsapp:") if whatsapp else number
    return prefix + hmac.new(derived, value.encode(), hashlib.sha256).hexdigest()[:32]


def upgrade() -> None:
    op.create_table(
        "issued_leads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sqlite_autoincrement=True,
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
    bind = op.get_bind()
    leads = sa.table(
        "leads",
        sa.column("id", sa.Integer),
        sa.column("reference", sa.String),
        sa.column("channel", sa.String),
        sa.column("conversation_id", sa.String),
    )
    issued = sa.table("issued_leads", sa.column("id", sa.Integer), sa.column("reference"))
    rows = bind.execute(
        sa.select(leads.c.id, leads.c.reference, leads.c.channel, leads.c.conversation_id)
    ).all()
    if rows:
        op.bulk_insert(issued, [{"id": r.id, "reference": r.reference} for r in rows])
    phone_rows = [r for r in rows if r.channel in ("twilio", "whatsapp")]
    if phone_rows:
        from bot.action_server.leads import crypto  # needed only when there is a row to hash

        key = crypto.load_key()
        for row in phone_rows:
            if not row.conversation_id.startswith(RESERVED_PREFIXES):
                bind.execute(
                    sa.update(leads)
                    .where(leads.c.id == row.id)
                    .values(conversation_id=_phone_conversation(row.conversation_id, key))
                )
    if bind.dialect.name == "postgresql" and rows:
        bind.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('issued_leads', 'id'), "
                "(SELECT MAX(id) FROM issued_leads))"
            )
        )


def downgrade() -> None:
    op.drop_table("revoked_agent_sessions")
    op.drop_table("twilio_messages")
    op.drop_table("issued_leads")
