"""Bounded worker threads for the computing endpoints.

Each endpoint has its own slots (:data:`PLAN_SLOTS`, :data:`ESTIMATE_SLOTS`): a few slow plans
can fill theirs but never the estimate's, and the event loop (pages, catalog, docs) stays free.
When more than :data:`MAX_WAITING` requests already wait for a slot, the next is answered 503 at
once (:class:`BusyError`) rather than queued behind minutes of work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Final, TypeVar

from starlette.concurrency import run_in_threadpool

from spicetrader.errors import SpiceError

__all__ = [
    "ESTIMATE_SLOTS",
    "MAX_WAITING",
    "PLAN_SLOTS",
    "BusyError",
    "ComputePool",
    "ResultCache",
]

T = TypeVar("T")

PLAN_SLOTS: Final = 2
ESTIMATE_SLOTS: Final = 4
MAX_WAITING: Final = 64


class BusyError(SpiceError):
    """Too many requests are waiting for this endpoint; the client should retry (503)."""


class ComputePool:
    """Slots per endpoint name; ``run`` waits for one and calls ``work`` in a worker thread."""

    def __init__(
        self, slots: Mapping[str, int] | None = None, max_waiting: int = MAX_WAITING
    ) -> None:
        counts = slots or {"plan": PLAN_SLOTS, "estimate": ESTIMATE_SLOTS}
        self._counts = dict(counts)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._waiting = dict.fromkeys(counts, 0)
        self.max_waiting = max_waiting

    def _slots_of(self, name: str) -> asyncio.Semaphore:
        """The endpoint's semaphore on the running loop (an app outlives a test client's loop)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop
            self._slots = {n: asyncio.Semaphore(count) for n, count in self._counts.items()}
        return self._slots[name]

    async def run(self, name: str, work: Callable[[], T]) -> T:
        slots = self._slots_of(name)
        if slots.locked() and self._waiting[name] >= self.max_waiting:
            raise BusyError(
                f"{self._waiting[name]} {name} requests are already waiting; retry in a moment"
            )
        self._waiting[name] += 1
        try:
            await slots.acquire()
        finally:
            self._waiting[name] -= 1
        try:
            return await run_in_threadpool(work)
        finally:
            slots.release()


class ResultCache:
    """The last ``size`` rendered results, by endpoint, request body and catalog.

    A plan is a pure function of the workload, the constraints and the catalog the app holds,
    so an identical request is answered from here without computing again (a form submitted
    twice, a page reloaded). The catalog's identity is part of the key: a reloaded catalog
    never serves an old answer. Thread-safe (results are stored from worker threads).
    """

    def __init__(self, size: int = 256) -> None:
        import threading
        from collections import OrderedDict

        self.size = size
        self._items: OrderedDict[tuple[str, str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, int]) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: tuple[str, str, int], body: bytes) -> None:
        with self._lock:
            self._items[key] = body
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
