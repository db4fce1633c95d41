"""Per-host pacing: at most N request starts in any window of T seconds, spread out rather
than in a burst, at most C requests in flight, and a pause for the whole host when the
service says to slow down.

A sliding window rather than a token bucket: services count requests per second as they
arrive, so a bucket's burst followed by a refill can put N+1 requests in one of their
windows. A small margin absorbs the jitter between our start and their arrival.

A lane's pace adapts (additive increase, multiplicative decrease, as TCP does): a service
that answers "too many requests" although we kept within the limit it announced or we
assumed is enforcing a lower one, so a rate-limit answer lowers that lane's pace for the rest
of the run, and only a run of successes raises it again, a step at a time, never above the
limit announced (Crossref's headers announce 10 list requests a second where its polite
pool allows 3). Only a request started after the last decrease can lower the pace again:
those already in flight were sent at the old pace and say nothing new.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

MARGIN = 0.1  # seconds added to every window
DECREASE = 0.8  # a rate-limit answer multiplies the pace by this
RAISE_AFTER = 10  # successes in a row, all sent at the current pace, before a step up
STEP = 0.1  # a step up: this share of the starting pace
LOWEST = 0.1  # the pace never falls below this share of the starting pace


@dataclass
class Window:
    """One lane's pace: ``limit`` requests per ``interval`` seconds (a fraction allowed)."""

    limit: float
    interval: float

    def __post_init__(self) -> None:
        self.starts: deque[float] = deque()
        self.start_limit = self.limit
        self.ceiling = self.limit  # what the service announces, else what we assumed
        self.slowed = 0  # decreases this run
        self.lowest = self.limit
        self._streak = 0
        self._changed_at = float("-inf")  # monotonic time of the last change of pace

    @property
    def per_second(self) -> float:
        return self.limit / self.interval

    def count_and_span(self) -> tuple[int, float]:
        """At most ``count`` starts in any ``span`` seconds: the pace, in whole requests."""
        count = max(1, int(self.limit))
        return count, self.interval * count / self.limit + MARGIN

    def gap(self) -> float:
        return self.interval / self.limit

    def rate_limited(self, started: float) -> bool:
        """A request started at ``started`` was refused: lower the pace unless it was sent
        before the last change. Whether the pace went down."""
        self._streak = 0
        if started < self._changed_at:
            return False
        self.limit = max(self.start_limit * LOWEST, self.limit * DECREASE)
        self.lowest = min(self.lowest, self.limit)
        self.slowed += 1
        self._changed_at = time.monotonic()
        return True

    def succeeded(self, started: float) -> bool:
        """A request started at ``started`` was answered: a step up after enough of them in a
        row at this pace. Whether the pace went up."""
        if started < self._changed_at:
            return False
        self._streak += 1
        if self._streak < RAISE_AFTER or self.limit >= self.ceiling:
            return False
        self._streak = 0
        self.limit = min(self.ceiling, self.limit + self.start_limit * STEP)
        self._changed_at = time.monotonic()
        return True


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
        """Adopt the limits a service announces (Crossref's X-Rate-Limit-* headers): a lower
        limit at once, a higher one only as the ceiling the pace may climb to."""
        window = self.lanes[lane]
        if interval and interval > 0 and interval != window.interval:
            # the same pace, counted over the announced interval
            scale = interval / window.interval
            window.limit *= scale
            window.start_limit *= scale
            window.ceiling *= scale
            window.lowest *= scale
            window.interval = interval
        if limit and limit > 0:
            window.ceiling = limit
            window.limit = min(window.limit, limit)
        if concurrency and concurrency > 0:
            self.concurrency = concurrency

    @asynccontextmanager
    async def slot(self, lane: str = "default") -> AsyncIterator[float]:
        """Wait for this lane's turn; gives the start time (time.monotonic()) to report the
        answer with (:meth:`Window.rate_limited`, :meth:`Window.succeeded`)."""
        window = self.lanes[lane]
        async with self._free:
            await self._free.wait_for(lambda: self._in_flight < self.concurrency)
            self._in_flight += 1
        try:
            async with self._pacing:
                while True:
                    now = time.monotonic()
                    count, span = window.count_and_span()
                    while window.starts and now - window.starts[0] >= span:
                        window.starts.popleft()
                    wait = self._paused_until - now
                    if len(window.starts) >= count:
                        wait = max(wait, window.starts[-count] + span - now)
                    if window.starts:
                        wait = max(wait, window.starts[-1] + window.gap() - now)
                    if wait <= 0:
                        break
                    await asyncio.sleep(wait)
                started = time.monotonic()
                window.starts.append(started)
            yield started
        finally:
            async with self._free:
                self._in_flight -= 1
                self._free.notify_all()
