"""Notifying the specialist team: a signed JSON POST per lead, retried until acknowledged.

Each lead's notification sits in the outbox until the receiver answers 2xx, and so do the
call notes an agent adds to it later (each save its own message, `"event": "call_notes"`).
A failure (5xx, time-out, refused connection) is retried with exponential backoff by the
worker in the action server or by `python -m bot.action_server.leads resend`. Each POST
carries a delivery id as `X-IVIG-Delivery` (the lead's reference for the referral; the
reference and the message's number for notes), so a receiver that got a POST whose answer
was lost can drop the repeat.

Every action server runs a worker on the shared outbox (and `resend` may run beside them), so a
sender first claims a due notification: one atomic UPDATE moves its next attempt past the
POST's time-out, and only the sender whose UPDATE changed the row posts it. Without the claim,
two action servers posted every notification twice. A sender that dies after claiming leaves a
claim that expires, and the notification goes out again then (at least once, never twice
while its senders live).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import requests
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.action_server.leads.models import NOTES_MESSAGE, OutboxMessage, utcnow
from bot.action_server.leads.store import Due, LeadStore
from bot.action_server.leads.summary import notes_payload, payload
from bot.startup import env

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-IVIG-Signature"
DELIVERY_HEADER = "X-IVIG-Delivery"


@dataclass(frozen=True)
class WebhookConfig:
    url: str | None
    secret: str
    timeout: float = 5.0
    retry_base: float = 2.0
    retry_max: float = 300.0

    @classmethod
    def from_env(cls) -> WebhookConfig:
        return cls(
            url=env.text("LEADS_WEBHOOK_URL") or None,
            secret=env.text("LEADS_WEBHOOK_SECRET"),
            timeout=env.number("LEADS_WEBHOOK_TIMEOUT", 5),
            retry_base=env.number("LEADS_RETRY_BASE_SECONDS", 2),
            retry_max=env.number("LEADS_RETRY_MAX_SECONDS", 300),
        )


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str) -> bool:
    return hmac.compare_digest(sign(body, secret), signature or "")


def backoff(attempts: int, config: WebhookConfig) -> timedelta:
    return timedelta(seconds=min(config.retry_base * 2 ** max(attempts - 1, 0), config.retry_max))


def claim_lease(config: WebhookConfig) -> timedelta:
    """How long a claim holds: past the POST's time-out (connect and read), with a margin."""
    return timedelta(seconds=3 * config.timeout + 5)


def claim(store: LeadStore, message_id: int, lease: timedelta) -> bool:
    """Takes a due notification for this sender only; False if another sender has it."""
    now = utcnow()
    with Session(store.engine) as session, session.begin():
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + lease)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def delivery_id(due: Due) -> str:
    """The same for every attempt of one message, different for each message."""
    if due.kind == NOTES_MESSAGE:
        return f"{due.lead.reference}-notes-{due.message_id}"
    return due.lead.reference


def body_of(due: Due) -> bytes:
    data = notes_payload(due.lead) if due.kind == NOTES_MESSAGE else payload(due.lead)
    return json.dumps(data, sort_keys=True).encode()


def deliver_due(store: LeadStore, config: WebhookConfig) -> tuple[int, int]:
    """Sends every due notification this sender could claim, once; returns (delivered, failed)."""
    if not config.url:
        return 0, 0  # no receiver configured: leads wait in the database
    delivered = failed = 0
    for due in store.due():
        message_id, lead = due.message_id, due.lead
        if not claim(store, message_id, claim_lease(config)):
            continue  # another action server is sending it
        body = body_of(due)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, config.secret),
            DELIVERY_HEADER: delivery_id(due),
        }
        try:
            response = requests.post(config.url, data=body, headers=headers, timeout=config.timeout)
            ok = 200 <= response.status_code < 300
            error = "" if ok else f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            ok, error = False, type(exc).__name__
        if ok:
            store.delivered(message_id)
            delivered += 1
        else:
            retry_in = backoff(store.attempts(message_id) + 1, config)
            store.failed(message_id, error, retry_in)
            logger.warning(
                "Lead %s not delivered (%s); retry in %s", lead.reference, error, retry_in
            )
            failed += 1
    return delivered, failed
