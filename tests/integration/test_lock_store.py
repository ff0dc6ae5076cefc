"""The conversation lock store, in this process and on a real Redis shared by two "replicas".

Each behaviour runs against both queues; the Redis ones also check what only a shared
store can get wrong: two stores (two Rasa servers) taking tickets at the same instant, a
replica that dies holding a ticket, and Redis itself restarting or going away.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

import pytest
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from bot import PROJECT_ROOT
from bot.rasa_server import lock_store as lock_store_module
from bot.rasa_server.lock_store import (
    FairLockStore,
    LocalTicketQueue,
    RateLimitedWarnings,
    RedisTicketQueue,
)
from tests import aio
from tests.integration.test_faults import RestartableRedis
from tests.services import redis_server

LEASE = 0.5  # short, so that what lapses lapses quickly

_prefixes = iter(range(10**6))


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture(params=["local", "redis"])
def make_store(request):
    """Builds stores sharing one queue namespace: every store made in a test is a replica."""
    prefix = f"test{next(_prefixes)}:"
    if request.param == "local":
        queue = LocalTicketQueue()
        return lambda lease=LEASE: FairLockStore(queue=queue, lease=lease)
    url = request.getfixturevalue("redis_url")
    return lambda lease=LEASE: FairLockStore(
        EndpointConfig(url=url, key_prefix=prefix), lease=lease
    )


async def _turn(store, conversation, log, name, hold=0.02, **kwargs):
    async with store.lock(conversation, **kwargs):
        log.append(("start", name))
        await asyncio.sleep(hold)
        log.append(("end", name))


def _assert_one_at_a_time(log):
    for index in range(0, len(log), 2):
        assert log[index][0] == "start" and log[index + 1] == ("end", log[index][1]), log


def test_turns_of_one_conversation_run_one_at_a_time_in_arrival_order(make_store):
    async def scenario():
        store, log = make_store(), []
        tasks = []
        for name in range(6):
            tasks.append(asyncio.create_task(_turn(store, "c1", log, name, hold=0.3)))
            # Arrival order: each turn has taken its ticket before the next arrives. 5 ms was
            # less than a first Redis call on a loaded machine (a CI rehearsal beside another
            # run saw [1, 0, 2, ...]); 50 ms apart, all six still arrive while the first holds
            # the lock (0.3 s), so they queue.
            await asyncio.sleep(0.05)
        await asyncio.gather(*tasks)
        return log

    log = aio.run(scenario())
    _assert_one_at_a_time(log)
    assert [name for event, name in log if event == "start"] == list(range(6))


def test_different_conversations_do_not_wait_for_each_other(make_store):
    async def scenario():
        store, log = make_store(), []
        first = asyncio.create_task(_turn(store, "a", log, "a", hold=0.5))
        await asyncio.sleep(0.05)
        await _turn(store, "b", log, "b", hold=0)
        await first
        return log

    assert aio.run(scenario())[:3] == [("start", "a"), ("start", "b"), ("end", "b")]


def test_a_waiting_turn_is_woken_when_the_previous_one_ends_not_by_polling(make_store, monkeypatch):
    monkeypatch.setattr(lock_store_module, "SAFETY_POLL_SECONDS", 60.0)

    async def scenario():
        store, log = make_store(), []
        first = asyncio.create_task(_turn(store, "c", log, 1, hold=0.1))
        await asyncio.sleep(0.02)
        # With only the 60 s poll, this would time out.
        await asyncio.wait_for(_turn(store, "c", log, 2, wait_time_in_seconds=60), 10)
        await first
        return log

    _assert_one_at_a_time(aio.run(scenario()))


def test_a_turn_that_fails_still_releases_the_conversation(make_store):
    async def scenario():
        store = make_store()
        with pytest.raises(RuntimeError):
            async with store.lock("c"):
                raise RuntimeError("the action server went away")
        await asyncio.wait_for(_turn(store, "c", [], "next"), 5)

    aio.run(scenario())


def test_a_cancelled_waiter_does_not_block_the_turns_after_it(make_store):
    async def scenario():
        store, log = make_store(), []
        holder = asyncio.create_task(_turn(store, "c", log, "holder", hold=0.2))
        await asyncio.sleep(0.02)
        gives_up = asyncio.create_task(_turn(store, "c", log, "gives up"))
        await asyncio.sleep(0.02)
        later = asyncio.create_task(_turn(store, "c", log, "later"))
        await asyncio.sleep(0.02)
        gives_up.cancel()
        await asyncio.wait_for(asyncio.gather(holder, later), 10)
        return log

    log = aio.run(scenario())
    assert [name for event, name in log if event == "start"] == ["holder", "later"]


def test_a_slow_turn_keeps_its_conversation_however_long_past_its_lease(make_store):
    """A hung action server must never let a second turn in beside the first."""

    async def scenario():
        store, log = make_store(), []
        slow = asyncio.create_task(_turn(store, "c", log, "slow", hold=6 * LEASE))
        await asyncio.sleep(0.05)
        await asyncio.wait_for(_turn(store, "c", log, "next", hold=0), 10 * LEASE)
        await slow
        return log

    log = aio.run(scenario())
    _assert_one_at_a_time(log)
    assert [name for event, name in log if event == "start"] == ["slow", "next"]


def test_a_waiter_that_waited_its_lock_lifetime_gets_a_lock_error(make_store):
    async def scenario():
        store = make_store()
        holder = asyncio.create_task(_turn(store, "c", [], "holder", hold=1.0))
        await asyncio.sleep(0.05)
        with pytest.raises(LockError):
            await _turn(store, "c", [], "waiter", lock_lifetime=0.2)
        await holder

    aio.run(scenario())


def test_two_replicas_taking_tickets_at_the_same_instant_never_overlap(redis_url):
    """Each replica runs its own event loop in its own thread, as two Rasa servers would."""
    prefix = f"race{next(_prefixes)}:"
    log: list[tuple[str, str]] = []
    guard = threading.Lock()
    barrier = threading.Barrier(2)

    def replica(name: str) -> None:
        async def run() -> None:
            store = FairLockStore(EndpointConfig(url=redis_url, key_prefix=prefix))
            for turn in range(15):
                await asyncio.get_running_loop().run_in_executor(None, barrier.wait)
                async with store.lock("shared"):
                    with guard:
                        log.append(("start", f"{name}{turn}"))
                    await asyncio.sleep(0.002)
                    with guard:
                        log.append(("end", f"{name}{turn}"))
            await store.queue.close()

        asyncio.run(run())

    threads = [threading.Thread(target=replica, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(log) == 60
    _assert_one_at_a_time(log)


def test_the_local_store_refuses_several_sanic_workers(monkeypatch):
    monkeypatch.setenv("SANIC_WORKERS", "2")
    with pytest.raises(LockError, match="LOCK_STORE_URL"):
        FairLockStore(EndpointConfig(url=""))


def test_an_empty_url_keeps_tickets_in_this_process_and_a_redis_url_shares_them(redis_url):
    assert isinstance(FairLockStore(EndpointConfig(url="")).queue, LocalTicketQueue)
    assert isinstance(FairLockStore(EndpointConfig(url=redis_url)).queue, RedisTicketQueue)


# A Rasa replica of its own, holding a conversation until it is killed.
HOLDER = """
import asyncio, sys
from rasa.utils.endpoints import EndpointConfig
from bot.rasa_server.lock_store import FairLockStore

async def main():
    config = EndpointConfig(url=sys.argv[1], key_prefix=sys.argv[2])
    store = FairLockStore(config, lease=float(sys.argv[3]))
    async with store.lock("held"):
        print("held", flush=True)
        await asyncio.sleep(600)

asyncio.run(main())
"""


# The holder is a process of its own, started while the suite loads the machine: with a lease of
# 0.5 s its ticket once lapsed before its first look at the queue (CI, 2026-12-04).
HOLDER_LEASE = 2.0


def test_a_killed_replicas_ticket_blocks_for_one_lease_and_the_turn_behind_it_goes_on(redis_url):
    prefix = f"dead{next(_prefixes)}:"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, redis_url, prefix, str(HOLDER_LEASE)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == b"held"

        async def scenario() -> float:
            # The waiter's own lease is the holder's too: with 0.5 s its renewal thread once
            # missed on a loaded machine and its ticket lapsed while it queued (CI rehearsal,
            # 2026-12-04). What is measured, the wait after the kill, is the holder's lease.
            config = EndpointConfig(url=redis_url, key_prefix=prefix)
            store = FairLockStore(config, lease=HOLDER_LEASE)
            waiter = asyncio.create_task(_turn(store, "held", [], "behind", hold=0))
            await asyncio.sleep(2 * HOLDER_LEASE)  # the holder renews: the queued turn waits
            assert not waiter.done()
            holder.kill()
            killed = time.monotonic()
            await asyncio.wait_for(waiter, 10)  # not dropped with LockError
            await store.queue.close()
            return time.monotonic() - killed

        assert aio.run(scenario()) < HOLDER_LEASE + 1.0
    finally:
        holder.kill()
        holder.wait(10)


@pytest.fixture
def restartable_redis():
    redis = RestartableRedis()
    redis.start()
    yield redis
    redis.stop()


def test_while_redis_is_down_a_turn_fails_fast_with_rasas_lock_error(restartable_redis):
    async def scenario() -> float:
        store = FairLockStore(EndpointConfig(url=restartable_redis.url), lease=LEASE)
        await _turn(store, "c", [], "before", hold=0)
        restartable_redis.stop()
        started = time.monotonic()
        with pytest.raises(LockError):  # not redis.exceptions.ConnectionError
            await _turn(store, "c", [], "during", hold=0)
        return time.monotonic() - started

    assert aio.run(scenario()) < 3


def test_after_a_redis_restart_turns_go_on_on_new_connections(restartable_redis):
    async def scenario() -> None:
        store = FairLockStore(EndpointConfig(url=restartable_redis.url, grace_seconds=0))
        for name in range(3):
            await _turn(store, f"c{name}", [], name, hold=0)  # several pooled connections
        restartable_redis.stop()
        restartable_redis.start()
        for name in range(3):  # each stale connection is replaced, none fails a turn
            await asyncio.wait_for(_turn(store, f"c{name}", [], name, hold=0), 5)
        await store.queue.close()

    aio.run(scenario())


def test_a_turn_running_through_a_redis_restart_keeps_the_conversation(restartable_redis):
    """Redis comes back empty: the running turn puts its ticket back before anyone else starts."""

    async def scenario() -> list:
        url = restartable_redis.url
        one, two = (FairLockStore(EndpointConfig(url=url), lease=LEASE) for _ in range(2))
        log: list = []
        running = asyncio.create_task(_turn(one, "c", log, "running", hold=3.0))
        while not log:  # a fresh Redis serves no queue for its first 1.5 s
            await asyncio.sleep(0.05)
        restartable_redis.stop()
        await asyncio.sleep(0.5)
        restartable_redis.start()
        await _turn(two, "c", log, "newcomer", hold=0)  # on another replica, just after
        await running
        for store in (one, two):
            await store.queue.close()
        return log

    log = aio.run(scenario())
    _assert_one_at_a_time(log)
    assert [name for event, name in log if event == "start"] == ["running", "newcomer"]


def test_a_shorter_lived_ticket_does_not_shorten_the_queue_as_in_rasas_store(redis_url):
    """Rasa's RedisLockStore as the reference: a ticket lives its own lifetime, whatever
    later tickets ask for. Here a replica with a short lease issues a ticket and dies."""
    from rasa.core.lock_store import RedisLockStore

    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    rasa_store = RedisLockStore(host="127.0.0.1", port=port, key_prefix="ref")
    first = rasa_store.issue_ticket("c", 30)
    rasa_store.issue_ticket("c", 0.3)
    time.sleep(1.5)
    assert rasa_store.get_lock("c").now_serving == first  # the long ticket is still there

    prefix = f"short{next(_prefixes)}:"

    async def scenario() -> None:
        config = EndpointConfig(url=redis_url, key_prefix=prefix, grace_seconds=0)
        long_lived, short_lived = FairLockStore(config, lease=30), FairLockStore(config, lease=0.3)
        async with long_lived.lock("c"):
            await short_lived.queue.issue("c", 0.3)  # issued, never renewed: its replica died
            await asyncio.sleep(1.5)
            third = asyncio.create_task(_turn(long_lived, "c", [], "third", hold=0))
            await asyncio.sleep(0.5)
            assert not third.done()  # the holder's ticket outlived the short one
        await asyncio.wait_for(third, 5)

    aio.run(scenario())


def test_repeated_warnings_are_held_back_and_counted(caplog):
    now = [0.0]
    warnings = RateLimitedWarnings(interval=10, clock=lambda: now[0])
    said = [warnings.warn("renew", "Could not renew (%s)", n) for n in range(200)]
    now[0] = 11
    said.append(warnings.warn("renew", "Could not renew (%s)", "later"))
    assert said.count(True) == 2
    assert "199 more like this" in caplog.records[-1].getMessage()


def test_a_turn_whose_event_loop_is_blocked_past_its_lease_keeps_the_conversation(redis_url):
    """Rasa's SQL store blocks the event loop while a database is slow; the lease must hold."""
    prefix = f"blocked{next(_prefixes)}:"
    config = EndpointConfig(url=redis_url, key_prefix=prefix, grace_seconds=0)
    log: list[tuple[str, str]] = []
    holding = threading.Event()

    def blocked_replica() -> None:
        async def run() -> None:
            store = FairLockStore(config, lease=LEASE)
            async with store.lock("c"):
                log.append(("start", "blocked"))
                holding.set()
                time.sleep(6 * LEASE)  # synchronous: nothing else runs on this loop
                log.append(("end", "blocked"))
            await store.queue.close()

        asyncio.run(run())

    def other_replica() -> None:
        async def run() -> None:
            store = FairLockStore(config, lease=LEASE)
            await _turn(store, "c", log, "other", hold=0)
            await store.queue.close()

        holding.wait(10)
        asyncio.run(run())

    threads = [threading.Thread(target=blocked_replica), threading.Thread(target=other_replica)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    _assert_one_at_a_time(log)
    assert [name for event, name in log if event == "start"] == ["blocked", "other"]
