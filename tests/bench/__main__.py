"""`python -m tests.bench` (`make bench`): see the package docstring."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import secrets
import shutil
import statistics
import tempfile
from pathlib import Path

import rasa
import yaml

from bot import PROJECT_ROOT
from tests.bench import report
from tests.bench.bots import Server, floor_bot, stock_bot, this_bot
from tests.bench.load import converse, latencies_of, long_conversation
from tests.integration.servers import free_port
from tests.integration.test_screening_conversations import HAPPY

# The stock bot's own conversation (its greet, mood, bot-challenge and goodbye rules and stories).
STOCK_TURNS = ["hello", "I am great", "are you a bot?", "I am sad", "yes", "bye"]
FAQ_TURNS = [
    "hi",
    "what is myositis",
    "what is ivig",
    "how is ivig given",
    "what are the side effects of ivig",
    "what is the usual dose of ivig",
    "can I get ivig at home",
    "thanks",
]
SCREENING_TURNS = ["could ivig help me", *HAPPY, "looks right"]
# Messages as people write them: a story, then two questions (issue: long messages at most twice
# a short FAQ turn's p50).
LONG_MESSAGE_TURNS = [
    "My mother has had dermatomyositis for five years and the rash keeps coming back. Her "
    "doctor mentioned IVIG last week. How often would she need it? And are there side effects?",
    "I'm 58 and was told I have polymyositis. Steroids helped at first but not anymore. What is "
    "IVIG made from, and how does it work?",
    "hi my son is 9 and has juvenile myositis. is ivig used for kids? how much does it cost",
    "We live far from the infusion center and the drive is hard on my husband. Can he get his "
    "infusions at home? Who do I talk to about copay help?",
]


LONG_TURNS = 120
# The 1-user p50 ratio, measured with the servers running side by side in alternating rounds.
PAIRED_ROUNDS = 8
PAIRED_MESSAGES_PER_ROUND = 24


def paired_p50(runs: list[tuple[Server, list[str]]], rounds: int = PAIRED_ROUNDS) -> dict:
    """Each server's p50 at 1 user, in alternating rounds while all of them run.

    Measured one after another, the ratio also measured how fast the machine was at each moment:
    on one day's three runs the floor's p50 went from 2.6 to 4.8 ms and the stock bot's from 17.8
    to 24.1 ms. Alternating rounds (the order reversed every other round) spread any drift over
    every server alike; each figure pools 8 rounds of about 24 messages.
    """
    pooled: dict[str, list[float]] = {server.name: [] for server, _ in runs}
    for number in range(rounds):
        for server, script in runs if number % 2 == 0 else list(reversed(runs)):
            conversations = max(1, PAIRED_MESSAGES_PER_ROUND // len(script))
            pooled[server.name] += latencies_of(server.url, conversations, script, f"p{number}")
    return {
        name: {"requests": len(values), "p50_ms": round(statistics.median(values) * 1000, 1)}
        for name, values in pooled.items()
    }


def measure(server: Server, scenarios: dict[str, list[str]], users: int) -> dict:
    """One user, then `users` at once, through every scenario; bounded request counts."""
    figures: dict[str, dict[str, dict]] = {}
    first_script = next(iter(scenarios.values()))
    long = long_conversation(server.url, first_script, LONG_TURNS)
    if long:
        print(f"  {server.name} long conversation: {long}", flush=True)
    for name, script in scenarios.items():
        single = max(1, 96 // len(script))
        figures[name] = {
            "1": dataclasses.asdict(converse(server.url, 1, single, script, f"{name}-1")),
            str(users): dataclasses.asdict(
                converse(server.url, users, 4, script, f"{name}-{users}")
            ),
        }
        print(f"  {server.name} {name}: {figures[name]}", flush=True)
    return {
        "seconds_to_first_answer": round(server.seconds_to_first_answer, 2),
        "long_conversation": long,
        "scenarios": figures,
        "peak_rss_mb": server.peak_rss_mb(),
    }


def ivig_server(name: str, model: Path, workdir: Path, tracker: str) -> Server:
    action_port = free_port()
    env = {
        "ACTION_SERVER_PORT": str(action_port),
        "ACTION_SERVER_HOST": "127.0.0.1",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "ACTION_SERVER_TOKEN": secrets.token_hex(16),  # the action server refuses to run without
        "TRACKER_DB_DIALECT": "sqlite",
        "TRACKER_DB_NAME": str(workdir / f"{name}-tracker.db"),
        "TRACKER_DB_URL": "",
        "LOCK_STORE_URL": "",
        "DATABASE_URL": f"sqlite:///{workdir / f'{name}-leads.db'}",
        "LEADS_KEY_FILE": str(workdir / "leads.key"),
        "CHANNEL_KEY_FILE": str(workdir / "channel.key"),
        "REPLY_TO_KEY_FILE": str(workdir / "reply-to.pem"),
        "LEADS_WEBHOOK_URL": "",
        "RATE_LIMIT_PER_MINUTE": "100000",
    }
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    if tracker == "memory":
        del endpoints["tracker_store"]
    elif tracker == "rasa-sql":  # Rasa's own SQL store, for comparison with ours
        endpoints["tracker_store"]["type"] = "SQL"
    path = workdir / f"{name}-endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints))
    ours = tracker not in ("memory", "rasa-sql")
    return Server(name, PROJECT_ROOT, model, workdir, path, env, with_actions=True, boot=ours)


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports")
    args = parser.parse_args()
    cache = Path(os.environ.get("CACHE_DIR", Path.home() / ".cache" / "ivig-assistant"))
    workdir = Path(tempfile.mkdtemp(prefix="ivig-bench-"))
    print(f"Working in {workdir}", flush=True)

    stock_project, stock_model, stock_train = stock_bot(cache)
    floor_project, floor_model, floor_train = floor_bot(cache)
    model, train_seconds = this_bot(workdir)
    results = {
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "rasa": rasa.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "users": args.users,
        "training_seconds": {
            "stock": stock_train,
            "floor": floor_train,
            "ivig": round(train_seconds, 1),
        },
        "servers": {},
    }
    runs = [
        (Server("floor", floor_project, floor_model, workdir), {"turn": STOCK_TURNS}),
        (Server("stock", stock_project, stock_model, workdir), {"turn": STOCK_TURNS}),
        (ivig_server("ivig", model, workdir, "sql"),
         {"faq": FAQ_TURNS, "screening": SCREENING_TURNS, "long_messages": LONG_MESSAGE_TURNS}),
        (ivig_server("ivig-memory", model, workdir, "memory"), {"faq": FAQ_TURNS}),
        (ivig_server("ivig-rasa-sql", model, workdir, "rasa-sql"), {"faq": FAQ_TURNS}),
    ]  # fmt: skip
    for server, scenarios in runs:
        print(f"Starting {server.name} ...", flush=True)
        try:
            server.start()
            results["servers"][server.name] = measure(server, scenarios, args.users)
        finally:
            server.stop()

    paired = [
        (Server("floor", floor_project, floor_model, workdir), STOCK_TURNS),
        (Server("stock", stock_project, stock_model, workdir), STOCK_TURNS),
        (ivig_server("ivig", model, workdir, "sql"), FAQ_TURNS),
    ]
    print("Starting floor, stock and ivig side by side for the paired 1-user rounds ...")
    try:
        for server, _ in paired:
            server.start()
        results["paired_p50_1"] = paired_p50(paired)
    finally:
        for server, _ in paired:
            server.stop()
    print(f"  paired 1-user p50: {results['paired_p50_1']}", flush=True)

    print()
    print(report.table(results))
    figures = report.ratios(results, "ivig")
    results["against_stock"] = figures
    print("\nTargets (this bot as `make run` starts it: SQL tracker store on SQLite):")
    for label, value, op, bound, met in report.verdicts(figures):
        print(f"  {'met ' if met else 'MISS'}  {label}: {value} (target {op} {bound})")
    print(
        f"  (p50 ratio with the servers measured one after another: "
        f"{figures['ratio_p50_1_sequential']})"
    )
    in_memory = report.ratios(results, "ivig-memory")
    results["against_stock_in_memory_tracker"] = in_memory
    print(
        "  (with the in-memory tracker store, as the stock bot runs: p50 ratio "
        f"{in_memory['ratio_p50_1']}, throughput ratio {in_memory['ratio_throughput_20']})"
    )
    floor = report.distance_to_floor(results, "ivig")
    results["against_floor"] = floor
    print(
        "  distance to the floor (Rasa with no machine learning, in memory): p50 "
        f"{floor['times_floor_p50_1']} times the floor's, throughput at {args.users} users "
        f"{floor['share_of_floor_throughput_20']} of the floor's; stock: "
        f"{floor['stock_times_floor_p50_1']} and {floor['stock_share_of_floor_throughput_20']}"
    )
    data, picture = report.write(results, args.out)
    print(f"\nWrote {data.relative_to(PROJECT_ROOT)} and {picture.relative_to(PROJECT_ROOT)}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
