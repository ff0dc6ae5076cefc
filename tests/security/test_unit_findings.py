"""Security findings of issue 14 that need no running server: each test is an attack that
worked before the fix. Findings are numbered as in the issue."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from bot import PROJECT_ROOT
from bot.action_server.leads import contact, db, intake
from bot.action_server.leads.__main__ import write_csv
from bot.action_server.leads.store import Contact, LeadStore, NewLead
from bot.rasa_server.channels import ids, pages
from bot.rasa_server.channels.rest import RequestRefusedError, known_metadata, parse_body
from bot.rasa_server.input_policy import InputGate, Limits, clean, client_address


@pytest.fixture(autouse=True)
def private_key(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADS_KEY_FILE", str(tmp_path / "leads.key"))
    monkeypatch.delenv("LEADS_ENCRYPTION_KEY", raising=False)


@pytest.fixture
def store(tmp_path) -> LeadStore:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'leads.db'}")
    db.migrate(engine)
    return LeadStore(engine)


def new_lead(key: str, name: str = "Grace Hopper", email: str = "grace@example.com") -> NewLead:
    return NewLead(
        idempotency_key=key, conversation_id=f"conv-{key}", channel="rest",
        contact=Contact(name=name, email=email, method="email", time="morning"),
        consent_at=datetime.now(timezone.utc),
    )  # fmt: skip


# 1. Conversation ids bound to their channel ------------------------------------------------
def test_1_a_phone_number_is_not_a_conversation_id_and_rest_cannot_name_one():
    conversation = ids.phone_conversation("+14155550123")
    assert "4155550123" not in conversation and conversation.startswith("sms-")
    assert ids.phone_conversation("whatsapp:+14155550123").startswith("wa-")
    for taken in (conversation, "whatsapp:+14155550123", "web-" + "a" * 32, "agent-" + "b" * 64):
        assert ids.rest_sender(taken) is None, taken
    assert ids.rest_sender("integration-42") == "integration-42"
    assert ids.rest_sender("test_x[wrong key]-3") == "test_x[wrong key]-3"
    for bad in ("", "   ", "a\x00b", "x" * 129, None, 42, " " + conversation, conversation.upper()):
        assert ids.rest_sender(bad) is None, repr(bad)


def test_1_widget_sessions_must_be_issued_by_the_server():
    issued = ids.new_web_session()
    assert ids.verified_web_session(issued) == issued
    forged = issued[:-1] + ("0" if issued[-1] != "0" else "1")
    assert ids.verified_web_session(forged) is None
    assert ids.verified_web_session("0123456789abcdef0123456789abcdef") is None
    # The conversation the tracker store names cannot be used to join it.
    assert ids.verified_web_session(ids.web_conversation(issued)) is None
    assert ids.web_conversation(issued) != issued


# 3. Bounded bodies, known metadata only ------------------------------------------------------
def test_3_large_bodies_are_refused_and_unknown_metadata_is_dropped():
    with pytest.raises(RequestRefusedError) as refused:
        parse_body(b'{"sender": "a", "metadata": {"x": "' + b"y" * 70_000 + b'"}}')
    assert refused.value.status == 413
    kept = known_metadata({"locale": "en-US", "blob": "x" * 10_000, "nested": {"a": 1}})
    assert kept == {"locale": "en-US"}


# 4. Spreadsheet-safe CSV -----------------------------------------------------------------
@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://evil.test","x")', "+SUM(1,2)@example.com", "-2+3", "@cmd",
             "\t=1+1", "|calc"],
)  # fmt: skip
def test_4_no_exported_cell_starts_a_formula(cell):
    out = io.StringIO()
    write_csv(out, [["Name"], [cell]])
    exported = out.getvalue().splitlines()[1].strip('"')
    assert exported[0] == "'"


def test_4_names_cannot_start_like_a_formula():
    for name in ('=HYPERLINK("x")', "+1 Grace", "@Grace", "-Grace"):
        assert not contact.parse_name(name).found, name
    assert contact.parse_name("my name is Ana-María O'Neil").value == "Ana-María O'Neil"


# 2. Re-validated lead fields ---------------------------------------------------------------
def test_2_lead_fields_from_the_tracker_are_read_again_before_storing():
    checked = intake.checked_contact('=HYPERLINK("x")', "call", "not a phone", "x@", "whenever")
    assert checked == Contact(name=None, phone=None, email=None, method="call", time="any time")
    answers = intake.checked_answers(
        {"diagnosis": "dermatomyositis", "weight_kg": 80, "injected": "x" * 500, "unknown": "1"},
        ["diagnosis", "weight_kg", "injected"],
    )
    assert answers == {"diagnosis": "dermatomyositis", "weight_kg": 80}
    assert intake.checked_channel("evil") == "unknown"


# 6. Files readable by their owner only ------------------------------------------------------
def test_6_the_leads_database_and_key_are_created_0600(tmp_path, store):
    from bot.action_server.leads import crypto

    crypto.encrypt("x")
    for path in (tmp_path / "leads.db", tmp_path / "leads.key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_6_an_erased_lead_leaves_no_readable_trace_in_the_database_file(tmp_path, store):
    store.create(new_lead("a", name="Zebulon Quartermaine", email="zq@example.com"))
    assert store.erase("conv-a")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("leads.db*"))
    assert b"conv-a" not in raw


# 7. Rate limits keyed on the client, not on the id it chooses --------------------------------
def test_7_new_conversation_ids_do_not_escape_the_per_address_limit():
    gate = InputGate(Limits(per_minute=30, per_client_per_minute=20))
    admitted = [gate.admit(f"sender-{i}", "203.0.113.9") for i in range(50)]
    assert admitted.count(True) == 20
    assert gate.admit("sender-x", "198.51.100.1")  # someone else is not held up


def test_7_forwarded_addresses_count_only_through_a_trusted_proxy():
    proxies = [__import__("ipaddress").ip_network("10.0.0.5/32")]
    assert client_address("203.0.113.9", "1.2.3.4", proxies) == "203.0.113.9"  # spoofed
    assert client_address("10.0.0.5", "1.2.3.4, 198.51.100.7", proxies) == "198.51.100.7"


# 9. Rough edges ---------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["<svg/onload=alert(1)", "what is ivig <img src=x onerror=1"])
def test_9_unterminated_tags_are_removed(raw):
    assert "<" not in clean(raw) and "onload" not in clean(raw) and "onerror" not in clean(raw)


def test_9_deeply_nested_json_is_a_bad_request_not_a_crash():
    with pytest.raises(RequestRefusedError) as refused:
        parse_body(b"[" * 50_000 + b"]" * 50_000, limit=10**6)
    assert refused.value.status == 400


def test_9_lead_numbers_and_references_are_never_reused(store):
    first, _ = store.create(new_lead("a"))
    second, _ = store.create(new_lead("b"))
    store.erase("conv-b")
    third, _ = store.create(new_lead("c"))
    assert third.id > second.id > first.id
    assert third.reference != second.reference
    assert store.get(second.id) is None


def test_9_an_empty_database_url_means_the_default(tmp_path):
    env = {**os.environ, "DATABASE_URL": "", "LEADS_KEY_FILE": str(tmp_path / "k")}
    result = subprocess.run(
        [sys.executable, "-m", "bot.action_server.leads", "list"], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]


def test_9_the_content_security_policy_comes_from_configuration_not_the_host_header():
    assert pages.connect_sources("") == "'self'"
    assert pages.connect_sources("https://chat.pharmacy.test") == (
        "'self' https://chat.pharmacy.test wss://chat.pharmacy.test"
    )
    assert pages.connect_sources("https://x.test; script-src *") == "'self'"


def test_6_erasure_blanks_sqlite_pages_and_the_write_ahead_log(tmp_path):
    from sqlalchemy import create_engine

    from bot.rasa_server.retention import erase_transcript

    path = tmp_path / "tracker.db"
    keep = sqlite3.connect(path)
    keep.execute("PRAGMA journal_mode=WAL")
    keep.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
        "timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"
    )
    secret = "Zebulon Quartermaine weighs 81 kg"
    for kind in ("user", "bot"):
        keep.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, 1, ?)",
            ("me", kind, json.dumps({"event": kind, "text": secret})),
        )
    keep.commit()
    erase_transcript(create_engine(f"sqlite:///{path}"), "me")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("tracker.db*"))
    assert secret.encode() not in raw
    keep.close()


EMPTY_MEANS_UNSET = (
    "DATABASE_URL", "LEADS_KEY_FILE", "LEADS_ENCRYPTION_KEY", "LEADS_WEBHOOK_URL",
    "LEADS_WEBHOOK_TIMEOUT", "LEADS_RETRY_BASE_SECONDS", "LEADS_RETRY_MAX_SECONDS",
    "PHONE_DEFAULT_REGION", "TRACKER_DB_URL", "TRACKER_DB_DIALECT", "TRACKER_DB_NAME",
    "TRACKER_RETENTION_DAYS", "MAX_MESSAGE_CHARS", "RATE_LIMIT_PER_MINUTE",
    "RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "TRUSTED_PROXIES", "RATE_LIMIT_EXEMPT_ADDRESSES",
    "AGENT_SESSION_HOURS", "AGENT_LOGIN_MAX_FAILURES", "AGENT_LOGIN_WINDOW_SECONDS",
)  # fmt: skip


def test_9_empty_variables_mean_their_defaults(monkeypatch):
    from bot.action_server.leads import crypto
    from bot.action_server.leads.notify import WebhookConfig
    from bot.rasa_server import input_policy, retention
    from bot.rasa_server.agent_auth import AuthSettings

    for name in EMPTY_MEANS_UNSET:
        monkeypatch.setenv(name, "")
    assert db.database_url() == f"sqlite:///{PROJECT_ROOT / 'var' / 'leads.db'}"
    assert crypto.key_file() == PROJECT_ROOT / "var" / "leads.key"
    assert contact.parse_phone("415-555-0123").value == "+14155550123"
    config = WebhookConfig.from_env()
    assert config.url is None and config.timeout == 5
    assert str(retention.tracker_url()) == "sqlite:///ivig-tracker.db"
    assert retention.retention_days() == 90
    assert input_policy.limits_from_env() == Limits(2000, 30, 300)
    assert input_policy.rate_exempt("127.0.0.1") and input_policy.trusted_proxies()
    assert AuthSettings.from_env().max_failures == 5
