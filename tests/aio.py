"""Running a coroutine from a test, whatever event loop the test process already runs.

Playwright's sync API (the browser tests) keeps an event loop running in the main thread for
the whole session, where `asyncio.run` refuses to start another: run it in a thread of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
