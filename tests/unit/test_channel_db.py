"""The Rasa server's own tables and secret (bot/rasa_server/channel_db.py), and the texter's
number sealed for the action server (reply_to)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bot.action_server.leads import reply_to as opening
from bot.rasa_server import channel_db, replays
from bot.rasa_server import reply_to as sealing
from bot.rasa_server.opt_outs import OptOuts
from bot.rasa_server.replays import SeenMessages


def test_a_message_is_claimed_once_and_a_replay_is_refused(engine):
    seen = SeenMessages(engine)
    assert seen.claim("SM1")
    assert not seen.claim("SM1")  # its turn is running
    seen.answered("SM1")
    assert not seen.claim("SM1")  # a replay of an answered message


def test_a_failed_turn_lets_twilios_retry_run_it(engine):
    seen = SeenMessages(engine)
    assert seen.claim("SM2")
    seen.release("SM2")
    assert seen.claim("SM2")


def test_a_claim_whose_replica_died_can_be_taken_again_but_an_answer_never(engine, monkeypatch):
    seen = SeenMessages(engine)
    assert seen.claim("SM3") and seen.claim("SM4")
    seen.answered("SM4")
    monkeypatch.setattr(replays, "CLAIM_LIFETIME", timedelta(seconds=-1))
    assert seen.claim("SM3")
    assert not seen.claim("SM4")


def test_the_tables_hold_no_number_and_no_sid(engine):
    OptOuts(engine).stop("+14155550123")
    SeenMessages(engine).claim("SMabc")
    with engine.connect() as connection:
        dump = str(connection.execute(sa.text("SELECT * FROM channel_sms_opt_outs")).all())
        dump += str(connection.execute(sa.text("SELECT * FROM channel_twilio_messages")).all())
    assert "4155550123" not in dump and "SMabc" not in dump
    assert OptOuts(engine).is_stopped("+14155550123")


def test_the_hashes_change_with_the_channel_secret(engine, monkeypatch):
    first = channel_db.keyed_hash("sid", "SM1")
    monkeypatch.setenv("CHANNEL_SECRET_KEY", "another-secret")
    assert channel_db.keyed_hash("sid", "SM1") != first


def test_the_number_sealed_by_the_rasa_server_is_opened_only_with_the_action_servers_key(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("REPLY_TO_KEY_FILE", str(tmp_path / "reply-to.pem"))
    monkeypatch.delenv("REPLY_TO_PUBLIC_KEY_FILE", raising=False)
    token = sealing.seal("+14155550123")
    assert "4155550123" not in token
    assert opening.open_sealed(token) == "+14155550123"
    assert (tmp_path / "reply-to.pem").stat().st_mode & 0o077 == 0  # nobody else reads it
    monkeypatch.setenv("REPLY_TO_KEY_FILE", str(tmp_path / "other.pem"))
    assert opening.open_sealed(token) is None  # sealed for another key
    assert opening.open_sealed("not a token") is None


def test_in_production_the_rasa_server_needs_only_the_public_key(tmp_path, monkeypatch):
    from cryptography.hazmat.primitives import serialization

    from bot.startup.keyfile import rsa_private_pem

    private = tmp_path / "actions-only.pem"
    private.write_bytes(rsa_private_pem())
    key = serialization.load_pem_private_key(private.read_bytes(), None)
    public = tmp_path / "rasa.pub.pem"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    monkeypatch.setenv("REPLY_TO_PUBLIC_KEY_FILE", str(public))
    monkeypatch.setenv("REPLY_TO_KEY_FILE", str(tmp_path / "absent-on-the-rasa-side.pem"))
    token = sealing.seal("whatsapp:+14155550123")
    assert not (tmp_path / "absent-on-the-rasa-side.pem").exists()  # no private key made
    monkeypatch.setenv("REPLY_TO_KEY_FILE", str(private))
    assert opening.open_sealed(token) == "whatsapp:+14155550123"
