"""A conversation lock store that issues tickets atomically and wakes waiters at once.

Rasa serialises the turns of one conversation with ticket locks. Its own stores poll once
a second (a message that arrives mid-turn waits about a second), and its `RedisLockStore`
issues tickets with a read-modify-write of one JSON value, so two replicas that take a
message of the same conversation at the same moment can both get the same ticket and one
turn is lost. Here the tickets of a conversation form a queue that only ever changes
atomically: in this process (one event loop, no awaits inside a change) or in Redis (Lua
scripts). A finished turn wakes the next waiter directly (and, through Redis pub/sub, on
every replica); a short poll remains only as a safety net for a missed wake-up.

Semantics match Rasa's: first come, first served per conversation; a ticket lives
`lock_lifetime` seconds from issue, so a turn whose process died stops blocking the
conversation after that; a waiter whose ticket expired gets `LockError`.

Selected in endpoints.yml (`type: bot.lock_store.FairLockStore`); `LOCK_STORE_URL`
(redis://...) shares the queue between replicas, empty keeps it in this process.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
from collections import defaultdict
from contextlib import asynccontextmanager, suppress
from typing import Any, AsyncGenerator, Protocol

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_patches

logger = logging.getLogger(__name__)

# A missed wake-up (a replica restarting, a dropped pub/sub message) costs at most this.
SAFETY_POLL_SECONDS = 0.2


class TicketQueue(Protocol):
    """Where the tickets of each conversation wait, oldest first."""

    async def issue(self, conversation_id: str, lifetime: float) -> str: ...

    async def is_turn(self, conversation_id: str, ticket: str) -> bool:
        """True when `ticket` is the oldest live one; raises LockError once it expired."""
        ...

    async def release(self, conversation_id: str, ticket: str) -> None: ...

    def watch(self, conversation_id: str) -> asyncio.Event:
        """An event set when a ticket of the conversation is released (anywhere)."""
        ...

    def unwatch(self, conversation_id: str, event: asyncio.Event) -> None: ...

    async def close(self) -> None: ...


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
    """Tickets in this process: correct for one Rasa server with one Sanic worker."""

    def __init__(self, clock=time.monotonic) -> None:
        super().__init__()
        self._clock = clock
        self._numbers = itertools.count(1)
        # conversation -> {ticket: deadline}, insertion (issue) order is queue order
        self._queues: dict[str, dict[str, float]] = defaultdict(dict)

    async def issue(self, conversation_id: str, lifetime: float) -> str:
        ticket = str(next(self._numbers))
        self._queues[conversation_id][ticket] = self._clock() + lifetime
        return ticket

    async def is_turn(self, conversation_id: str, ticket: str) -> bool:
        queue = self._queues.get(conversation_id, {})
        now = self._clock()
        for expired in [t for t, deadline in queue.items() if deadline <= now]:
            del queue[expired]
        if ticket not in queue:
            raise LockError(f"The lock ticket for conversation '{conversation_id}' expired.")
        return next(iter(queue)) == ticket

    async def release(self, conversation_id: str, ticket: str) -> None:
        queue = self._queues.get(conversation_id)
        if queue is not None:
            queue.pop(ticket, None)
            if not queue:
                del self._queues[conversation_id]
        self.wake(conversation_id)

    async def close(self) -> None:
        self._queues.clear()


# Each queue is a sorted set: score = ticket number, member = "<ticket>:<deadline ms>".
# Redis's own clock (TIME) judges expiry, so replicas with skewed clocks agree.
_NOW_MS = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000) "
_ISSUE = (
    _NOW_MS
    + """
local number = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], 86400000)
local member = number .. ':' .. (now + tonumber(ARGV[1]))
redis.call('ZADD', KEYS[1], number, member)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 1000)
return member
"""
)
# 1: my turn, 0: wait, -1: my ticket expired.
_IS_TURN = (
    _NOW_MS
    + """
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #head == 0 then return -1 end
  local deadline = tonumber(string.match(head[1], ':(%d+)$'))
  if deadline > now then
    if head[1] == ARGV[1] then return 1 end
    if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
      if tonumber(string.match(ARGV[1], ':(%d+)$')) > now then return 0 end
      redis.call('ZREM', KEYS[1], ARGV[1])
    end
    return -1
  end
  redis.call('ZREM', KEYS[1], head[1])
end
"""
)
_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('PUBLISH', KEYS[2], ARGV[2])
return 1
"""


class RedisTicketQueue(_Watchers):
    """Tickets in Redis, shared by every replica; each change is one Lua script."""

    def __init__(self, url: str, key_prefix: str = "ivig:lock:") -> None:
        import redis.asyncio as redis

        super().__init__()
        self._redis = redis.from_url(url, socket_timeout=10)
        # The subscriber blocks between messages, so it has no socket timeout.
        self._subscriber = redis.from_url(url)
        self._prefix = key_prefix
        self._channel = f"{key_prefix}released"
        self._issue = self._redis.register_script(_ISSUE)
        self._is_turn = self._redis.register_script(_IS_TURN)
        self._release = self._redis.register_script(_RELEASE)
        self._listener: asyncio.Task | None = None

    def _keys(self, conversation_id: str) -> list[str]:
        return [f"{self._prefix}{conversation_id}", f"{self._prefix}{conversation_id}:next"]

    async def issue(self, conversation_id: str, lifetime: float) -> str:
        self._ensure_listener()
        member = await self._issue(keys=self._keys(conversation_id), args=[int(lifetime * 1000)])
        return member.decode()

    async def is_turn(self, conversation_id: str, ticket: str) -> bool:
        state = await self._is_turn(keys=self._keys(conversation_id)[:1], args=[ticket])
        if state < 0:
            raise LockError(f"The lock ticket for conversation '{conversation_id}' expired.")
        return state == 1

    async def release(self, conversation_id: str, ticket: str) -> None:
        keys = [self._keys(conversation_id)[0], self._channel]
        await self._release(keys=keys, args=[ticket, conversation_id])

    def _ensure_listener(self) -> None:
        if self._listener is None or self._listener.done():
            self._listener = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        """Wakes this process's waiters when any replica releases a ticket."""
        try:
            async with self._subscriber.pubsub() as pubsub:
                await pubsub.subscribe(self._channel)
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self.wake(message["data"].decode())
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the safety poll keeps turns moving meanwhile
            logger.warning("Lock wake-up listener stopped (%s); polling until it restarts.", error)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
        await self._redis.close()
        await self._subscriber.close()


class FairLockStore(LockStore):
    """Rasa's lock-store interface over a `TicketQueue` (see the module docstring)."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        queue: TicketQueue | None = None,
    ) -> None:
        url = (endpoint_config.url if endpoint_config else None) or ""
        if queue is None:
            queue = RedisTicketQueue(url, _key_prefix(endpoint_config)) if url else None
        if queue is None:
            if int(os.environ.get("SANIC_WORKERS", "1") or 1) > 1:
                raise LockError("SANIC_WORKERS > 1 needs a shared lock store: set LOCK_STORE_URL.")
            queue = LocalTicketQueue()
        self.queue = queue
        logger.debug("Lock store: %s", type(queue).__name__)
        rasa_patches.install()
        super().__init__()

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = SAFETY_POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = await self.queue.issue(conversation_id, lock_lifetime)
        try:
            # Rasa asks for a 1 s poll; the wake-up makes that unnecessary.
            poll = min(wait_time_in_seconds, SAFETY_POLL_SECONDS)
            while True:
                # Watch before looking, so a release in between is not missed.
                released = self.queue.watch(conversation_id)
                try:
                    if await self.queue.is_turn(conversation_id, ticket):
                        break
                    with suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(released.wait(), poll)
                finally:
                    self.queue.unwatch(conversation_id, released)
            yield TicketLock(conversation_id)
        finally:
            await self.queue.release(conversation_id, ticket)

    # Rasa's synchronous ticket API is not used with this store: turns go through `lock`.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return None

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("FairLockStore keeps its tickets in its queue.")

    def delete_lock(self, conversation_id: str) -> None:
        return None


def _key_prefix(endpoint_config: EndpointConfig | None) -> str:
    kwargs: dict[str, Any] = endpoint_config.kwargs if endpoint_config else {}
    return str(kwargs.get("key_prefix") or "ivig:lock:")
