"""PubMed E-utilities: efetch for records by PMID, esearch to find the PMID of a DOI or PMCID.

NCBI's rules: at most 3 requests a second without an API key and 10 with one; ``tool`` and
``email`` identify the caller; lists of more than about 200 UIDs go by POST. The article's own
identifiers are read from ``PubmedData/ArticleIdList`` (see ``formats.pubmed_xml``).
"""

from __future__ import annotations

import asyncio
import io
import json

import httpx

from evidence.domain.metadata import PaperMetadata
from evidence.errors import InvalidRecord, Retryable, ServiceFailure
from evidence.formats.eutils_json import rate_limit_error, read_esearch
from evidence.formats.pubmed_xml import PubmedRecord, read_pubmed_xml, wrap_articles
from evidence.remote.answers import OFFLINE, UNKNOWN, Answer, Failed, chunks
from evidence.remote.cache import Entry, ResponseCache
from evidence.remote.http import Http
from evidence.remote.limits import Host, Window
from evidence.remote.service import Service
from evidence.settings import Settings

EFETCH_BATCH = 200  # ids per efetch request
GET_MAX_IDS = 200  # above this, NCBI asks for POST
ESEARCH_BATCH = 100  # DOIs or PMCIDs OR-ed into one search term
TOOL = "evidence"
# publication types of notices that share the DOI of the paper they are about
_NOTICE_TYPES = {"published erratum", "retraction of publication", "expression of concern"}


def _snippet(response: httpx.Response) -> str:
    text = " ".join(response.text[:200].split())
    return f"HTTP {response.status_code}" + (f": {text}" if text else "")


class PubMed(Service):
    name = "pubmed"

    def __init__(
        self, http: Http, cache: ResponseCache, settings: Settings, **options: bool
    ) -> None:
        super().__init__(http, cache, settings, **options)
        self.base = settings.pubmed_url
        per_second = 10 if settings.ncbi_api_key else 3
        self.host = Host("pubmed", lanes={"default": Window(per_second, 1.0)}, concurrency=3)
        self.common = {"tool": TOOL}
        if settings.contact_email:
            self.common["email"] = settings.contact_email
        if settings.ncbi_api_key:
            self.common["api_key"] = settings.ncbi_api_key

    # -- efetch ---------------------------------------------------------------------------

    async def fetch(self, pmids: list[str]) -> dict[str, Answer]:
        """Each PMID's record (UNKNOWN if PubMed has none), asking only for what is not cached."""
        cached, missing = self.from_cache("pubmed", pmids)
        answers: dict[str, Answer] = {}
        raws = [e.body for e in cached.values() if e.found and e.body]
        kept = {
            r.pmid: r
            for r in read_pubmed_xml(io.BytesIO(wrap_articles(raws)), name="cache")
            if isinstance(r, PubmedRecord)
        }
        for pmid in cached:
            record = kept.get(pmid)
            answers[pmid] = record.to_metadata() if record is not None else UNKNOWN
        if self.offline:
            answers.update(self.failed(missing, OFFLINE))
        else:
            batches = chunks(missing, EFETCH_BATCH)
            for part in await asyncio.gather(*(self._efetch(b) for b in batches)):
                answers.update(part)
        return answers

    async def _efetch(self, batch: list[str]) -> dict[str, Answer]:
        params = {"db": "pubmed", "id": ",".join(batch), "retmode": "xml", **self.common}
        post = len(batch) > GET_MAX_IDS

        def handle(response: httpx.Response) -> list[PubmedRecord]:
            if response.status_code != 200:
                raise ServiceFailure("PubMed", _snippet(response))
            body = response.content
            limited = rate_limit_error(body)
            if limited:
                raise self.http.rate_limited(self.host, f"PubMed said {limited!r}", None)
            try:
                return [
                    r
                    for r in read_pubmed_xml(io.BytesIO(body), name="efetch answer", keep_raw=True)
                    if isinstance(r, PubmedRecord)
                ]
            except InvalidRecord as exc:
                raise Retryable(f"unreadable answer ({exc.problem})") from exc

        try:
            records = await self.http.request(
                self.host,
                "POST" if post else "GET",
                f"{self.base}/efetch.fcgi",
                handle=handle,
                endpoint="efetch",
                params=None if post else params,
                data=params if post else None,
            )
        except ServiceFailure as exc:
            return self.failed(batch, exc.reason)
        found = {r.pmid: (r.to_metadata(), r.raw or b"") for r in records if r.pmid}
        return self.keep("pubmed", batch, found)

    # -- esearch --------------------------------------------------------------------------

    async def find(self, field: str, values: list[str]) -> dict[str, Answer]:
        """Records for DOIs (``field="doi"``) or PMCIDs (``"pmcid"``) through the PMIDs PubMed
        gives them; UNKNOWN where PubMed has no such paper."""
        namespace = f"pubmed-{field}"
        cached, missing = self.from_cache(namespace, values)
        pmid_of: dict[str, str | None] = {
            v: (e.body.decode() if e.found and e.body else None) for v, e in cached.items()
        }
        answers: dict[str, Answer] = {}
        records: dict[str, Answer] = {}
        if self.offline:
            answers.update(self.failed(missing, OFFLINE))
        else:
            searched = await asyncio.gather(
                *(self._search(field, b) for b in chunks(missing, ESEARCH_BATCH))
            )
            for mapping, fetched in searched:
                records.update(fetched)
                for value, outcome in mapping.items():
                    if isinstance(outcome, Failed):
                        answers[value] = outcome
                    else:
                        pmid_of[value] = outcome
        records.update(await self.fetch([p for p in pmid_of.values() if p and p not in records]))
        for value, pmid in pmid_of.items():
            answers[value] = records.get(pmid, UNKNOWN) if pmid else UNKNOWN
        return answers

    async def _search(
        self, field: str, batch: list[str]
    ) -> tuple[dict[str, str | None | Failed], dict[str, Answer]]:
        quote = (lambda v: f'"{v}"') if field == "doi" else (lambda v: v)
        terms = [f"{quote(v)}[{field}]" for v in batch if '"' not in v]
        params = {
            "db": "pubmed",
            "term": " OR ".join(terms),
            "retmode": "json",
            "retmax": str(max(20, 3 * len(batch))),
            **self.common,
        }

        def handle(response: httpx.Response) -> list[str]:
            if response.status_code != 200:
                raise ServiceFailure("PubMed", _snippet(response))
            limited = rate_limit_error(response.content)
            if limited:
                raise self.http.rate_limited(self.host, f"PubMed said {limited!r}", None)
            try:
                body = json.loads(response.content)
            except ValueError as exc:
                raise Retryable("unreadable search answer (not JSON)") from exc
            try:
                return read_esearch(body)
            except InvalidRecord as exc:  # PubMed refused the search: asking again won't help
                raise ServiceFailure("PubMed", exc.problem) from exc

        if not terms:
            return {v: None for v in batch}, {}
        try:
            pmids = await self.http.request(
                self.host,
                "POST",
                f"{self.base}/esearch.fcgi",
                handle=handle,
                endpoint="esearch",
                data=params,
            )
        except ServiceFailure as exc:
            return {value: self.failure(exc.reason) for value in batch}, {}
        # esearch does not say which hit matched which term: the records' own ids do
        records = await self.fetch(pmids)
        matches: dict[str, list[PaperMetadata]] = {}
        for record in records.values():
            if isinstance(record, PaperMetadata):
                key = record.doi if field == "doi" else record.pmcid
                if key:
                    matches.setdefault(key, []).append(record)
        found: dict[str, str | None | Failed] = {}
        failures = [r for r in records.values() if isinstance(r, Failed)]
        for value in batch:
            candidates = matches.get(value)
            if candidates:
                found[value] = min(candidates, key=_preference).pmid
            elif failures:  # the record that would have matched may be among the failed
                found[value] = failures[0]
            else:
                found[value] = None
        self.cache.put_many(
            f"pubmed-{field}",
            {
                v: Entry(p is not None, p.encode() if p else None)
                for v, p in found.items()
                if not isinstance(p, Failed)
            },
        )
        return found, records


def _preference(record: PaperMetadata) -> tuple[bool, int]:
    """The paper itself before a notice about it that shares its DOI; then the oldest PMID."""
    notice = any(t.casefold() in _NOTICE_TYPES for t in record.publication_types)
    return (notice, int(record.pmid or 0))
