"""The lead store on a real PostgreSQL server: migrations, encryption, idempotency, outbox."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.action_server.leads.db import MIGRATIONS, make_engine, migrate
from bot.action_server.leads.store import LeadStore
from tests.services import postgres_server
from tests.unit.test_leads_store import new_lead


@pytest.fixture(scope="module")
def database_url():
    with postgres_server() as url:
        yield url


@pytest.fixture
def store(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("LEADS_KEY_FILE", str(tmp_path / "leads.key"))
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # idempotent
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM outbox; DELETE FROM leads; DELETE FROM erasure_audit"))
    return LeadStore(engine)


def test_the_schema_is_managed_by_alembic(store):
    with store.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert version == ScriptDirectory.from_config(config).get_current_head()


def test_a_lead_round_trips_with_encrypted_contact_fields(store):
    lead, created = store.create(new_lead())
    assert created and store.get(lead.reference).contact.name == "Zelda Quimby"
    with store.engine.connect() as connection:
        row = connection.execute(text("SELECT name_enc, phone_enc FROM leads")).one()
    assert "Zelda" not in row.name_enc and "4155550199" not in row.phone_enc


def test_concurrent_double_submits_yield_one_lead(store):
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: store.create(new_lead()), range(4)))
    assert len({lead.id for lead, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert len(store.list()) == 1 and store.pending_count() == 1


def test_erasure_and_the_outbox_work_the_same(store):
    store.create(new_lead())
    (due,) = store.due()
    message_id = due.message_id
    store.failed(message_id, "HTTP 500", timedelta(seconds=30))
    assert store.due() == []
    later = datetime.now(timezone.utc) + timedelta(seconds=31)
    assert len(store.due(later)) == 1
    assert store.erase_conversation("conv-1") == 1
    assert store.list() == [] and store.pending_count() == 0


def test_lead_numbers_are_not_reused_after_an_erasure_on_postgresql(store):
    first, _ = store.create(new_lead("pg-reuse-1", "pg-reuse-a"))
    store.erase(first.conversation_id)
    second, _ = store.create(new_lead("pg-reuse-2", "pg-reuse-b"))
    assert second.id > first.id and second.reference != first.reference
