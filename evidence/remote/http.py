"""One HTTP client for the metadata services: paced per host, retried with backoff.

Retries (tenacity) cover what a later attempt can fix: 429, 5xx, timeouts, dropped
connections and truncated or garbled bodies. The wait is exponential with jitter, or exactly
what a ``Retry-After`` header asks; a 429 also pauses every other request to that host. A
service asking for a longer pause than :data:`MAX_RETRY_AFTER` is not waited for: the batch
fails with that reason, and the papers in it are reported, not stalled on.
"""

from __future__ import annotations

import email.utils
import random
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
)

from evidence.domain.metadata import SERVICE_NAMES
from evidence.errors import Retryable, ServiceFailure
from evidence.remote.limits import Host
from evidence.settings import Settings
from evidence.version import VERSION

T = TypeVar("T")
BACKOFF = 0.5  # seconds before the first retry; doubled each time
MAX_BACKOFF = 30.0
MAX_RETRY_AFTER = 120.0  # seconds; longer pauses fail the batch instead of hanging the run


@dataclass
class Traffic:
    """What a run asked of each service: the figures `resolve` and the benchmark report."""

    requests: Counter[str] = field(default_factory=Counter)
    rate_limited: Counter[str] = field(default_factory=Counter)  # 429s and NCBI's 200 variant
    retries: Counter[str] = field(default_factory=Counter)
    cache_hits: Counter[str] = field(default_factory=Counter)
    by_endpoint: Counter[str] = field(default_factory=Counter)
    # the lanes a rate-limit answer slowed, by "host lane": their pace when the run ended
    slowed: dict[str, Slowed] = field(default_factory=dict)


@dataclass
class Slowed:
    """A lane the service slowed: how often, to what, and its pace when the run ended."""

    service: str
    lane: str
    times: int
    lowest_per_second: float
    final_per_second: float

    def text(self) -> str:
        lane = "" if self.lane == "default" else f" ({self.lane} requests)"
        return (
            f"{SERVICE_NAMES.get(self.service, self.service)}{lane} slowed "
            f"{self.times} time{'s' * (self.times != 1)}, to {self.lowest_per_second:.2g} "
            f"a second at the slowest, {self.final_per_second:.2g} at the end"
        )


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _unresolvable(exc: BaseException) -> bool:
    """Whether a failed connection failed on the name lookup (httpx wraps httpcore, which
    wraps the resolver's socket.gaierror)."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _host_of(url: str) -> str:
    return httpx.URL(url).host or url


def user_agent(settings: Settings) -> str:
    contact = f"; mailto:{settings.contact_email}" if settings.contact_email else ""
    return f"evidence/{VERSION} (https://github.com/evidence-tracker/evidence{contact})"


def make_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The client every service is asked through: our User-Agent, the configured timeout,
    redirects followed, a bounded pool. ``transport`` replaces the network, e.g. an
    ``httpx.MockTransport`` in a unit test (as httpx's documentation shows)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.http_timeout),
        headers={"User-Agent": user_agent(settings)},
        follow_redirects=True,
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        transport=transport,
    )


class Http:
    """Requests to the metadata services, paced per host and lane, retried with backoff.

    ``client`` is the ``httpx.AsyncClient`` to send through; its owner closes it. Without
    one, a client from :func:`make_client` is made here and closed by :meth:`aclose`.
    """

    def __init__(
        self,
        settings: Settings,
        traffic: Traffic,
        *,
        backoff: float | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.traffic = traffic
        self.attempts = settings.http_retries + 1
        self.timeout = settings.http_timeout
        self.backoff = BACKOFF if backoff is None else backoff
        self._owned = client is None
        self._client = make_client(settings) if client is None else client

    async def aclose(self) -> None:
        if self._owned:
            await self._client.aclose()

    def _wait(self, state: RetryCallState) -> float:
        failed = state.outcome.exception() if state.outcome else None
        if isinstance(failed, Retryable) and failed.retry_after is not None:
            return failed.retry_after + random.uniform(0, 0.1)
        # exponential, capped, with full jitter on top so that clients do not retry in step
        base = min(MAX_BACKOFF, self.backoff * 2 ** (state.attempt_number - 1))
        return base + random.uniform(0, self.backoff)

    def rate_limited(self, host: Host, reason: str, wait: float | None) -> Retryable:
        """Count a rate-limit answer, hold the host, and say how long to wait."""
        self.traffic.rate_limited[host.name] += 1
        if wait is not None and wait > MAX_RETRY_AFTER:
            raise ServiceFailure(host.name, f"{reason}; asked to wait {wait:.0f} s, not waiting")
        host.pause(wait if wait is not None else 1.0)
        return Retryable(reason, wait, limited=True)

    def _paced(self, host: Host, lane: str, started: float, *, limited: bool) -> None:
        """Tell the lane how its request fared; note its pace if a rate limit ever lowered it."""
        window = host.lanes[lane]
        changed = window.rate_limited(started) if limited else window.succeeded(started)
        if changed and window.slowed:
            self.traffic.slowed[f"{host.name} {lane}"] = Slowed(
                host.name,
                lane,
                window.slowed,
                window.lowest / window.interval,
                window.per_second,
            )

    async def request(
        self,
        host: Host,
        method: str,
        url: str,
        *,
        handle: Callable[[httpx.Response], T],
        lane: str = "default",
        endpoint: str = "",
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
    ) -> T:
        """Send until ``handle`` accepts the answer; raise :class:`ServiceFailure` if none is.

        ``handle`` turns a response into a result, raising :class:`Retryable` for an answer
        worth asking again and :class:`ServiceFailure` for one that is final.
        """
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(Retryable),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    if attempt.retry_state.attempt_number > 1:
                        self.traffic.retries[host.name] += 1
                    async with host.slot(lane) as started:
                        self.traffic.requests[host.name] += 1
                        self.traffic.by_endpoint[f"{host.name} {endpoint}".strip()] += 1
                        try:
                            response = await self._client.request(
                                method, url, params=params, data=data
                            )
                        except httpx.TimeoutException as exc:
                            raise Retryable(f"no answer within {self.timeout:g} s") from exc
                        except httpx.TransportError as exc:
                            if _unresolvable(exc):  # no retry brings a name back
                                raise ServiceFailure(
                                    host.name,
                                    f"cannot find the server {_host_of(url)} "
                                    "(the name does not resolve: offline, or a wrong address?)",
                                ) from exc
                            raise Retryable(
                                f"connection failed ({exc or type(exc).__name__})"
                            ) from exc
                        except httpx.RequestError as exc:  # e.g. a body that will not decode
                            raise Retryable(f"broken answer ({exc or type(exc).__name__})") from exc
                    if response.status_code == 429:
                        self._paced(host, lane, started, limited=True)
                        raise self.rate_limited(
                            host, "rate limited (HTTP 429)", retry_after(response)
                        )
                    if response.status_code >= 500:
                        reason = f"HTTP {response.status_code} from the service"
                        wait = retry_after(response)
                        if wait is not None:  # the service says when: hold the whole host
                            if wait > MAX_RETRY_AFTER:
                                raise ServiceFailure(
                                    host.name, f"{reason}; asked to wait {wait:.0f} s, not waiting"
                                )
                            host.pause(wait)
                        raise Retryable(reason, wait)
                    try:
                        result = handle(response)
                    except Retryable as exc:
                        if exc.limited:  # NCBI's rate-limit error in a 200 answer
                            self._paced(host, lane, started, limited=True)
                        raise
                    except ServiceFailure:
                        raise
                    except Exception as exc:  # an answer no reader expected: this batch only
                        raise ServiceFailure(
                            host.name, f"unreadable answer ({type(exc).__name__}: {exc})"
                        ) from exc
                    self._paced(host, lane, started, limited=False)
                    return result
        except Retryable as exc:
            tries = "1 attempt" if self.attempts == 1 else f"{self.attempts} attempts"
            # the last answer stays the cause
            raise ServiceFailure(host.name, f"{exc.reason} (gave up after {tries})") from exc
        raise AssertionError("tenacity stopped without a result or an error")  # unreachable
