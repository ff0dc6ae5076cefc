"""`python -m bot.rasa_server run <rasa run's arguments>`: the Rasa server's one start-up.

Before Rasa loads anything: the process's declared settings are read once (bot/startup/env.py),
Rasa's version is checked against the one the patches were written
for, the patches and the log redaction (Python warnings included) are installed, the endpoints
file is checked to name the project's tracker and lock stores (Rasa's own would silently
bypass erasure requests and the turn-failure guarantees), and the channel tables are made. Then
Rasa's own command line runs in this process. The stores still install the patches if Rasa is
started some other way, so nothing depends on the entry point alone.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bot.core import program
from bot.core.yamlio import load_yaml
from bot.rasa_server import channel_db, rasa_patches
from bot.rasa_server.settings import SETTINGS
from bot.startup import env, logging_privacy

STORES = {
    "tracker_store": "bot.rasa_server.tracker_store.CachedSQLTrackerStore",
    "lock_store": "bot.rasa_server.lock_store.FairLockStore",
}


def endpoint_problems(endpoints: Path) -> list[str]:
    """What in the endpoints file would switch the project's guarantees off."""
    configured = load_yaml(endpoints) or {}
    problems = []
    for key, expected in STORES.items():
        found = (configured.get(key) or {}).get("type")
        if found != expected:
            problems.append(f"{endpoints}: {key} must be {expected}, not {found!r}")
    return problems


def option(argv: list[str], name: str, default: str) -> str:
    for index, value in enumerate(argv):
        if value == name and index + 1 < len(argv):
            return argv[index + 1]
        if value.startswith(name + "="):
            return value.split("=", 1)[1]
    return default


def boot(argv: list[str]) -> int:
    """0 when the server may start; otherwise says why on stderr."""
    try:
        rasa_patches.check_rasa_version()
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 2
    problems = endpoint_problems(Path(option(argv, "--endpoints", "endpoints.yml")))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    env.freeze(os.environ, [setting.name for setting in SETTINGS])  # read once, from here on
    program.configure({name: env.text(name) for name in program.PROGRAM_SETTINGS})
    logging_privacy.install()
    rasa_patches.install()
    channel_db.engine()  # the channel tables exist before the first message
    for warning in program.setting_warnings(program.load_program()):
        print(f"Program setting: {warning}", file=sys.stderr)  # before Rasa sets up logging
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "run":
        print("usage: python -m bot.rasa_server run [rasa run options]", file=sys.stderr)
        return 2
    status = boot(args)
    if status:
        return status
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *args]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
