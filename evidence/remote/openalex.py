"""OpenAlex: works by DOI, up to 100 per OR-ed filter (``doi:a|b|...``), asked only when an
API key is set. It adds ``is_retracted``, PMIDs for papers found by DOI, and abstracts."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import httpx

from evidence.domain.metadata import PaperMetadata
from evidence.errors import InvalidRecord, Retryable, ServiceFailure
from evidence.formats import openalex_json
from evidence.remote.answers import Answer, chunks
from evidence.remote.cache import ResponseCache
from evidence.remote.http import Http
from evidence.remote.limits import Host, Window
from evidence.remote.service import Service
from evidence.settings import Settings

OR_LIMIT = 100  # OpenAlex's cap on values OR-ed in one filter, and the DOIs a list asks for
# OpenAlex's documented range for per-page is 1-100: a page holds a full batch of DOIs, each
# found once; a batch whose works overflow the page (works sharing a DOI) has the DOIs that
# fell off asked for one by one, never taken as unknown to OpenAlex
PER_PAGE = 100
PER_SECOND = 10


def _read(body: bytes, doi: str) -> PaperMetadata:
    return openalex_json.read_work(json.loads(body), record=doi)


class OpenAlex(Service):
    name = "openalex"

    def __init__(
        self, http: Http, cache: ResponseCache, settings: Settings, **options: bool
    ) -> None:
        super().__init__(http, cache, settings, **options)
        self.base = settings.openalex_url
        self.host = Host("openalex", lanes={"default": Window(PER_SECOND, 1.0)}, concurrency=5)
        self.common = {"api_key": settings.openalex_api_key or ""}
        if settings.contact_email:
            self.common["mailto"] = settings.contact_email

    async def works(self, dois: list[str]) -> dict[str, Answer]:
        answers, missing = self.cached_answers("openalex", dois, _read)
        # "|" and "," are the filter's own separators: such DOIs go one by one
        listed = [d for d in missing if "|" not in d and "," not in d]
        single = [d for d in missing if d not in listed]
        parts = await asyncio.gather(
            *(self._list(b) for b in chunks(listed, OR_LIMIT)), *(self._single(d) for d in single)
        )
        for part in parts:
            answers.update(part)
        return answers

    async def _list(self, batch: list[str]) -> dict[str, Answer]:
        params = {
            "filter": "doi:" + "|".join(f"https://doi.org/{d}" for d in batch),
            "per-page": str(PER_PAGE),
            **self.common,
        }

        def handle(response: httpx.Response) -> tuple[list[tuple[PaperMetadata, bytes]], bool]:
            if response.status_code != 200:
                raise ServiceFailure("OpenAlex", f"HTTP {response.status_code}")
            body = self.json_body(response)
            try:
                works = openalex_json.read_work_list(body)
            except InvalidRecord as exc:
                raise Retryable(f"unreadable answer ({exc.problem})") from exc
            raws = body["results"]
            meta = body.get("meta")
            count = meta.get("count") if isinstance(meta, dict) else None
            cut = isinstance(count, int) and count > len(raws)
            return [(w, json.dumps(r).encode()) for w, r in zip(works, raws, strict=True)], cut

        try:
            works, cut = await self.http.request(
                self.host,
                "GET",
                f"{self.base}/works",
                handle=handle,
                endpoint="works (list)",
                params=params,
            )
        except ServiceFailure as exc:
            return self.failed(batch, exc.reason)
        found = {w.doi: (w, raw) for w, raw in works if w.doi}
        if not cut:
            return self.keep("openalex", batch, found)
        off_the_page = [d for d in batch if d not in found]
        answers = self.keep("openalex", [d for d in batch if d in found], found)
        for part in await asyncio.gather(*(self._single(d) for d in off_the_page)):
            answers.update(part)
        return answers

    async def _single(self, doi: str) -> dict[str, Answer]:
        def handle(response: httpx.Response) -> tuple[PaperMetadata, bytes] | None:
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise ServiceFailure("OpenAlex", f"HTTP {response.status_code} for {doi}")
            body = self.json_body(response)
            try:
                return openalex_json.read_work(body), json.dumps(body).encode()
            except InvalidRecord as exc:
                raise Retryable(f"unreadable answer ({exc.problem})") from exc

        try:
            hit = await self.http.request(
                self.host,
                "GET",
                f"{self.base}/works/{quote('https://doi.org/' + doi, safe='/:')}",
                handle=handle,
                endpoint="works/{doi}",
                params=self.common,
            )
        except ServiceFailure as exc:
            return self.failed([doi], exc.reason)
        return self.keep("openalex", [doi], {doi: hit} if hit else {})
