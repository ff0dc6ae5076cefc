"""The agent-assist channel: call-center agents run the conversation for a caller.

The agent types (or clicks) what the caller says; replies come back as a script, from the
domain's `agent_assist` response variants or with a cue added by bot.agent.script. A side panel
shows the call's screening answers, outcome, safety flags and referral. Every route but the
login page needs a session from bot.agent.auth: Rasa's `--auth-token` never covers /webhooks/*.

Calls live under their own conversation ids ("agent-" + 32 hex digits, made by the server), so
an agent can never open or read a web or SMS visitor's conversation.
"""

from __future__ import annotations

import html
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Dict

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import input_policy, logging_privacy
from bot.agent import auth, panel, script
from bot.channels import pages

logging_privacy.install()
logger = logging.getLogger(__name__)

COOKIE = "ivig_agent_session"
CALL_ID = re.compile(r"^[0-9a-f]{32}$")
PREFIX = "/webhooks/agent"
PUBLIC_ROUTES = ("login", "login.css")


def conversation_id(call: str) -> str:
    return f"agent-{call}"


class AgentScriptOutput(CollectingOutputChannel):
    """Collects the turn's replies, each phrased for the agent to read out."""

    @classmethod
    def name(cls) -> str:
        return "agent_assist"

    async def _persist_message(self, message: Dict[str, Any]) -> None:
        if message.get("text"):
            message["text"] = script.scripted(message["text"])
        await super()._persist_message(message)


class AgentAssistInput(InputChannel):
    """`bot.channels.agent.AgentAssistInput` in credentials.yml; console at /webhooks/agent/."""

    def __init__(self, settings: auth.AuthSettings | None = None) -> None:
        self.settings = settings or auth.AuthSettings.from_env()
        self.failures = auth.FailedLogins(
            self.settings.max_failures, self.settings.failure_window_seconds
        )
        self.gate = input_policy.InputGate()

    @classmethod
    def name(cls) -> str:
        return "agent_assist"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> AgentAssistInput:
        return cls()

    def url_prefix(self) -> str:
        return "agent"

    def signed_in(self, request: Request) -> str | None:
        header = request.headers.get("Authorization", "")
        bearer = header[7:] if header.startswith("Bearer ") else None
        return auth.session_agent(self.settings, bearer or request.cookies.get(COOKIE))

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

        @agent_bp.route("/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            client = request.remote_addr or request.ip or "unknown"
            if self.failures.blocked(client):
                return self.login_page(request, "Too many tries. Wait a few minutes.", 429)
            offered = request.form.get("token") or ""
            if not auth.token_matches(self.settings, offered):
                self.failures.record(client)
                return self.login_page(request, "That access token is not right.", 401)
            agent = request.form.get("agent") or "agent"
            session = auth.issue_session(self.settings, agent)
            reply = response.redirect(f"{PREFIX}/", status=303)
            reply.cookies[COOKIE] = session
            cookie = reply.cookies[COOKIE]
            cookie["httponly"] = True
            cookie["samesite"] = "Strict"
            cookie["path"] = PREFIX
            cookie["max-age"] = int(self.settings.session_hours * 3600)
            if request.scheme == "https" or request.headers.get("X-Forwarded-Proto") == "https":
                cookie["secure"] = True
            return reply

        @agent_bp.route("/logout", methods=["POST"])
        async def logout(request: Request) -> HTTPResponse:
            reply = response.redirect(f"{PREFIX}/login", status=303)
            reply.cookies[COOKIE] = ""
            reply.cookies[COOKIE]["path"] = PREFIX
            reply.cookies[COOKIE]["max-age"] = 0
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
            if not self.signed_in(request):
                return refused(request)
            return response.json({"call": uuid.uuid4().hex})

        @agent_bp.route("/calls/<call:str>/panel", methods=["GET"])
        async def call_panel(request: Request, call: str) -> HTTPResponse:
            if not self.signed_in(request):
                return refused(request)
            if not CALL_ID.match(call):
                return response.json({"error": "unknown call"}, status=404)
            return response.json(await self.panel(request, call))

        @agent_bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            agent = self.signed_in(request)
            if not agent:
                return refused(request)
            body = request.json if "json" in (request.content_type or "") else None
            if not isinstance(body, dict) or not CALL_ID.match(str(body.get("call", ""))):
                return response.json({"error": "send JSON with a call id"}, status=400)
            sender = conversation_id(body["call"])
            text = self.gate.payload(sender, body.get("message"))
            collector = AgentScriptOutput()
            await on_new_message(
                UserMessage(
                    text, collector, sender, input_channel=self.name(),
                    metadata={"agent": agent},
                )
            )  # fmt: skip
            return response.json(
                {"messages": collector.messages, "panel": await self.panel(request, body["call"])}
            )

        return agent_bp

    async def panel(self, request: Request, call: str) -> Dict[str, Any]:
        tracker = await request.app.ctx.agent.tracker_store.retrieve(conversation_id(call))
        if tracker is None:
            return panel.panel({}, [])
        events = [event.as_dict() for event in tracker.events]
        return panel.panel(tracker.current_slot_values(), events)
