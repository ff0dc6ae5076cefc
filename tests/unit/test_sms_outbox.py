"""Texts wait in the Rasa server's own queue until Twilio takes them, in order, once each."""

from __future__ import annotations

import sqlalchemy as sa

from bot.rasa_server.sms_outbox import SmsOutbox
from tests.aio import run


class Twilio:
    def __init__(self) -> None:
        self.up, self.sent = True, []

    async def send(self, sender: str, to: str, body: str) -> None:
        if not self.up:
            raise OSError("connection refused")
        self.sent.append((to, body))


def never_stopped(_number: str) -> bool:
    return False


def test_texts_go_in_order_and_leave_the_queue(engine):
    twilio, outbox = Twilio(), SmsOutbox(engine)
    outbox.enqueue("sms-a", "+15550000", "+14155550123", ["one", "two"])
    assert run(outbox.flush("sms-a", twilio.send, never_stopped))
    assert twilio.sent == [("+14155550123", "one"), ("+14155550123", "two")]
    assert outbox.pending() == 0


def test_a_refused_text_stays_queued_and_nothing_after_it_overtakes_it(engine):
    twilio, outbox = Twilio(), SmsOutbox(engine)
    twilio.up = False
    outbox.enqueue("sms-a", "+15550000", "+14155550123", ["first", "second"])
    assert not run(outbox.flush("sms-a", twilio.send, never_stopped))
    assert outbox.pending() == 2
    twilio.up = True
    with engine.begin() as connection:  # the backoff has passed
        connection.execute(
            sa.text("UPDATE channel_sms_outbox SET next_attempt_at = '2000-01-01 00:00:00.000000'")
        )
    assert run(outbox.flush("sms-a", twilio.send, never_stopped))
    assert [body for _, body in twilio.sent] == ["first", "second"]


def test_a_text_another_replica_is_sending_is_not_sent_twice(engine):
    one, two = SmsOutbox(engine), SmsOutbox(engine)
    one.enqueue("sms-a", "+15550000", "+14155550123", ["hello"])
    claimed = one._claim_oldest("sms-a")
    assert claimed is not None
    twilio = Twilio()
    assert run(two.flush("sms-a", twilio.send, never_stopped))  # nothing it may send now
    assert twilio.sent == []


def test_the_queue_holds_no_number_and_no_text(engine):
    SmsOutbox(engine).enqueue("sms-a", "+15550000", "+14155550123", ["your weight is 80 kg"])
    with engine.connect() as connection:
        dump = str(connection.execute(sa.text("SELECT * FROM channel_sms_outbox")).all())
    assert "4155550123" not in dump and "80 kg" not in dump


def test_a_number_that_texted_stop_meanwhile_gets_nothing(engine):
    twilio, outbox = Twilio(), SmsOutbox(engine)
    outbox.enqueue("sms-a", "+15550000", "+14155550123", ["queued before STOP"])
    assert run(outbox.flush("sms-a", twilio.send, lambda number: True))
    assert twilio.sent == [] and outbox.pending() == 0
