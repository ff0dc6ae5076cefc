"""The agent-assist channel: call-center agents run the conversation for a caller.

The agent types (or clicks) what the caller says; replies come back as a script, from the
domain's `agent_assist` response variants or with a cue added by bot.core.agent_script. A side panel
shows the call's screening answers, outcome, safety flags and referral. Every route but the
login page needs a session from bot.rasa_server.agent_auth: Rasa's `--auth-token` never covers
/webhooks/*.

Calls live under their own conversation ids ("agent-" + 64 hex digits, made by the server and
bound to the agent's session by a MAC, bot.rasa_server.agent_auth.call_id), so an agent can never
open or
read a web or SMS visitor's conversation, nor another session's call.

For a live call the console also gets: the call's script again after a reload, rebuilt from the
conversation's tracker (only for the session the call belongs to), the knowledge topics and a
search over them (bot.core.knowledge), and the center's emergency and transfer numbers
(AGENT_EMERGENCY_NUMBER, AGENT_TRANSFER_NUMBER) to show beside an emergency script. The caller's
typed contact details are never sent back: the server forgets them once a referral holds them.

Against cross-site requests (a page on another port of the same host is "same site", so the
SameSite=Strict cookie alone does not stop it): every POST must come from the console's own
origin when a browser sends one (Origin, or Sec-Fetch-Site), and the webhook takes only an exact
`application/json` body, which no form or simple cross-origin request can send. Logging out
revokes the session (bot.rasa_server.agent_revocations).
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Dict

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core import agent_panel as panel
from bot.core import agent_script as script
from bot.core import call_notes
from bot.core.erasure import ERASED
from bot.core.knowledge import knowledge_base
from bot.rasa_server import agent_auth as auth
from bot.rasa_server import channel_db, input_policy
from bot.rasa_server.agent_revocations import Revocations
from bot.rasa_server.channels import pages
from bot.rasa_server.channels.ids import AGENT
from bot.startup import env

logger = logging.getLogger(__name__)

COOKIE = "ivig_agent_session"
DEVICE_COOKIE = "ivig_agent_device"
PREFIX = "/webhooks/agent"
PUBLIC_ROUTES = ("login", "login.css")
MAX_BODY_BYTES = 16_384
CALL_ID = re.compile(r"^[0-9a-f]{64}$")
# The topics the console offers as one-click buttons, in this order (those the knowledge has).
QUICK_TOPICS = ("what_is_ivig", "ivig_dose", "side_effects", "infusion_reaction",
                "home_infusion", "copay_help", "hours")  # fmt: skip
MAX_QUERY_CHARS = 200
ALERT_KINDS = ("emergency", "self_harm")  # flags whose script gets the center's numbers
# How the console shows a message the agent sent by clicking rather than typing.
GREET, HANDOFF, NOTES = "/greet", "/request_human", "/save_call_notes"
SHOWN = {GREET: "(call started)", HANDOFF: "(agent: create specialist handoff)",
         NOTES: "(agent: saved call notes)"}  # fmt: skip
ERASED_REPLY = "(a reply that repeated contact details, no longer kept on the server)"
TOPIC_PAYLOAD = re.compile(r'^/faq\{"faq_topic": "([a-z0-9_]+)"\}$')


def topic_payload(key: str) -> str:
    return f'/faq{{"faq_topic": "{key}"}}'


def topic_shown(title: str) -> str:
    return f"(agent: topic {title})"


def caller_line(text: str, offered: list[dict[str, Any]]) -> str:
    """How the console showed a caller's message: a clicked option by its title."""
    for button in offered:
        if button.get("payload") == text:
            return str(button.get("title") or text)
    if text in SHOWN:
        return SHOWN[text]
    if text == ERASED:
        return "(contact detail, no longer kept on the server)"
    topic = TOPIC_PAYLOAD.match(text)
    if topic:
        found = knowledge_base().topics.get(topic.group(1))
        return topic_shown(found.title if found else topic.group(1))
    if text.startswith("/"):
        return "(a message the assistant could not read)"
    return text


def alert_of(event: UserUttered) -> str | None:
    """The safety flag of a caller's message whose script gets the center's numbers."""
    flag = panel.red_flag(event.parse_data or {})
    return flag["kind"] if flag and flag["kind"] in ALERT_KINDS else None


def conversation_id(call: str) -> str:
    return f"{AGENT}{call}"


def is_exact_json(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "application/json"


def allowed_origins(request: Request) -> set[str]:
    """AGENT_ALLOWED_ORIGINS when set; else the console's own origin as the request names it."""
    configured = env.text("AGENT_ALLOWED_ORIGINS")
    if configured:
        return {o.strip().rstrip("/") for o in configured.split(",") if o.strip()}
    host = request.headers.get("Host", "")
    return {f"http://{host}", f"https://{host}"}


def same_origin(request: Request) -> bool:
    """False for a browser request made by another origin's page (CSRF); requests without
    browser headers (scripts, tests) carry no ambient cookie risk and pass."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:  # set by the browser itself; a form post of a no-referrer page
        return site in ("same-origin", "none")  # says Origin: null, so this decides first
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin.rstrip("/") in allowed_origins(request)


class AgentScriptOutput(script.ScriptedReplies, CollectingOutputChannel):
    """Collects the turn's replies, each phrased for the agent to read out."""

    @classmethod
    def name(cls) -> str:
        return "agent_assist"

    async def _persist_message(self, message: Dict[str, Any]) -> None:
        if message.get("text"):
            message["text"] = script.scripted(message["text"])
        await super()._persist_message(message)


class AgentAssistInput(InputChannel):
    """Registered in credentials.yml by its dotted path; console at /webhooks/agent/."""

    def __init__(self, settings: auth.AuthSettings | None = None) -> None:
        self.settings = settings or auth.AuthSettings.from_env()
        self.failures = auth.FailedLogins(
            self.settings.max_failures, self.settings.failure_window_seconds
        )
        self.gate = input_policy.InputGate()
        # The call center's own lines, shown beside an emergency script (never sent to callers).
        self.emergency_number = env.text("AGENT_EMERGENCY_NUMBER")
        self.transfer_number = env.text("AGENT_TRANSFER_NUMBER")
        self._revocations: Revocations | None = None

    def revocations(self) -> Revocations:
        if self._revocations is None:
            self._revocations = Revocations(channel_db.engine())
        return self._revocations

    @classmethod
    def name(cls) -> str:
        return "agent_assist"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> AgentAssistInput:
        return cls()

    def url_prefix(self) -> str:
        return "agent"

    def session(self, request: Request) -> auth.Session | None:
        """The request's live session: signed, unexpired and not logged out."""
        header = request.headers.get("Authorization", "")
        bearer = header[7:] if header.startswith("Bearer ") else None
        found = auth.session_of(self.settings, bearer or request.cookies.get(COOKIE))
        if found is None or self.revocations().is_revoked(found.id):
            return None
        return found

    def signed_in(self, request: Request) -> str | None:
        found = self.session(request)
        return found.agent if found else None

    def login_page(self, request: Request, message: str = "", status: int = 200) -> HTTPResponse:
        if not self.settings.enabled:
            message, status = (
                "The agent console is not set up: AGENT_ACCESS_TOKEN is missing or too short.",
                503,
            )
        shown = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
        return pages.serve(request, "agent-login.html", status, {"<!--message-->": shown})

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        agent_bp = Blueprint("agent_assist", __name__)

        def refused(request: Request) -> HTTPResponse:
            if request.method == "GET" and "application/json" not in request.headers.get(
                "Accept", ""
            ):
                return response.redirect(f"{PREFIX}/login", status=303)
            return response.json({"error": "login required"}, status=401)

        @agent_bp.route("/login", methods=["GET"])
        async def login_form(request: Request) -> HTTPResponse:
            return self.login_page(request)

        @agent_bp.route("/login.css", methods=["GET"])
        async def login_style(request: Request) -> HTTPResponse:
            return pages.serve(request, "agent.css")

        def set_cookie(request: Request, reply: HTTPResponse, name: str, value: str,
                       path: str, seconds: int) -> None:  # fmt: skip
            reply.cookies[name] = value
            cookie = reply.cookies[name]
            cookie["httponly"] = True
            cookie["samesite"] = "Strict"
            cookie["path"] = path
            cookie["max-age"] = seconds
            if request.scheme == "https" or request.headers.get("X-Forwarded-Proto") == "https":
                cookie["secure"] = True

        @agent_bp.route("/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            if not same_origin(request):
                return response.json({"error": "cross-origin request refused"}, status=403)
            client = input_policy.client_address(
                request.ip or "unknown", request.headers.get("X-Forwarded-For")
            )
            key = auth.attempt_key(self.settings, request.cookies.get(DEVICE_COOKIE), client)
            if self.failures.blocked(key):
                return self.login_page(request, "Too many tries. Wait a few minutes.", 429)
            offered = request.form.get("token") or ""
            if not auth.token_matches(self.settings, offered):
                self.failures.record(key)
                return self.login_page(request, "That access token is not right.", 401)
            agent = request.form.get("agent") or "agent"
            session = auth.issue_session(self.settings, agent)
            reply = response.redirect(f"{PREFIX}/", status=303)
            set_cookie(request, reply, COOKIE, session, PREFIX,
                       int(self.settings.session_hours * 3600))  # fmt: skip
            if auth.device_id(self.settings, request.cookies.get(DEVICE_COOKIE)) is None:
                set_cookie(request, reply, DEVICE_COOKIE, auth.issue_device(self.settings),
                           f"{PREFIX}/login", auth.DEVICE_DAYS * 86400)  # fmt: skip
            return reply

        @agent_bp.route("/logout", methods=["POST"])
        async def logout(request: Request) -> HTTPResponse:
            if not same_origin(request):
                return response.json({"error": "cross-origin request refused"}, status=403)
            found = self.session(request)
            if found is not None:
                self.revocations().revoke(found.id, found.expires_at)
            reply = response.redirect(f"{PREFIX}/login", status=303)
            set_cookie(request, reply, COOKIE, "", PREFIX, 0)
            return reply

        @agent_bp.route("/", methods=["GET"])
        async def console(request: Request) -> HTTPResponse:
            if not self.signed_in(request):
                return refused(request)
            return pages.serve(request, "agent.html")

        # Also /webhooks/agent/ (Sanic hands the trailing slash here with an empty name).
        @agent_bp.route("/<name:str>", methods=["GET"])
        async def asset(request: Request, name: str) -> HTTPResponse:
            if not self.signed_in(request):
                return refused(request)
            if not name:
                return pages.serve(request, "agent.html")
            if name not in ("agent.js", "agent.css"):
                return response.text("Not found", status=404)
            return pages.serve(request, name)

        @agent_bp.route("/calls", methods=["POST"])
        async def new_call(request: Request) -> HTTPResponse:
            found = self.session(request)
            if not found:
                return refused(request)
            if not same_origin(request):
                return response.json({"error": "cross-origin request refused"}, status=403)
            return response.json({"call": auth.call_id(self.settings, found.id)})

        @agent_bp.route("/calls/<call:str>/panel", methods=["GET"])
        async def call_panel(request: Request, call: str) -> HTTPResponse:
            found = self.session(request)
            if not found:
                return refused(request)
            if not auth.call_belongs_to(self.settings, found.id, call):
                return response.json({"error": "unknown call"}, status=404)
            return response.json(await self.panel(request, call))

        @agent_bp.route("/calls/<call:str>/script", methods=["GET"])
        async def call_script(request: Request, call: str) -> HTTPResponse:
            """The call's script so far, as the console showed it, for a reload mid-call."""
            found = self.session(request)
            if not found:
                return refused(request)
            if not auth.call_belongs_to(self.settings, found.id, call):
                return response.json({"error": "unknown call"}, status=404)
            return response.json(await self.script(request, call))

        @agent_bp.route("/console", methods=["GET"])
        async def console_settings(request: Request) -> HTTPResponse:
            found = self.session(request)
            if not found:
                return refused(request)
            topics = knowledge_base().topics
            notes_config = call_notes.settings()
            return response.json({
                "agent": found.agent,
                "emergency_number": self.emergency_number,
                "transfer_number": self.transfer_number,
                "quick_topics": [topic_json(topics[k]) for k in QUICK_TOPICS if k in topics],
                "wrap_ups": [{"key": w.key, "label": w.label} for w in notes_config.wrap_ups],
                "notes_max_chars": notes_config.max_chars,
            })  # fmt: skip

        @agent_bp.route("/topics", methods=["GET"])
        async def search_topics(request: Request) -> HTTPResponse:
            """Topics whose title has the query's words, then the knowledge search's hits."""
            if not self.session(request):
                return refused(request)
            query = (request.args.get("q") or "").strip()[:MAX_QUERY_CHARS]
            kb = knowledge_base()
            words = query.lower().split()
            titled = [k for k, t in kb.topics.items()
                      if words and all(w in t.title.lower() for w in words)]  # fmt: skip
            hits = [h.topic.key for h in kb.search(query, limit=8)] if query else []
            chosen = list(dict.fromkeys([*titled, *hits]))[:8]
            return response.json({"topics": [topic_json(kb.topics[k]) for k in chosen]})

        def posted_call(request: Request) -> tuple[Any, str, dict[str, Any]] | HTTPResponse:
            """(session, call id, body) of a console POST, or the answer that refuses it."""
            found = self.session(request)
            if not found:
                return refused(request)
            if not same_origin(request):
                return response.json({"error": "cross-origin request refused"}, status=403)
            if not is_exact_json(request.content_type):
                return response.json({"error": "send application/json"}, status=415)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json({"error": "request too large"}, status=413)
            try:
                body = json.loads((request.body or b"").decode("utf-8", errors="replace"))
            except (ValueError, RecursionError):
                body = None
            call = str(body.get("call", "")) if isinstance(body, dict) else ""
            if not isinstance(body, dict) or not CALL_ID.match(call):
                return response.json({"error": "send JSON with a call id"}, status=400)
            if not auth.call_belongs_to(self.settings, found.id, call):
                return response.json({"error": "unknown call"}, status=404)
            return found, call, body

        async def turn(request: Request, found: Any, call: str, text: str,
                       metadata: dict[str, Any]) -> HTTPResponse:  # fmt: skip
            """One message of the call through the dialogue; its script lines and the panel."""
            sender = conversation_id(call)
            collector = AgentScriptOutput()
            if not self.gate.admit(sender):
                collector.messages.append(
                    {"recipient_id": sender, "text": script.scripted(self.gate.too_fast_reply())}
                )
                return response.json(
                    {"messages": collector.messages, "panel": await self.panel(request, call)},
                    status=429,
                )
            await on_new_message(
                UserMessage(
                    text, collector, sender, input_channel=self.name(),
                    metadata={"agent": found.agent, **metadata},
                )
            )  # fmt: skip
            tracker = await self.tracker(request, call)
            latest = tracker.get_last_event_for(UserUttered) if tracker else None
            return response.json({
                "messages": collector.messages,
                "panel": self.panel_of(tracker),
                "alert": alert_of(latest) if latest else None,
            })  # fmt: skip

        @agent_bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            posted = posted_call(request)
            if isinstance(posted, HTTPResponse):
                return posted
            found, call, body = posted
            return await turn(request, found, call, self.gate.payload(body.get("message")), {})

        @agent_bp.route("/notes", methods=["POST"])
        async def save_notes(request: Request) -> HTTPResponse:
            """The agent's notes and wrap-up, for the action server to store with the referral
            (it checks them again: bot.core.call_notes). They travel in the message's metadata,
            which the action's rewrite blanks once the lead holds them."""
            posted = posted_call(request)
            if isinstance(posted, HTTPResponse):
                return posted
            found, call, body = posted
            notes, wrap_up = body.get("notes", ""), body.get("wrap_up")
            given = {
                "notes": input_policy.clean(notes) if isinstance(notes, str) else None,
                "wrap_up": wrap_up if isinstance(wrap_up, str) else None,
            }
            return await turn(request, found, call, NOTES, {call_notes.METADATA_KEY: given})

        return agent_bp

    async def tracker(self, request: Request, call: str) -> Any:
        return await request.app.ctx.agent.tracker_store.retrieve(conversation_id(call))

    async def script(self, request: Request, call: str) -> Dict[str, Any]:
        """The call's lines from its tracker, each reply phrased as the console showed it; the
        replies after the caller's last message are the pending question with its options."""
        tracker = await self.tracker(request, call)
        lines: list[dict[str, Any]] = []
        offered: list[dict[str, Any]] = []
        alert = None
        for event in tracker.events if tracker else []:
            if isinstance(event, UserUttered) and event.intent_name == call_notes.INTENT:
                lines.append({"kind": "caller", "text": SHOWN[NOTES]})  # blanked once stored
            elif isinstance(event, UserUttered) and event.text is not None:
                lines.append({"kind": "caller", "text": caller_line(event.text, offered)})
                offered, alert = [], alert_of(event)
            elif isinstance(event, BotUttered) and event.text == ERASED:
                lines.append({"kind": "bot", "text": ERASED_REPLY, "buttons": [], "alert": None})
            elif isinstance(event, BotUttered):
                collector = AgentScriptOutput()
                await collector.send_response(conversation_id(call), event.message())
                for message in collector.messages:
                    buttons = message.get("buttons") or []
                    lines.append({"kind": "bot", "text": message.get("text") or "",
                                  "buttons": buttons, "alert": alert})  # fmt: skip
                    offered, alert = [*offered, *buttons], None
        started = tracker.events[0].timestamp if tracker and tracker.events else None
        return {"lines": lines, "panel": self.panel_of(tracker), "started_at": started}

    def panel_of(self, tracker: Any) -> Dict[str, Any]:
        if tracker is None:
            return {**panel.panel({}, []), "asking": None}
        slots = tracker.current_slot_values()
        events = [event.as_dict() for event in tracker.events]
        return {**panel.panel(slots, events), "asking": slots.get("requested_slot")}

    async def panel(self, request: Request, call: str) -> Dict[str, Any]:
        return self.panel_of(await self.tracker(request, call))


def topic_json(topic: Any) -> Dict[str, str]:
    return {"key": topic.key, "title": topic.title, "payload": topic_payload(topic.key),
            "shown": topic_shown(topic.title)}  # fmt: skip
