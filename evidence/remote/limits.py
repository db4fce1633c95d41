"""Per-host pacing: at most N request starts in any window of T seconds, at most C requests
in flight, and a pause for the whole host when the service says to slow down.

A sliding window rather than a token bucket: services count requests per second as they
arrive, so a bucket's burst followed by a refill can put N+1 requests in one of their
windows. A small margin absorbs the jitter between our start and their arrival.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

MARGIN = 0.1  # seconds added to every window


@dataclass
class Window:
    limit: int
    interval: float

    def __post_init__(self) -> None:
        self.starts: deque[float] = deque()


class Host:
    """The limits of one service. ``lanes`` name separate rate windows that share the
    concurrency limit (Crossref allows more single-record than list requests per second)."""

    def __init__(self, name: str, *, lanes: dict[str, Window], concurrency: int) -> None:
        self.name = name
        self.lanes = lanes
        self.concurrency = concurrency
        self._in_flight = 0
        self._free = asyncio.Condition()
        self._pacing = asyncio.Lock()
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Hold every request to this host for ``seconds`` (after a 429 or a Retry-After)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def update(
        self, lane: str, *, limit: int | None, interval: float | None, concurrency: int | None
    ) -> None:
        """Adopt the limits a service announces (Crossref's X-Rate-Limit-* headers)."""
        window = self.lanes[lane]
        if limit and limit > 0:
            window.limit = limit
        if interval and interval > 0:
            window.interval = interval
        if concurrency and concurrency > 0:
            self.concurrency = concurrency

    @asynccontextmanager
    async def slot(self, lane: str = "default") -> AsyncIterator[None]:
        window = self.lanes[lane]
        async with self._free:
            await self._free.wait_for(lambda: self._in_flight < self.concurrency)
            self._in_flight += 1
        try:
            async with self._pacing:
                while True:
                    now = time.monotonic()
                    span = window.interval + MARGIN
                    while window.starts and now - window.starts[0] >= span:
                        window.starts.popleft()
                    wait = self._paused_until - now
                    if len(window.starts) >= window.limit:
                        wait = max(wait, window.starts[0] + span - now)
                    if wait <= 0:
                        break
                    await asyncio.sleep(wait)
                window.starts.append(time.monotonic())
            yield
        finally:
            async with self._free:
                self._in_flight -= 1
                self._free.notify_all()
