"""Conversations sent to a Rasa server's REST channel, one user or many at once."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp


@dataclass
class Figures:
    """Latencies of answered messages, in milliseconds, and the rate they were answered at."""

    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    throughput_per_s: float

    @classmethod
    def of(cls, latencies: list[float], errors: int, seconds: float) -> Figures:
        ordered = sorted(latencies) or [float("nan")]

        def pick(q: float) -> float:
            return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

        return cls(
            requests=len(latencies) + errors,
            errors=errors,
            seconds=round(seconds, 2),
            p50_ms=round(pick(0.50), 1),
            p95_ms=round(pick(0.95), 1),
            p99_ms=round(pick(0.99), 1),
            mean_ms=round(statistics.fmean(ordered) * 1000, 1),
            throughput_per_s=round(len(latencies) / seconds, 2),
        )


def converse(
    url: str, users: int, conversations_per_user: int, script: Sequence[str], tag: str
) -> Figures:
    """Each user runs `conversations_per_user` conversations of `script`, one after another.

    The conversations continue (a new sender only after the whole script), because a turn late
    in a conversation costs more than its first message with some tracker stores. One asyncio
    client drives all users: on 2 cores, a thread per user would take CPU from the servers.
    """
    latencies, errors, seconds = asyncio.run(
        _converse(url, users, conversations_per_user, script, tag)
    )
    return Figures.of(latencies, errors, seconds)


def latencies_of(url: str, conversations: int, script: Sequence[str], tag: str) -> list[float]:
    """One user's answered-message latencies in seconds; an unanswered message is an error."""
    latencies, errors, _ = asyncio.run(_converse(url, 1, conversations, script, tag))
    if errors:
        raise RuntimeError(f"{errors} messages to {url} were not answered")
    return latencies


async def _converse(
    url: str, users: int, conversations_per_user: int, script: Sequence[str], tag: str
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=users)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def user(number: int) -> None:
            nonlocal errors
            for conversation in range(conversations_per_user):
                sender = f"{tag}-{number}-{conversation}-{time.monotonic_ns()}"
                for message in script:
                    started = time.perf_counter()
                    try:
                        async with session.post(
                            f"{url}/webhooks/rest/webhook",
                            json={"sender": sender, "message": message},
                        ) as reply:
                            ok = reply.status == 200 and bool(await reply.json())
                    except (aiohttp.ClientError, asyncio.TimeoutError):
                        ok = False
                    if ok:
                        latencies.append(time.perf_counter() - started)
                    else:
                        errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(user(number) for number in range(users)))
    return latencies, errors, time.perf_counter() - started


def long_conversation(url: str, script: Sequence[str], turns: int) -> dict[str, float]:
    """One conversation of `turns` messages: how its last turns compare with its first."""
    latencies: list[float] = []

    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            sender = f"long-{time.monotonic_ns()}"
            for turn in range(turns):
                started = time.perf_counter()
                async with session.post(
                    f"{url}/webhooks/rest/webhook",
                    json={"sender": sender, "message": script[turn % len(script)]},
                ) as reply:
                    await reply.json()
                latencies.append(time.perf_counter() - started)

    asyncio.run(run())
    return {
        "turns": turns,
        "first_10_p50_ms": round(statistics.median(latencies[:10]) * 1000, 1),
        "last_10_p50_ms": round(statistics.median(latencies[-10:]) * 1000, 1),
    }
