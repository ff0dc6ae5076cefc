"""SMS and WhatsApp through Twilio, with what Rasa 3.6's stock connector lacks.

Rasa's connector checks no signature, fails on a media-only message, sends SMS and WhatsApp
from one number, sends each button as its own SMS with the raw payload, and calls Twilio
synchronously on the event loop. This channel:
- validates `X-Twilio-Signature` (the twilio package's RequestValidator over the raw form
  parameters, blank values kept, against TWILIO_PUBLIC_URL when behind a proxy): 403 otherwise;
- answers SMS numbers and `whatsapp:+1...` senders from the matching number, under the output
  channel names `twilio` and `whatsapp` (for response variants);
- renders buttons as numbered options and maps "1", "one" or the option's words back;
- keeps replies plain and splits long ones; honours STOP, START and HELP;
- sends through the Twilio REST API at a configurable base URL, without blocking the loop,
  each text queued durably first (bot/rasa_server/sms_outbox.py): a text Twilio refuses is
  retried in order by every replica until it goes, never lost with the turn;
- names each conversation by a keyed hash of the number (`sms-...`, `wa-...`, from
  bot/rasa_server/channels/ids.py), so the tracker, the leads and the logs never hold the number
  as an id
  and no other channel can address it; the number travels with each message only sealed for
  the action server (`reply_to` metadata, bot/rasa_server/reply_to.py), for the handoff to
  offer it;
- processes each signed `MessageSid` once: a replayed request is acknowledged and ignored
  (bot/rasa_server/replays.py, shared by replicas through the Rasa server's tables); a turn
  that failed lets Twilio's retry in, and the sid is the message id, so a turn stored before
  a crash is answered from the store rather than run twice.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Dict, List
from urllib.parse import parse_qsl

import requests
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError
from twilio.request_validator import RequestValidator

from bot import DATA_DIR
from bot.core.knowledge import knowledge_base
from bot.core.program import hours_text, phone_text
from bot.core.yamlio import load_yaml
from bot.rasa_server import channel_db, input_policy, reply_to, store_failsafe
from bot.rasa_server.channels import ids
from bot.rasa_server.opt_outs import OptOuts
from bot.rasa_server.replays import SeenMessages
from bot.rasa_server.sms_outbox import SmsOutbox
from bot.rasa_server.tracker_store import own_store

logger = logging.getLogger(__name__)
RETRY_SECONDS = 5  # how often each replica retries texts Twilio refused

SMS_LIMIT = 1600  # Twilio joins longer texts up to this; beyond it, split
MAX_BODY_BYTES = 65536  # a Twilio webhook is a few hundred bytes
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9}  # fmt: skip
SMS_FILE = DATA_DIR / "channels" / "sms.yml"


def keyword_reply(name: str) -> str:
    """The reply to STOP, START or HELP (data/channels/sms.yml), with the program's settings."""
    program = knowledge_base().program
    text = " ".join(str(load_yaml(SMS_FILE)[name]).split())
    return text.format(program=program.name, hours=hours_text(program), phone=phone_text(program))


STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}
START_WORDS = {"start", "unstop", "yes"}
HELP_WORDS = {"help", "info"}


# Options last shown to each sender, so a reply of "1" can mean the first button.
def plain(text: str) -> str:
    """No markdown or markup on a phone screen."""
    text = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", text)
    return re.sub(r"<[^>]+>", "", text)


def split_message(text: str, limit: int = SMS_LIMIT) -> List[str]:
    """Splits at paragraph, then sentence, boundaries so each part stays readable."""
    parts: List[str] = []
    current = ""
    for piece in re.split(r"(?<=\n\n)|(?<=[.!?] )", text):
        if len(current) + len(piece) > limit and current:
            parts.append(current.strip())
            current = ""
        while len(piece) > limit:
            parts.append(piece[:limit])
            piece = piece[limit:]
        current += piece
    if current.strip():
        parts.append(current.strip())
    return parts


def numbered_options(buttons: List[Dict[str, Any]]) -> str:
    """One option per line, under the numbers to reply with: short, and easy to scan."""
    lines = [f"{i} {b['title']}" for i, b in enumerate(buttons, start=1)]
    lead = "Reply 1:" if len(lines) == 1 else f"Reply 1-{len(lines)}:"
    return "\n".join([lead, *lines])


async def last_options(request: Request, conversation: str) -> List[Dict[str, str]]:
    """The numbered options of the bot's last message, read from the tracker store, so every
    replica and a restarted one know what "1" means; none once the person has answered."""
    store = own_store(request.app.ctx.agent.tracker_store)
    reader = getattr(store, "session_events", None)
    if reader is not None:
        events = await reader(conversation) or []
    else:
        tracker = await store.retrieve(conversation)
        events = list(tracker.events) if tracker else []
    for event in reversed(events):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered) and (event.data or {}).get("buttons"):
            return [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in event.data["buttons"]
            ]
    return []


def choose(text: str, buttons: List[Dict[str, str]]) -> str | None:
    """The payload a reply means: '1', 'one', 'option 2' or the option's own words."""
    t = text.strip().lower().rstrip(".!")
    t = re.sub(r"^(?:option|number|#)\s*", "", t)
    index = int(t) if t.isdigit() else NUMBER_WORDS.get(t)
    if index is not None and 1 <= index <= len(buttons):
        return buttons[index - 1]["payload"]
    for button in buttons:
        if t == button["title"].strip().lower():
            return button["payload"]
    return None


class TwilioApi:
    """The Twilio Messages API, called off the event loop."""

    def __init__(self, account_sid: str, auth_token: str, base_url: str) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"

    async def send(self, sender: str, to: str, body: str) -> None:
        def post() -> None:
            reply = requests.post(
                self.url,
                data={"From": sender, "To": to, "Body": body},
                auth=(self.account_sid, self.auth_token),
                timeout=10,
            )
            reply.raise_for_status()

        await asyncio.to_thread(post)


class TwilioOutput(OutputChannel):
    """Replies to one number: Rasa names the recipient by conversation id, which is a hash."""

    def __init__(
        self, api: TwilioApi, from_number: str, channel: str, opt_outs: OptOuts, to: str,
        outbox: SmsOutbox,
    ) -> None:  # fmt: skip
        self.api, self.from_number, self.channel, self.opt_outs = (
            api,
            from_number,
            channel,
            opt_outs,
        )
        self.to, self.outbox = to, outbox
        self.conversation = ids.phone_conversation(to)  # the queue's order key, not the number
        self._turn: List[str] = []  # the turn's texts, sent together by finish()

    @classmethod
    def name(cls) -> str:
        return "twilio"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Kept until the turn ends: a turn's replies go as one text (an outcome in five texts
        costs more segments and may arrive out of order)."""
        self._turn.append(plain(text))

    def discard(self) -> None:
        self._turn = []

    async def finish(self) -> None:
        """Sends the turn's texts: queued durably, then sent in order; a text Twilio refuses
        is retried later."""
        texts, self._turn = self._turn, []
        if not texts or self.opt_outs.is_stopped(self.to):
            return
        parts = split_message("\n\n".join(texts))
        try:
            self.outbox.enqueue(self.conversation, self.from_number, self.to, parts)
        except SQLAlchemyError:  # the queue's database is down: straight to Twilio, if it can
            for part in parts:
                await self.api.send(self.from_number, self.to, part)
            return
        await self.outbox.flush(self.conversation, self.api.send, self.opt_outs.is_stopped)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, f"{text}\n{numbered_options(buttons)}")

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        if message.get("buttons"):
            await self.send_text_with_buttons(
                recipient_id, message.get("text", ""), message["buttons"]
            )
        elif message.get("text"):
            await self.send_text_message(recipient_id, message["text"])


class WhatsAppOutput(TwilioOutput):
    @classmethod
    def name(cls) -> str:
        return "whatsapp"


class TwilioInput(InputChannel):
    """Registered in credentials.yml by its dotted path; webhook /webhooks/twilio/webhook."""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            account_sid=str(credentials.get("account_sid") or ""),
            auth_token=str(credentials.get("auth_token") or ""),
            sms_number=str(credentials.get("sms_number") or ""),
            whatsapp_number=str(credentials.get("whatsapp_number") or ""),
            api_base_url=str(credentials.get("api_base_url") or "https://api.twilio.com"),
            public_url=str(credentials.get("public_url") or ""),
        )

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sms_number: str,
        whatsapp_number: str,
        api_base_url: str,
        public_url: str = "",
    ) -> None:
        self.auth_token = auth_token
        self.sms_number, self.whatsapp_number = sms_number, whatsapp_number
        self.public_url = public_url
        self.api = TwilioApi(account_sid, auth_token, api_base_url)
        self.gate = input_policy.InputGate()
        self._seen: SeenMessages | None = None

    def seen(self) -> SeenMessages:
        if self._seen is None:
            self._seen = SeenMessages(channel_db.engine())
        return self._seen

    def _signed(self, request: Request, params: Dict[str, str]) -> bool:
        if not self.auth_token:
            return False  # unconfigured: refuse everything rather than trust anyone
        url = self.public_url.rstrip("/") + request.path if self.public_url else request.url
        signature = request.headers.get("X-Twilio-Signature", "")
        return RequestValidator(self.auth_token).validate(url, params, signature)

    def output_for(self, sender: str) -> TwilioOutput:
        opt_outs, outbox = OptOuts(channel_db.engine()), SmsOutbox(channel_db.engine())
        if sender.startswith("whatsapp:"):
            number = self.whatsapp_number
            number = number if number.startswith("whatsapp:") else f"whatsapp:{number}"
            return WhatsAppOutput(self.api, number, "whatsapp", opt_outs, sender, outbox)
        return TwilioOutput(self.api, self.sms_number, "twilio", opt_outs, sender, outbox)

    async def retry_queued(self) -> int:
        """One pass over texts Twilio refused before; how many conversations were retried."""
        engine = channel_db.engine()
        outbox, opt_outs = SmsOutbox(engine), OptOuts(engine)
        due = outbox.due_conversations()
        for conversation in due:
            await outbox.flush(conversation, self.api.send, opt_outs.is_stopped)
        return len(due)

    async def _retry_forever(self) -> None:
        while True:
            await asyncio.sleep(RETRY_SECONDS)
            try:
                await self.retry_queued()
            except Exception as error:  # the database may be away for a moment
                logger.warning("Retrying queued texts failed: %s", type(error).__name__)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio = Blueprint("bot_twilio_webhook", __name__)

        @twilio.listener("after_server_start")
        async def retry_queued_texts(app: Any, _loop: Any) -> None:
            app.add_task(self._retry_forever())

        @twilio.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @twilio.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.text("Request too large", status=413)
            body = (request.body or b"").decode("utf-8", errors="replace")
            params = dict(parse_qsl(body, keep_blank_values=True))
            if not self._signed(request, params):
                return response.text("Forbidden", status=403)
            sender = params.get("From", "")
            message_sid = params.get("MessageSid") or params.get("SmsSid") or ""
            if not sender or not message_sid:
                return response.text("", status=400)
            if not self.seen().claim(message_sid):
                return response.text("", status=204)  # a replay: answered already
            output = self.output_for(sender)
            try:
                status = await self._answer(
                    request, params, sender, message_sid, output, on_new_message
                )
                await output.finish()
            except Exception as error:
                # Nothing is lost: the person is told, and Twilio's retry may run the turn.
                self.seen().release(message_sid)
                await self._tell_failed(request, output, sender, params.get("Body", ""), error)
                return response.text("", status=503)
            self.seen().answered(message_sid)
            return response.text("", status=status)

        return twilio

    async def _answer(self, request: Request, params: Dict[str, str], sender: str,
                      message_sid: str,
                      output: TwilioOutput,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> int:  # fmt: skip
        """One message's turn (its replies go out through `output`); the webhook's status."""
        text = params.get("Body", "")
        keyword = text.strip().lower()
        if keyword in STOP_WORDS:
            if sender.startswith("whatsapp:"):  # no carrier opt-out there: confirm it
                await output.send_text_message(sender, keyword_reply("whatsapp_stopped"))
                await output.finish()  # before the stop, which silences the number
            output.opt_outs.stop(sender)
            return 204
        if keyword in START_WORDS and output.opt_outs.is_stopped(sender):
            output.opt_outs.start(sender)
            await output.send_text_message(sender, keyword_reply("resubscribed"))
            return 204
        if keyword in HELP_WORDS:
            await output.send_text_message(sender, keyword_reply("help"))
            return 204
        conversation = ids.phone_conversation(sender)
        if not self.gate.admit(conversation):
            return 429  # no reply: each SMS costs the texter
        chosen = choose(text, await last_options(request, conversation))
        media = (params.get("NumMedia") or "0").strip()
        media_only = not text.strip() and media not in ("0", "")
        payload = chosen or self.gate.payload(text, media_only=media_only)
        await on_new_message(
            UserMessage(
                payload, output, conversation, input_channel=output.channel,
                message_id=message_sid,  # a turn stored before a crash is not run twice
                metadata={"reply_to": reply_to.seal(sender)},
            )
        )  # fmt: skip
        return 204

    async def _tell_failed(self, request: Request, output: TwilioOutput, sender: str,
                           text: str, error: Exception) -> None:  # fmt: skip
        """The turn failed: emergency guidance first if it was one, then "please try again"."""
        logger.error("A Twilio turn failed: %s", store_failsafe.failure_reason(error))
        output.discard()  # a failed turn's partial replies: the turn may run again
        try:
            domain = request.app.ctx.agent.domain
            for reply in store_failsafe.failure_reply(domain, output.name(), text):
                await output.send_response(sender, reply)
            await output.finish()
        except Exception as send_error:  # Twilio itself unreachable: nothing more to do here
            logger.error("Could not tell the texter: %s", type(send_error).__name__)
