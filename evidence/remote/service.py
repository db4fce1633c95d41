"""What every service client shares: the cache in front of it, and how one batch's answers
become one answer per paper."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from evidence.domain.metadata import SERVICE_NAMES, PaperMetadata
from evidence.errors import Retryable
from evidence.remote.answers import OFFLINE, UNKNOWN, Answer, Failed
from evidence.remote.cache import Entry, ResponseCache
from evidence.remote.http import Http
from evidence.settings import Settings


class Service:
    name = ""  # as in Traffic and SERVICE_NAMES: pubmed | crossref | openalex

    def __init__(
        self, http: Http, cache: ResponseCache, settings: Settings, *, offline: bool, refresh: bool
    ) -> None:
        self.http = http
        self.cache = cache
        self.offline = offline
        self.refresh = refresh
        self.settings = settings

    def from_cache(self, namespace: str, keys: list[str]) -> tuple[dict[str, Entry], list[str]]:
        """Cached entries (none with --refresh), and the keys still to ask for."""
        wanted = list(dict.fromkeys(keys))
        cached = {} if self.refresh else self.cache.get_many(namespace, wanted)
        self.http.traffic.cache_hits[self.name] += len(cached)
        return cached, [k for k in wanted if k not in cached]

    def cached_answers(
        self, namespace: str, keys: list[str], read: Callable[[bytes, str], PaperMetadata]
    ) -> tuple[dict[str, Answer], list[str]]:
        cached, missing = self.from_cache(namespace, keys)
        answers: dict[str, Answer] = {
            key: read(entry.body, key) if entry.found and entry.body else UNKNOWN
            for key, entry in cached.items()
        }
        if self.offline:
            answers.update(self.failed(missing, OFFLINE))
            missing = []
        return answers, missing

    @staticmethod
    def json_body(response: httpx.Response) -> Any:
        """The answer's JSON; a garbled body is worth asking for again."""
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise Retryable("unreadable answer (not JSON)") from exc

    def failure(self, reason: str) -> Failed:
        return Failed(f"{SERVICE_NAMES[self.name]}: {reason}")

    def failed(self, keys: list[str], reason: str) -> dict[str, Answer]:
        return {k: self.failure(reason) for k in keys}

    def keep(
        self, namespace: str, batch: list[str], found: dict[str, tuple[PaperMetadata, bytes]]
    ) -> dict[str, Answer]:
        """One answer per key of a batch the service answered (absent: it has no such paper),
        written to the cache."""
        answers: dict[str, Answer] = {}
        entries = {}
        for key in batch:
            hit = found.get(key)
            answers[key] = hit[0] if hit else UNKNOWN
            entries[key] = Entry(hit is not None, hit[1] if hit else None)
        self.cache.put_many(namespace, entries)
        return answers
