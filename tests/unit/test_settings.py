"""Each process's declared settings match what its code reads, what the README documents and
what deploy/docker-compose.yml gives each service (Docker cannot run here, so the file is read)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.action_server.settings import SETTINGS as ACTIONS
from bot.rasa_server.settings import SETTINGS as RASA
from bot.startup.settings import Setting, missing_in_production

# Read by `make` and scripts/, not by a server process.
TOOLING = {"PYTHON", "CACHE_DIR", "RASA_HOST", "RASA_PORT", "RASA_AUTH_TOKEN", "NLU_MIN_ACCURACY"}
# Names the WSGI environ of a socket.io request carries, not the process environment.
REQUEST_ENVIRON = {"REMOTE_ADDR", "HTTP_X_FORWARDED_FOR"}
READ = re.compile(
    r"""(?:environ(?:\.get)?\(|environ\[|env\.(?:text|number|integer)\(|env_int\(|getenv\()\s*"""
    r"""["']([A-Z][A-Z0-9_]+)["']|^[A-Z_]+_ENV\s*=\s*["']([A-Z][A-Z0-9_]+)["']""",
    re.M,
)


def names(settings: tuple[Setting, ...]) -> set[str]:
    return {s.name for s in settings}


def read_by(*folders: str) -> set[str]:
    found = set()
    for folder in folders:
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            for match in READ.finditer(path.read_text()):
                found.add(match.group(1) or match.group(2))
    return found - REQUEST_ENVIRON


def test_the_rasa_server_reads_only_what_it_declares():
    config = "\n".join(
        line
        for file in ("endpoints.yml", "credentials.yml")
        for line in (PROJECT_ROOT / file).read_text().splitlines()
        if not line.lstrip().startswith("#")
    )
    in_config = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", config))
    assert (read_by("bot/rasa_server") | in_config) - names(RASA) == set()


def test_the_action_server_reads_only_what_it_declares():
    assert read_by("bot/action_server", "actions") - names(ACTIONS) == set()


def test_what_the_pure_core_still_reads_is_declared_by_the_processes_that_use_it():
    assert read_by("bot/core") <= names(ACTIONS)


def readme_names() -> set[str]:
    text = (PROJECT_ROOT / "README.md").read_text()
    section = text.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    found = set()
    for row in re.findall(r"^\| (`[^|]+)\|", section, re.M):
        found |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", row))
    return found


def test_the_readme_table_documents_exactly_the_declared_settings():
    declared = names(RASA) | names(ACTIONS) | TOOLING
    assert readme_names() - declared == set(), "documented but read by nobody"
    assert declared - readme_names() == set(), "read but not documented"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "deploy" / "docker-compose.yml").read_text())


def service_environment(compose: dict, name: str) -> dict[str, str]:
    return {key: str(value) for key, value in compose["services"][name]["environment"].items()}


@pytest.mark.parametrize(
    "service, own, other", [("rasa", RASA, ACTIONS), ("actions", ACTIONS, RASA)]
)
def test_each_service_gets_what_its_process_needs_and_no_secret_of_the_other(
    compose, service, own, other
):
    environment = service_environment(compose, service)
    assert set(environment) - names(own) == set(), "a variable its process never reads"
    stand_in = {key: "set" for key in environment}
    assert missing_in_production(own, stand_in) == []
    theirs = {s.name for s in other if s.secret} - {s.name for s in own}
    assert set(environment) & theirs == set()


def test_the_two_processes_use_two_databases_and_share_only_the_action_token(compose):
    rasa, actions = service_environment(compose, "rasa"), service_environment(compose, "actions")
    assert rasa["TRACKER_DB_URL"].rsplit("/", 1)[1] != actions["DATABASE_URL"].rsplit("/", 1)[1]
    shared_secrets = {s.name for s in RASA if s.secret and s.name in rasa and s.name in actions}
    assert shared_secrets == {"ACTION_SERVER_TOKEN"}


def test_the_reply_to_key_files_are_the_two_halves_of_one_pair(compose):
    rasa, actions = compose["services"]["rasa"], compose["services"]["actions"]
    public = rasa["environment"]["REPLY_TO_PUBLIC_KEY_FILE"]
    private = actions["environment"]["REPLY_TO_KEY_FILE"]
    assert Path(public).name in rasa.get("secrets", []) and Path(private).name in actions.get(
        "secrets", []
    )
    assert Path(private).name not in rasa.get("secrets", [])
    files = {name: spec["file"] for name, spec in compose["secrets"].items()}
    assert files[Path(public).name] != files[Path(private).name]


def test_the_key_tool_writes_a_pair_the_two_processes_can_use(tmp_path, monkeypatch, capsys):
    from bot.action_server.leads import reply_to as opening
    from bot.rasa_server import reply_to as sealing
    from bot.tools import keys

    assert keys.main([str(tmp_path)]) == 0
    assert (tmp_path / "reply-to.pem").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("REPLY_TO_PUBLIC_KEY_FILE", str(tmp_path / "reply-to.pub.pem"))
    monkeypatch.setenv("REPLY_TO_KEY_FILE", str(tmp_path / "reply-to.pem"))
    assert opening.open_sealed(sealing.seal("+14155550123")) == "+14155550123"
    printed = capsys.readouterr().out
    assert "CHANNEL_SECRET_KEY=" in printed and "LEADS_ENCRYPTION_KEY=" in printed


def test_the_pure_core_reads_no_environment():
    readers = re.compile(r"os\.environ|getenv|from os import environ")
    offending = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "bot" / "core").rglob("*.py")
        if readers.search(path.read_text())
    ]
    assert offending == []


def test_a_server_reads_its_settings_once_and_only_those_it_declares(monkeypatch):
    from bot.startup import env

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "12")
    try:
        set_now = env.freeze({"RATE_LIMIT_PER_MINUTE": "12", "TRUSTED_PROXIES": " "},
                             ["RATE_LIMIT_PER_MINUTE", "TRUSTED_PROXIES"])  # fmt: skip
        assert set_now == {"RATE_LIMIT_PER_MINUTE": "12"}  # empty means unset
        monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "99")  # too late: read at start-up
        assert env.integer("RATE_LIMIT_PER_MINUTE", 30) == 12
        assert env.text("TRUSTED_PROXIES", "127.0.0.1") == "127.0.0.1"
        with pytest.raises(env.UndeclaredSettingError):
            env.text("DATABASE_URL")
    finally:
        env.unfreeze()
    assert env.integer("RATE_LIMIT_PER_MINUTE", 30) == 99  # tools and tests read it directly
