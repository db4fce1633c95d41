"""Crossref REST API: works by DOI, many at a time through an OR-ed ``filter=doi:...``.

Etiquette: the polite pool (``mailto``), and the limits Crossref announces on every answer
(``X-Rate-Limit-Limit`` per ``X-Rate-Limit-Interval``, ``X-Concurrency-Limit``): a lower one
is adopted at once, a higher one only as the most the pace may climb to (its list endpoint
announces 10 a second where the polite pool allows 3; see remote/limits.py). The pace starts
at today's published limits: in the polite pool 3 list requests a second, 10 single-record
requests a second, 3 at a time; without a mailto (the public pool) 1, 5 and 1.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import quote

import httpx

from evidence.domain.metadata import PaperMetadata
from evidence.errors import InvalidRecord, Retryable, ServiceFailure, ValidationFailure
from evidence.formats import crossref_json
from evidence.remote.answers import Answer
from evidence.remote.cache import ResponseCache
from evidence.remote.http import Http
from evidence.remote.limits import Host, Window
from evidence.remote.service import Service
from evidence.settings import Settings

LIST_BATCH = 100  # DOIs per filter: Crossref publishes no cap; this keeps URLs near 4 kB
MAX_FILTER_CHARS = 6000
# (list requests a second, single-record requests a second, requests at a time)
POLITE = (3, 10, 3)
PUBLIC = (1, 5, 1)


def _interval(text: str) -> float | None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", text or "")
    if not match:
        return None
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[match.group(2)]
    return float(match.group(1)) * scale


def _int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def _batches(dois: list[str]) -> list[list[str]]:
    batches: list[list[str]] = []
    current: list[str] = []
    size = 0
    for doi in dois:
        if current and (len(current) >= LIST_BATCH or size + len(doi) + 5 > MAX_FILTER_CHARS):
            batches.append(current)
            current, size = [], 0
        current.append(doi)
        size += len(doi) + 5
    return batches + ([current] if current else [])


def _read(body: bytes, doi: str) -> PaperMetadata:
    return crossref_json.read_work(json.loads(body), record=doi)


class Crossref(Service):
    name = "crossref"

    def __init__(
        self, http: Http, cache: ResponseCache, settings: Settings, **options: bool
    ) -> None:
        super().__init__(http, cache, settings, **options)
        self.base = settings.crossref_url
        # polite pool with a mailto, public pool without (until the headers say otherwise)
        lists, singles, together = POLITE if settings.contact_email else PUBLIC
        self.host = Host(
            "crossref",
            lanes={"list": Window(lists, 1.0), "single": Window(singles, 1.0)},
            concurrency=together,
        )
        self.common = {"mailto": settings.contact_email} if settings.contact_email else {}

    def _adopt_limits(self, lane: str, response: httpx.Response) -> None:
        headers = response.headers
        self.host.update(
            lane,
            limit=_int(headers.get("X-Rate-Limit-Limit")),
            interval=_interval(headers.get("X-Rate-Limit-Interval", "")),
            concurrency=_int(headers.get("X-Concurrency-Limit")),
        )

    async def works(self, dois: list[str]) -> dict[str, Answer]:
        answers, missing = self.cached_answers("crossref", dois, _read)
        # a comma would split the filter: such DOIs are asked for one by one
        listed = [d for d in missing if "," not in d]
        single = [d for d in missing if "," in d]
        parts = await asyncio.gather(
            *(self._list(b) for b in _batches(listed)), *(self._single(d) for d in single)
        )
        for part in parts:
            answers.update(part)
        return answers

    def _read(self, response: httpx.Response, lane: str) -> Any:
        self._adopt_limits(lane, response)
        return self.json_body(response)

    async def _list(self, batch: list[str]) -> dict[str, Answer]:
        params = {
            "filter": ",".join(f"doi:{d}" for d in batch),
            "rows": str(len(batch)),
            **self.common,
        }

        def handle(response: httpx.Response) -> list[tuple[PaperMetadata, bytes]]:
            if response.status_code == 400:
                self._adopt_limits("list", response)
                try:
                    reason = crossref_json.validation_failure(json.loads(response.content))
                except ValueError:
                    reason = None
                raise ValidationFailure(reason or f"HTTP 400: {response.text[:200]}")
            if response.status_code != 200:
                raise ServiceFailure("Crossref", f"HTTP {response.status_code}")
            body = self._read(response, "list")
            try:
                items = crossref_json.read_work_list(body)
            except InvalidRecord as exc:
                raise Retryable(f"unreadable answer ({exc.problem})") from exc
            raw_items = body["message"]["items"]
            return [(m, json.dumps(raw).encode()) for m, raw in zip(items, raw_items, strict=True)]

        try:
            works = await self.http.request(
                self.host,
                "GET",
                f"{self.base}/works",
                handle=handle,
                lane="list",
                endpoint="works (list)",
                params=params,
            )
        except ValidationFailure:
            # one DOI Crossref cannot take in a filter must not sink the rest: ask singly
            singles = await asyncio.gather(*(self._single(d) for d in batch))
            return {k: v for part in singles for k, v in part.items()}
        except ServiceFailure as exc:
            return self.failed(batch, exc.reason)
        return self.keep("crossref", batch, {m.doi: (m, raw) for m, raw in works if m.doi})

    async def _single(self, doi: str) -> dict[str, Answer]:
        def handle(response: httpx.Response) -> tuple[PaperMetadata, bytes] | None:
            if response.status_code == 404:  # text/plain "Resource not found."
                self._adopt_limits("single", response)
                return None
            if response.status_code != 200:
                raise ServiceFailure("Crossref", f"HTTP {response.status_code} for {doi}")
            body = self._read(response, "single")
            try:
                work = crossref_json.read_work_response(body)
            except InvalidRecord as exc:
                raise Retryable(f"unreadable answer ({exc.problem})") from exc
            return work, json.dumps(body["message"]).encode()

        try:
            hit = await self.http.request(
                self.host,
                "GET",
                f"{self.base}/works/{quote(doi, safe='/')}",
                handle=handle,
                lane="single",
                endpoint="works/{doi}",
                params=self.common or None,
            )
        except ServiceFailure as exc:
            return self.failed([doi], exc.reason)
        return self.keep("crossref", [doi], {doi: hit} if hit else {})
