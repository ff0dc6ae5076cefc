"""What listens, and who may call it."""

import subprocess
import sys
from pathlib import Path

import requests

from bot import PROJECT_ROOT


def test_the_http_api_requires_the_token(stack):
    assert requests.get(f"{stack.url}/status", timeout=10).status_code == 401
    wrong = requests.get(f"{stack.url}/status", params={"token": "nope"}, timeout=10)
    assert wrong.status_code == 401
    right = requests.get(f"{stack.url}/status", params={"token": stack.api_token}, timeout=10)
    assert right.status_code == 200


def test_the_chat_channel_needs_no_token(stack, sender):
    assert stack.send(sender, "hi")


def test_the_action_server_refuses_calls_without_its_token(stack):
    call = {"next_action": "action_handoff_declined", "sender_id": "x", "tracker": {}, "domain": {}}
    response = requests.post(f"{stack.action_url}/webhook", json=call, timeout=10)
    assert response.status_code == 401


def test_the_action_server_answers_calls_with_its_token(stack):
    call = {
        "next_action": "action_handoff_declined",
        "sender_id": "x",
        "version": "3.6.2",
        "tracker": {"sender_id": "x", "slots": {}, "latest_message": {}, "events": [],
                    "latest_input_channel": "rest", "active_loop": {}, "paused": False},
        "domain": {},
    }  # fmt: skip
    response = requests.post(
        f"{stack.action_url}/webhook",
        params={"action_token": stack.action_token},
        json=call,
        timeout=10,
    )
    assert response.status_code == 200
    (reply,) = response.json()["responses"]
    assert reply["response"] == "utter_handoff_declined" and reply["phone"]  # the domain's words


def test_action_server_errors_do_not_echo_the_conversation(stack):
    response = requests.post(
        f"{stack.action_url}/webhook",
        params={"action_token": stack.action_token},
        json={"next_action": "action_handoff_declined", "tracker": "my phone is 555-0100"},
        timeout=10,
    )
    assert response.status_code >= 400
    assert "555-0100" not in response.text


def listening_addresses(port: int) -> set[str]:
    """Local addresses of listening TCP sockets on a port, read from /proc."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


def test_the_action_server_listens_on_loopback_only(stack):
    assert listening_addresses(stack.action_port) == {"0100007F"}


def test_the_action_server_will_not_listen_publicly_without_a_token():
    env = {"ACTION_SERVER_HOST": "0.0.0.0", "ACTION_SERVER_TOKEN": "", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.action_server"], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Refusing to listen on 0.0.0.0 without ACTION_SERVER_TOKEN" in result.stderr
