"""A conversation lock store: atomic tickets, waiters woken at once, leases that survive faults.

Rasa serialises the turns of one conversation with ticket locks. Its own stores poll once
a second (a message that arrives mid-turn waits about a second), and its `RedisLockStore`
issues tickets with a read-modify-write of one JSON value, so two replicas that take a
message of the same conversation at the same moment can both get the same ticket and one
turn is lost. Here the tickets of a conversation form a queue that only ever changes
atomically: in this process (one event loop, no awaits inside a change) or in Redis (Lua
scripts). A finished turn wakes the next waiter directly (and, through Redis pub/sub, on
every replica); a short poll remains only as a safety net for a missed wake-up.

First come, first served per conversation, as in Rasa. Unlike Rasa's fixed 60 s ticket,
each Redis ticket here is a short lease (`LOCK_LEASE_SECONDS`, 5 s) that a thread of the
replica (`LeaseKeeper`, not the event loop, which Rasa's synchronous SQL store can block)
renews while the turn runs or waits; a ticket in this process lives until released. So:
- a slow turn (an action server that hangs) keeps its conversation however long it takes,
  and no second turn gets in beside it;
- the ticket of a replica that died stops blocking its conversation within one lease, and
  the turns queued behind it keep their place and go on;
- a waiter gives up with `LockError` after `lock_lifetime` (Rasa's `TICKET_LOCK_LIFETIME`,
  60 s) rather than hold a person's request forever.

Faults of Redis itself: every call is retried a few times on a fresh connection (a restart
leaves every pooled connection dead); when Redis stays unreachable the turn raises Rasa's
`LockError` (the channel tells the person), never the client's error, and is never run
unlocked. A release that fails is retried in the background and, failing that, lapses with
its lease. Redis restarted without its data loses every queue: each live turn then puts its
ticket back at its old place, and no queue serves anyone for two renewals (2 s) after the
restart (`grace_seconds` in endpoints.yml changes that), so a newcomer cannot slip in ahead
of a turn still running. Warnings are rate-limited.

Selected in endpoints.yml (`type: bot.rasa_server.lock_store.FairLockStore`); `LOCK_STORE_URL`
(redis://...) shares the queue between replicas, empty keeps it in this process.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
import uuid
from collections import defaultdict
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any, AsyncGenerator, Callable, Protocol

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_server import rasa_patches
from bot.startup import env

logger = logging.getLogger(__name__)

# A missed wake-up (a replica restarting, a dropped pub/sub message) costs at most this.
SAFETY_POLL_SECONDS = 0.2
DEFAULT_LEASE_SECONDS = 5.0
WARNING_INTERVAL_SECONDS = 10.0


class TicketLostError(LockError):
    """The ticket is no longer in its queue: its lease lapsed, or the store lost its data."""


@dataclass
class Ticket:
    """A turn's place in its queue; renewal may replace the value (after Redis lost its data)."""

    conversation_id: str
    value: str
    lease: float
    lost: bool = False


class TicketQueue(Protocol):
    """Where the tickets of each conversation wait, oldest first."""

    async def issue(self, conversation_id: str, lease: float) -> str: ...

    async def is_turn(self, conversation_id: str, ticket: str) -> bool:
        """True when `ticket` is the oldest live one; raises TicketLostError when it is gone."""
        ...

    async def renew(self, conversation_id: str, ticket: str, lease: float) -> str | None:
        """Extends the lease: the ticket (perhaps re-issued at its old place), None if lost."""
        ...

    async def release(self, conversation_id: str, ticket: str) -> None: ...

    def keep(self, ticket: Ticket) -> None:
        """Keeps renewing the ticket's lease, whatever this process's event loop is doing."""
        ...

    def let_go(self, ticket: Ticket) -> None:
        """Stops renewing (before the ticket is released)."""
        ...

    def watch(self, conversation_id: str) -> asyncio.Event:
        """An event set when a ticket of the conversation is released (anywhere)."""
        ...

    def unwatch(self, conversation_id: str, event: asyncio.Event) -> None: ...

    async def close(self) -> None: ...


class RateLimitedWarnings:
    """At most one warning per kind every `interval` seconds, with a count of those held back."""

    def __init__(self, interval: float = WARNING_INTERVAL_SECONDS, clock=time.monotonic) -> None:
        self.interval, self._clock = interval, clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = defaultdict(int)

    def warn(self, kind: str, message: str, *args: Any) -> bool:
        now = self._clock()
        if now - self._last.get(kind, -self.interval) < self.interval:
            self._held[kind] += 1
            return False
        held = self._held.pop(kind, 0)
        self._last[kind] = now
        suffix = f" ({held} more like this since the last warning)" if held else ""
        logger.warning(message + suffix, *args)
        return True


_warnings = RateLimitedWarnings()


class _Watchers:
    """Events of the turns in this process waiting on each conversation."""

    def __init__(self) -> None:
        self._watchers: dict[str, list[asyncio.Event]] = defaultdict(list)

    def watch(self, conversation_id: str) -> asyncio.Event:
        event = asyncio.Event()
        self._watchers[conversation_id].append(event)
        return event

    def unwatch(self, conversation_id: str, event: asyncio.Event) -> None:
        waiting = self._watchers.get(conversation_id, [])
        if event in waiting:
            waiting.remove(event)
        if not waiting:
            self._watchers.pop(conversation_id, None)

    def wake(self, conversation_id: str) -> None:
        for event in self._watchers.pop(conversation_id, []):
            event.set()


class LocalTicketQueue(_Watchers):
    """Tickets in this process: correct for one Rasa server with one Sanic worker.

    A ticket here lives until its turn releases it: the turn cannot outlive the process, and
    `lock` always releases, so no lease is needed (nor one that a busy event loop could miss).
    """

    def __init__(self) -> None:
        super().__init__()
        self._numbers = itertools.count(1)
        # conversation -> tickets, in issue order
        self._queues: dict[str, dict[str, None]] = defaultdict(dict)

    async def issue(self, conversation_id: str, lease: float) -> str:
        ticket = str(next(self._numbers))
        self._queues[conversation_id][ticket] = None
        return ticket

    async def is_turn(self, conversation_id: str, ticket: str) -> bool:
        queue = self._queues.get(conversation_id, {})
        if ticket not in queue:
            raise TicketLostError(f"The lock ticket for conversation '{conversation_id}' is gone.")
        return next(iter(queue)) == ticket

    async def renew(self, conversation_id: str, ticket: str, lease: float) -> str | None:
        return ticket if ticket in self._queues.get(conversation_id, {}) else None

    async def release(self, conversation_id: str, ticket: str) -> None:
        queue = self._queues.get(conversation_id)
        if queue is not None:
            queue.pop(ticket, None)
            if not queue:
                del self._queues[conversation_id]
        self.wake(conversation_id)

    def keep(self, ticket: Ticket) -> None:
        return None

    def let_go(self, ticket: Ticket) -> None:
        return None

    async def close(self) -> None:
        self._queues.clear()


class LeaseKeeper:
    """Renews the leases of this process's tickets from a thread of its own.

    Rasa's SQL tracker store and its classifiers run synchronously on the event loop, which
    a slow database (a PostgreSQL shutting down) can block for seconds: a renewal scheduled
    on the loop would miss its lease and let a second turn in. The thread renews as long as
    the process lives; a killed replica stops renewing at once.
    """

    def __init__(self, renew: Callable[[Ticket], str | None]) -> None:
        self._renew = renew
        self._held: dict[int, Ticket] = {}
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def keep(self, ticket: Ticket) -> None:
        with self._guard:
            self._held[id(ticket)] = ticket
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)
                self._thread.start()

    def let_go(self, ticket: Ticket) -> None:
        with self._guard:
            self._held.pop(id(ticket), None)

    def held(self) -> int:
        with self._guard:
            return len(self._held)

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        pause = 0.2
        while not self._stop.wait(pause):
            with self._guard:
                tickets = list(self._held.values())
            failed = False
            for ticket in tickets:
                try:
                    renewed = self._renew(ticket)
                except Exception as error:  # the thread must outlive any one failure
                    failed = True
                    _warnings.warn("renew", "Could not renew a conversation's lock (%s).", error)
                    continue
                with self._guard:
                    if id(ticket) not in self._held:
                        continue  # released meanwhile
                    if renewed is None:
                        ticket.lost = True
                        del self._held[id(ticket)]
                    else:
                        ticket.value = renewed
                if renewed is None:
                    _warnings.warn(
                        "lapsed", "A turn's lock lapsed while it ran (Redis unreachable for "
                        "more than %.1f s); another turn may have started.", ticket.lease,
                    )  # fmt: skip
            leases = [ticket.lease for ticket in tickets] or [1.0]
            pause = 0.2 if failed else max(min(leases) / 5, 0.02)


# Per conversation, two sorted sets: the queue (score = issue time in microseconds, from
# Redis's clock, so replicas with skewed clocks agree) and the leases (score = deadline in ms).
# A ticket is "<epoch>:<issue time>:<random>". The epoch key holds "<epoch>:<grace until ms>";
# when it is missing, Redis has lost its data: a new epoch starts, and no queue serves anyone
# until the grace ends, so that the turns still running put their tickets back first.
_LUA_HEAD = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local function extend(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
local function epoch_state(fresh, grace_ms)
  local state = redis.call('GET', KEYS[3])
  if not state then
    state = fresh .. ':' .. string.format('%d', now + grace_ms)
    redis.call('SET', KEYS[3], state)
  end
  return string.match(state, '^([^:]+):'), tonumber(string.match(state, ':(%d+)$'))
end
local function add(ticket, order, lease_ms)
  redis.call('ZADD', KEYS[1], order, ticket)
  redis.call('ZADD', KEYS[2], now + lease_ms, ticket)
  extend(KEYS[1], lease_ms + 1000)
  extend(KEYS[2], lease_ms + 1000)
end
"""
# ARGV: lease ms, fresh epoch, grace ms, random suffix -> the ticket
_ISSUE = (
    _LUA_HEAD
    + """
local epoch = epoch_state(ARGV[2], tonumber(ARGV[3]))
local order = t[1] .. string.format('%06d', tonumber(t[2]))
local ticket = epoch .. ':' .. order .. ':' .. ARGV[4]
add(ticket, order, tonumber(ARGV[1]))
return ticket
"""
)
# ARGV: ticket -> 1: its turn, 0: wait, -1: the ticket is gone
_IS_TURN = (
    _LUA_HEAD
    + """
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, gone in ipairs(lapsed) do
  redis.call('ZREM', KEYS[1], gone)
  redis.call('ZREM', KEYS[2], gone)
end
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
local state = redis.call('GET', KEYS[3])
if not state then return -1 end
if now < tonumber(string.match(state, ':(%d+)$')) then return 0 end
local head = redis.call('ZRANGE', KEYS[1], 0, 0)
if head[1] == ARGV[1] then return 1 end
return 0
"""
)
# ARGV: ticket, lease ms, fresh epoch, grace ms -> the ticket (new after a data loss), or ''
_RENEW = (
    _LUA_HEAD
    + """
local epoch = epoch_state(ARGV[3], tonumber(ARGV[4]))
local mine, order, suffix = string.match(ARGV[1], '^([^:]+):(%d+):(.+)$')
if mine ~= epoch then
  local ticket = epoch .. ':' .. order .. ':' .. suffix
  add(ticket, order, tonumber(ARGV[2]))
  return ticket
end
local deadline = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not deadline or tonumber(deadline) <= now then return '' end
add(ARGV[1], order, tonumber(ARGV[2]))
return ARGV[1]
"""
)
# KEYS: queue, leases, channel; ARGV: ticket, conversation id
_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('PUBLISH', KEYS[3], ARGV[2])
return 1
"""


class RedisTicketQueue(_Watchers):
    """Tickets in Redis, shared by every replica; each change is one Lua script."""

    def __init__(
        self, url: str, key_prefix: str = "ivig:lock:", grace_seconds: float | None = None
    ) -> None:
        import redis.asyncio as redis
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import ConnectionError, TimeoutError

        super().__init__()
        # A restart kills every pooled connection: each call gets a few tries on a new one.
        retry = Retry(ExponentialBackoff(cap=0.4, base=0.05), 3)
        self._redis = redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=15,
            retry=retry, retry_on_error=[ConnectionError, TimeoutError],
        )  # fmt: skip
        # The subscriber blocks between messages, so it has no socket timeout.
        self._subscriber = redis.from_url(url, socket_connect_timeout=2)
        self._prefix = key_prefix
        self._channel = f"{key_prefix}released"
        self.grace_seconds = grace_seconds
        self._scripts = {
            name: self._redis.register_script(source)
            for name, source in (("issue", _ISSUE), ("is_turn", _IS_TURN), ("renew", _RENEW),
                                 ("release", _RELEASE))
        }  # fmt: skip
        self._listener: asyncio.Task | None = None
        import redis as sync_redis
        from redis.retry import Retry as SyncRetry

        self._sync = sync_redis.Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=1,
            retry=SyncRetry(ExponentialBackoff(cap=0.4, base=0.05), 3),
            retry_on_error=[ConnectionError, TimeoutError],
        )  # fmt: skip
        self._sync_renew = self._sync.register_script(_RENEW)
        self.keeper = LeaseKeeper(self._renew_now)

    def keep(self, ticket: Ticket) -> None:
        self.keeper.keep(ticket)

    def let_go(self, ticket: Ticket) -> None:
        self.keeper.let_go(ticket)

    def _renew_now(self, ticket: Ticket) -> str | None:
        """The keeper's renewal (in its thread, on a client of its own)."""
        from redis.exceptions import RedisError

        args = [ticket.value, int(ticket.lease * 1000), uuid.uuid4().hex[:12],
                self._grace_ms(ticket.lease)]  # fmt: skip
        try:
            renewed = self._sync_renew(keys=self._keys(ticket.conversation_id), args=args)
        except RedisError as error:
            raise LockError(
                f"The lock store cannot be reached ({type(error).__name__})."
            ) from error
        return renewed.decode() or None

    def _keys(self, conversation_id: str) -> list[str]:
        base = f"{self._prefix}{conversation_id}"
        return [base, f"{base}:leases", f"{self._prefix}epoch"]

    async def _run(self, name: str, keys: list[str], args: list[Any]) -> Any:
        """Runs a script; Redis unreachable (after the retries) is Rasa's LockError."""
        from redis.exceptions import RedisError

        try:
            return await self._scripts[name](keys=keys, args=args)
        except RedisError as error:
            raise LockError(
                f"The lock store cannot be reached ({type(error).__name__})."
            ) from error

    def _grace_ms(self, lease: float) -> int:
        """Two renewals of a running turn, and its retries: time for each to put its ticket back."""
        grace = self.grace_seconds if self.grace_seconds is not None else max(2 * lease / 5, 1.5)
        return int(grace * 1000)

    async def issue(self, conversation_id: str, lease: float) -> str:
        self._ensure_listener()
        args = [int(lease * 1000), uuid.uuid4().hex[:12], self._grace_ms(lease), uuid.uuid4().hex]
        return (await self._run("issue", self._keys(conversation_id), args)).decode()

    async def is_turn(self, conversation_id: str, ticket: str) -> bool:
        state = await self._run("is_turn", self._keys(conversation_id), [ticket])
        if state < 0:
            raise TicketLostError(f"The lock ticket for conversation '{conversation_id}' expired.")
        return state == 1

    async def renew(self, conversation_id: str, ticket: str, lease: float) -> str | None:
        args = [ticket, int(lease * 1000), uuid.uuid4().hex[:12], self._grace_ms(lease)]
        renewed = (await self._run("renew", self._keys(conversation_id), args)).decode()
        return renewed or None

    async def release(self, conversation_id: str, ticket: str) -> None:
        keys = [*self._keys(conversation_id)[:2], self._channel]
        await self._run("release", keys, [ticket, conversation_id])

    def _ensure_listener(self) -> None:
        if self._listener is None or self._listener.done():
            self._listener = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        """Wakes this process's waiters when any replica releases a ticket; reconnects."""
        pause = 0.1
        while True:
            try:
                async with self._subscriber.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    pause = 0.1
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self.wake(message["data"].decode())
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the safety poll keeps turns moving meanwhile
                _warnings.warn(
                    "listener", "Lock wake-up listener lost Redis (%s); polling meanwhile.",
                    type(error).__name__,
                )  # fmt: skip
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)

    async def close(self) -> None:
        self.keeper.stop()
        self._sync.close()
        if self._listener is not None:
            self._listener.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await self._listener
        await self._redis.close()
        await self._subscriber.close()


def lease_seconds() -> float:
    """`LOCK_LEASE_SECONDS`: how soon the ticket of a dead replica stops blocking."""
    return env.number("LOCK_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)


class FairLockStore(LockStore):
    """Rasa's lock-store interface over a `TicketQueue` (see the module docstring)."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        queue: TicketQueue | None = None,
        lease: float | None = None,
    ) -> None:
        url = (endpoint_config.url if endpoint_config else None) or ""
        if queue is None:
            queue = RedisTicketQueue(url, **_redis_options(endpoint_config)) if url else None
        if queue is None:
            if env.integer("SANIC_WORKERS", 1) > 1:
                raise LockError("SANIC_WORKERS > 1 needs a shared lock store: set LOCK_STORE_URL.")
            queue = LocalTicketQueue()
        self.queue = queue
        self.lease = lease if lease is not None else lease_seconds()
        self._background: set[asyncio.Task] = set()
        logger.debug("Lock store: %s, lease %.1f s", type(queue).__name__, self.lease)
        rasa_patches.install()
        super().__init__()

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = SAFETY_POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        value = await self.queue.issue(conversation_id, self.lease)
        ticket = Ticket(conversation_id, value, self.lease)
        self.queue.keep(ticket)
        try:
            await self._wait_for_turn(conversation_id, ticket, lock_lifetime, wait_time_in_seconds)
            yield TicketLock(conversation_id)
        finally:
            self.queue.let_go(ticket)
            release = asyncio.ensure_future(self._release(conversation_id, ticket))
            self._background.add(release)
            release.add_done_callback(self._background.discard)
            # Shielded: a cancelled request still lets its release finish in the background.
            await asyncio.shield(release)

    async def _wait_for_turn(
        self, conversation_id: str, ticket: Ticket, max_wait: float, poll: float
    ) -> None:
        # Rasa asks for a 1 s poll; the wake-up makes that unnecessary.
        poll = min(poll, SAFETY_POLL_SECONDS)
        deadline = time.monotonic() + max_wait
        while True:
            # Watch before looking, so a release in between is not missed.
            released = self.queue.watch(conversation_id)
            try:
                try:
                    if await self.queue.is_turn(conversation_id, ticket.value):
                        return
                except TicketLostError:
                    # After Redis lost its data the ticket can be put back at its place.
                    renewed = await self.queue.renew(conversation_id, ticket.value, self.lease)
                    if renewed is None:
                        raise
                    ticket.value = renewed
                    continue
                if time.monotonic() >= deadline:
                    raise LockError(
                        f"Conversation '{conversation_id}' was busy for {max_wait:.0f} s."
                    )
                with suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(released.wait(), poll)
            finally:
                self.queue.unwatch(conversation_id, released)

    async def _release(self, conversation_id: str, ticket: Ticket) -> None:
        """Releases, trying again a few times; a ticket that cannot be released lapses."""
        for attempt in range(4):
            try:
                await self.queue.release(conversation_id, ticket.value)
                return
            except LockError as error:
                if attempt == 3:
                    _warnings.warn(
                        "release", "Could not release a conversation's lock (%s); it lapses "
                        "within %.1f s.", error, self.lease,
                    )  # fmt: skip
                    return
                await asyncio.sleep(0.1 * 2**attempt)

    # Rasa's synchronous ticket API is not used with this store: turns go through `lock`.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return None

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("FairLockStore keeps its tickets in its queue.")

    def delete_lock(self, conversation_id: str) -> None:
        return None


def _redis_options(endpoint_config: EndpointConfig | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = endpoint_config.kwargs if endpoint_config else {}
    grace = kwargs.get("grace_seconds")
    return {
        "key_prefix": str(kwargs.get("key_prefix") or "ivig:lock:"),
        "grace_seconds": float(grace) if grace not in (None, "") else None,
    }
