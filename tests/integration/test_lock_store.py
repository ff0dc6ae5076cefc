"""The conversation lock store, in this process and on a real Redis shared by two "replicas".

Each behaviour runs against both queues; the Redis ones also check what only a shared
store can get wrong: two stores (two Rasa servers) taking tickets at the same instant.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from bot import lock_store as lock_store_module
from bot.lock_store import FairLockStore, LocalTicketQueue, RedisTicketQueue
from tests import aio
from tests.services import redis_server

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
        return lambda: FairLockStore(queue=queue)
    url = request.getfixturevalue("redis_url")
    return lambda: FairLockStore(EndpointConfig(url=url, key_prefix=prefix))


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
            tasks.append(asyncio.create_task(_turn(store, "c1", log, name)))
            await asyncio.sleep(0.005)  # arrival order
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


def test_a_turn_that_outlives_its_lifetime_stops_blocking_the_conversation(make_store):
    async def scenario():
        store, log = make_store(), []
        stuck = asyncio.create_task(_turn(store, "c", log, "stuck", hold=3, lock_lifetime=0.3))
        await asyncio.sleep(0.05)
        await asyncio.wait_for(_turn(store, "c", log, "next", hold=0), 2.5)
        stuck.cancel()
        return log

    assert aio.run(scenario())[:2] == [("start", "stuck"), ("start", "next")]


def test_a_waiter_whose_ticket_expires_gets_a_lock_error(make_store):
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
