"""Conversations sent to a Rasa server's REST channel, one user or many at once."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests


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
    in a conversation costs more than its first message with some tracker stores.
    """
    latencies: list[float] = []
    errors = 0
    guard = threading.Lock()

    def user(number: int) -> None:
        nonlocal errors
        with requests.Session() as session:
            for conversation in range(conversations_per_user):
                sender = f"{tag}-{number}-{conversation}-{time.monotonic_ns()}"
                for message in script:
                    started = time.perf_counter()
                    try:
                        reply = session.post(
                            f"{url}/webhooks/rest/webhook",
                            json={"sender": sender, "message": message},
                            timeout=120,
                        )
                        ok = reply.ok and bool(reply.json())
                    except requests.RequestException:
                        ok = False
                    elapsed = time.perf_counter() - started
                    with guard:
                        if ok:
                            latencies.append(elapsed)
                        else:
                            errors += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(users) as pool:
        list(pool.map(user, range(users)))
    return Figures.of(latencies, errors, time.perf_counter() - started)
