"""Crossref searches: ``/works?query=...`` paged with a cursor (``cursor=*``, then each
answer's ``next-cursor``), 1,000 works a page (the most ``rows`` may ask for), in the polite
pool and at the pace of remote/crossref.py.

Crossref's cursor is a scroll on its search cluster, not a bookmark: each request with it
moves it on, and it expires when left idle for a few minutes (a 404 then). So a page whose
first answer was lost on the way (a timeout, a cut body, a 5xx) and came on a retry may be
the page after the one asked for; and an expired cursor cannot go on. Either way the search
starts again from ``cursor=*`` and skips the works it already has, so that no page is
silently missing. The end comes with a page shorter than ``rows`` (Crossref's documented
sign), an empty one, or the ``total-results`` reached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from evidence.domain.metadata import PaperMetadata
from evidence.errors import ServiceFailure, ValidationFailure
from evidence.formats import crossref_json
from evidence.remote.crossref import POLITE, PUBLIC, _int, _interval
from evidence.remote.http import Http
from evidence.remote.limits import Host, Window
from evidence.remote.searching import (
    DEFAULT_LIMIT,
    UNREADABLE,
    Progress,
    SearchResult,
    Tally,
    check,
    names_its_service,
)
from evidence.remote.service import Service
from evidence.settings import Settings

ROWS_MAX = 1000  # Crossref: "The maximum number rows you can ask for in one query is 1000"
RESTARTS = 2  # fresh cursors a search may take before it gives up


class _CursorLost(ServiceFailure):
    """Raised when Crossref no longer knows the cursor (it expired)."""

    def __init__(self) -> None:
        super().__init__("Crossref", "the search's cursor expired (HTTP 404)")


@dataclass(frozen=True)
class _Page:
    total: int
    items: list[Any]
    next_cursor: str | None


def crossref_host(settings: Settings) -> Host:
    """The pace of remote/crossref.py: the polite pool's with a contact address."""
    lists, singles, together = POLITE if settings.contact_email else PUBLIC
    return Host(
        "crossref",
        lanes={"list": Window(lists, 1.0), "single": Window(singles, 1.0)},
        concurrency=together,
    )


def _adopt_limits(host: Host, response: httpx.Response) -> None:
    headers = response.headers
    host.update(
        "list",
        limit=_int(headers.get("X-Rate-Limit-Limit")),
        interval=_interval(headers.get("X-Rate-Limit-Interval", "")),
        concurrency=_int(headers.get("X-Concurrency-Limit")),
    )


def _read_page(body: Any) -> _Page:
    if not isinstance(body, dict) or body.get("status") != "ok":
        raise ServiceFailure("Crossref", "an answer that is not a successful work list")
    message = body.get("message")
    if body.get("message-type") != "work-list" or not isinstance(message, dict):
        raise ServiceFailure("Crossref", f"message-type {body.get('message-type')!r}")
    items, total = message.get("items"), message.get("total-results")
    if not isinstance(items, list) or not isinstance(total, int):
        raise ServiceFailure("Crossref", "a work list without its items and total-results")
    cursor = message.get("next-cursor")
    return _Page(total, items, cursor if isinstance(cursor, str) and cursor else None)


async def _page(
    http: Http, host: Host, settings: Settings, params: dict[str, str], first: bool
) -> _Page:
    def handle(response: httpx.Response) -> _Page:
        _adopt_limits(host, response)
        if response.status_code == 404 and not first:
            raise _CursorLost()
        if response.status_code == 400:
            try:
                reason = crossref_json.validation_failure(json.loads(response.content))
            except ValueError:
                reason = None
            raise ValidationFailure(reason or f"HTTP 400: {response.text[:200]}")
        if response.status_code != 200:
            raise ServiceFailure("Crossref", f"HTTP {response.status_code}")
        return _read_page(Service.json_body(response))

    return await http.request(
        host,
        "GET",
        f"{settings.crossref_url}/works",
        handle=handle,
        lane="list",
        endpoint="works (search)",
        params=params,
    )


@names_its_service("crossref")
async def search_crossref(
    http: Http,
    settings: Settings,
    query: str,
    *,
    limit: int = DEFAULT_LIMIT,
    progress: Progress | None = None,
) -> SearchResult:
    """The first ``limit`` works Crossref finds for ``query`` (free text, ranked by
    relevance). Raises :class:`ServiceFailure` if the pages cannot all be had."""
    query = check("crossref", query, limit)
    tally = Tally(http, "crossref")
    host = crossref_host(settings)
    # one page size for the whole scroll: Crossref's is fixed by its first request
    rows = min(ROWS_MAX, limit)
    common = {"mailto": settings.contact_email} if settings.contact_email else {}
    records: list[PaperMetadata] = []
    dois: set[str] = set()
    unreadable = 0
    consumed = 0  # works of the ranking read so far, readable or not
    total = 0
    restarts = 0
    cursor, position = "*", 0  # position: where the cursor's next page starts

    def restart(why: str) -> None:
        nonlocal cursor, position, restarts
        restarts += 1
        if restarts > RESTARTS:
            raise ServiceFailure(
                "Crossref",
                f"{why}, {restarts} times, after {consumed:,} of {min(limit, total):,} "
                "works; nothing was kept: run the search again",
            )
        cursor, position = "*", 0

    while True:
        # retries after anything but a rate-limit refusal (the service never served those)
        retried = tally.retries - tally.refusals
        params = {"query": query, "rows": str(rows), "cursor": cursor, **common}
        try:
            page = await _page(http, host, settings, params, first=cursor == "*")
        except _CursorLost:
            restart("the search's cursor expired")
            continue
        if cursor != "*" and tally.retries - tally.refusals != retried:
            # the lost attempt may have moved the cursor on: this may be the next page
            restart("a page of the search came only on a retry")
            continue
        total = page.total
        wanted = min(limit, total)
        for offset, item in enumerate(page.items, start=position):
            if offset < consumed or consumed >= wanted:
                continue  # had before a fresh cursor, or past the limit
            consumed += 1
            try:
                record = crossref_json.read_work(item, record=f"#{offset + 1}")
            except UNREADABLE:
                unreadable += 1
                continue
            if record.doi not in dois:  # Crossref lists a work twice now and then
                dois.add(record.doi or "")
                records.append(record)
        position += len(page.items)
        if progress is not None:
            progress(consumed, wanted)
        if consumed >= wanted or len(page.items) < rows:
            break
        if page.next_cursor is None:
            raise ServiceFailure(
                "Crossref",
                f"a full page without a next-cursor after {consumed:,} of {wanted:,} works",
            )
        cursor = page.next_cursor
    return tally.result(query, total, records, limit, unreadable)
