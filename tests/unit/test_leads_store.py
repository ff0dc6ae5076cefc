"""Storing leads: encrypted at rest, idempotent, erasable with an audit; the outbox."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from bot.action_server.leads.db import make_engine, migrate
from bot.action_server.leads.store import Contact, LeadStore, NewLead

CONSENT = datetime(2026, 11, 25, 17, 0, tzinfo=timezone.utc)


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADS_KEY_FILE", str(tmp_path / "leads.key"))
    monkeypatch.delenv("LEADS_ENCRYPTION_KEY", raising=False)
    return tmp_path / "leads.db"


@pytest.fixture
def store(db_path):
    engine = make_engine(f"sqlite:///{db_path}")
    migrate(engine)
    return LeadStore(engine)


def new_lead(key="conv-1:t1", conversation="conv-1"):
    return NewLead(
        idempotency_key=key,
        conversation_id=conversation,
        channel="rest",
        contact=Contact("Zelda Quimby", "+14155550199", None, "call", "morning"),
        consent_at=CONSENT,
        topics=["ivig_dose"],
        screening={"diagnosis": "dermatomyositis", "weight_kg": 74.8},
        outcome=["specialist_review"],
        safety_flags=["iga_not_tested"],
    )


def test_a_lead_is_stored_with_its_answers_and_a_reference(store):
    lead, created = store.create(new_lead())
    assert created and lead.reference.startswith("L-") and lead.status == "new"
    assert lead.contact.phone == "+14155550199"
    assert lead.screening["diagnosis"] == "dermatomyositis"
    assert store.get(lead.reference) == lead


def test_contact_fields_are_encrypted_at_rest(store, db_path):
    store.create(new_lead())
    raw = db_path.read_bytes()
    assert b"Zelda" not in raw and b"4155550199" not in raw
    with sqlite3.connect(db_path) as db:
        (token,) = db.execute("SELECT phone_enc FROM leads").fetchone()
    assert token.startswith("gAAAA")  # a Fernet token


def test_the_development_key_file_is_private(store, tmp_path):
    store.create(new_lead())
    assert (tmp_path / "leads.key").stat().st_mode & 0o777 == 0o600


def test_a_retried_submit_yields_one_lead(store):
    first, created = store.create(new_lead())
    again, created_again = store.create(new_lead())
    assert created and not created_again and first.id == again.id
    assert len(store.list()) == 1 and store.pending_count() == 1


def test_status_moves_from_new_to_contacted(store):
    lead, _ = store.create(new_lead())
    assert store.set_status(lead.id, "contacted")
    assert store.get(lead.id).status == "contacted"
    with pytest.raises(ValueError):
        store.set_status(lead.id, "lost")


def test_erasure_removes_the_conversations_leads_and_audits_without_data(store, db_path):
    store.create(new_lead())
    store.create(new_lead("conv-2:t1", "conv-2"))
    assert store.erase_conversation("conv-1") == 1
    assert [lead.conversation_id for lead in store.list()] == ["conv-2"]
    with sqlite3.connect(db_path) as db:
        audits = db.execute("SELECT * FROM erasure_audit").fetchall()
        outbox = db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    assert len(audits) == 1 and audits[0][1] == 1 and outbox == 1
    assert b"conv-1" not in b"".join(str(a).encode() for a in audits)


def test_a_failed_notification_waits_for_its_backoff(store):
    lead, _ = store.create(new_lead())
    (due,) = store.due()
    message_id = due.message_id
    assert due.lead.id == lead.id and due.kind == "lead"
    store.failed(message_id, "HTTP 500", timedelta(seconds=60))
    assert store.due() == []
    later = datetime.now(timezone.utc) + timedelta(seconds=61)
    assert [d.message_id for d in store.due(later)] == [message_id]
    store.delivered(message_id)
    assert store.due(later) == [] and store.attempts(message_id) == 2


def test_threads_starting_together_share_one_development_key(tmp_path, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from bot.action_server.leads import crypto

    monkeypatch.setenv("LEADS_KEY_FILE", str(tmp_path / "race" / "leads.key"))
    monkeypatch.delenv("LEADS_ENCRYPTION_KEY", raising=False)
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: crypto.load_key(), range(32)))
    assert len(keys) == 1 and len(next(iter(keys))) == 44
    assert sorted(p.name for p in (tmp_path / "race").iterdir()) == ["leads.key"]


def test_call_notes_are_stored_encrypted_with_the_calls_own_referral_and_queued(store, db_path):
    lead, _ = store.create(new_lead())
    saved = store.save_call_notes(lead.reference, "conv-1", "Prefers mornings.", "call_back")
    assert saved is not None and saved.call_notes == "Prefers mornings."
    assert saved.wrap_up == "call_back" and saved.notes_at is not None
    assert [d.kind for d in store.due()] == ["lead", "call_notes"]
    raw = sqlite3.connect(db_path).execute("SELECT call_notes_enc FROM leads").fetchone()[0]
    assert "mornings" not in raw
    again = store.save_call_notes(lead.reference, "conv-1", "", "info_only")
    assert again.call_notes is None and again.wrap_up == "info_only"


def test_a_call_cannot_write_notes_into_another_conversations_referral(store):
    lead, _ = store.create(new_lead())
    assert store.save_call_notes(lead.reference, "conv-2", "x", "referred") is None
    assert store.save_call_notes("L-00000000", "conv-1", "x", "referred") is None
    assert store.get(lead.reference).wrap_up is None and len(store.due()) == 1


def test_erasure_takes_the_call_notes_and_their_notifications_with_the_lead(store, db_path):
    lead, _ = store.create(new_lead())
    store.save_call_notes(lead.reference, "conv-1", "Prefers mornings.", "call_back")
    assert store.erase("conv-1") == [lead.reference]
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM leads").fetchone()[0] == 0
