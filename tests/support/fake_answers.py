"""What the fake PubMed, Crossref and OpenAlex answer, and how each of them says no.

No sockets here: ``fake_services.py`` serves these answers on 127.0.0.1 and adds the faults,
the rate windows and the request log; a unit test can hand them to ``httpx.MockTransport``.
One class a service, holding what that service publishes: its routes, its limits, the
headers that announce them and the bodies of its refusals. A route is one method, so a new
one (esearch with ``usehistory``, Crossref cursors, OpenAlex ``search``) goes beside the rest.

A fake that ignored a parameter it is not written for would answer another question than the
one asked: Crossref and OpenAlex refuse one with their own 400, as the real ones refuse an
unknown parameter, and the fake esearch any ``retmode`` but json. They refuse too a value
beyond the published caps the client sizes its batches by: Crossref's 1000 rows, OpenAlex's
200 works a page and 100 values a filter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tests.support.fake_corpus import Corpus, FakePaper
from tests.support.fake_formats import (
    crossref_single,
    crossref_work_list,
    openalex_list,
    openalex_work,
    render_efetch_xml,
    render_esearch_json,
)

XML = "text/xml; charset=UTF-8"


class Limit(NamedTuple):
    count: int
    interval: float  # seconds


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_reply(data: Any, status: int = 200, headers: Iterable[tuple[str, str]] = ()) -> Reply:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Reply(status, body, "application/json; charset=utf-8", list(headers))


def text_reply(text: str, status: int, content_type: str = "text/plain") -> Reply:
    return Reply(status, text.encode(), content_type)


_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def error_page(code: int) -> Reply:
    """An injected failure as a web server's HTML error page, whichever service it is."""
    reason = _REASONS.get(code, "Error")
    html = (
        f"<html><head><title>{code} {reason}</title></head>"
        f"<body><center><h1>{code} {reason}</h1></center></body></html>\n"
    )
    return text_reply(html, code, "text/html")


class Service:
    """One service's answers from ``corpus``. ``limits`` are the published rate windows
    (name -> limit), ``concurrency`` the requests it takes at a time (None: no cap)."""

    name = ""
    limits: dict[str, Limit] = {}
    concurrency: int | None = None

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    def answer(self, path: str, params: dict[str, str]) -> Reply:
        """The answer to a request for ``path`` (unquoted) with ``params`` (query and form)."""
        raise NotImplementedError

    def window(self, path: str, params: dict[str, str], client: str) -> tuple[str, str]:
        """Which limit a request counts against, and whose window it fills."""
        (name,) = self.limits
        return name, ""

    def too_many(
        self, limit: Limit, used: int, params: dict[str, str], client: str, why: str
    ) -> Reply:
        """The refusal of a request beyond ``limit`` (``why``: "rate" or "concurrency")."""
        raise NotImplementedError

    def injected_429(self, limit: Limit, params: dict[str, str], client: str) -> Reply:
        """An injected 429: the body this service sends with one."""
        raise NotImplementedError

    def limit_headers(self, limit: Limit, used: int, cap: int | None) -> list[tuple[str, str]]:
        return []


class PubMed(Service):
    """E-utilities: efetch (records by PMID) and esearch (PMIDs for DOI and PMCID terms)."""

    name = "pubmed"
    # per address without a key, per key with one
    limits = {"pubmed": Limit(3, 1.0), "pubmed_api_key": Limit(10, 1.0)}

    def answer(self, path: str, params: dict[str, str]) -> Reply:
        route = path.rstrip("/")
        if route == "/entrez/eutils/efetch.fcgi":
            return self.efetch(params)
        if route == "/entrez/eutils/esearch.fcgi":
            return self.esearch(params)
        return text_reply("Not Found", 404)

    def efetch(self, params: dict[str, str]) -> Reply:
        papers: list[FakePaper] = []
        seen = set()
        for pmid in re.split(r"[,\s]+", params.get("id", "")):
            paper = self.corpus.by_pmid(pmid) if pmid.isdigit() else None
            if paper is not None and paper.in_pubmed and paper.pmid not in seen:
                seen.add(paper.pmid)
                papers.append(paper)
        return text_reply(render_efetch_xml(papers), 200, XML)

    _CLAUSE = re.compile(r'"?([^"\[\]]+?)"?\s*\[(doi|pmcid)\]', re.IGNORECASE)

    def esearch(self, params: dict[str, str]) -> Reply:
        """``term``: clauses ``value[doi]`` or ``value[pmcid]`` joined by OR, the value quoted
        or not; any other clause is a phrase not found."""
        if params.get("retmode") != "json":  # E-utilities' default is XML, not written here
            return text_reply("The fake esearch answers retmode=json only.", 400)
        retmax = max(0, min(10000, int(params.get("retmax", "20"))))
        retstart = max(0, int(params.get("retstart", "0")))
        found: set[int] = set()
        phrases, translated = [], []
        for clause in re.split(r"\s+OR\s+", params.get("term", "").strip()):
            match = self._CLAUSE.fullmatch(clause.strip())
            value, tag = (match.group(1).strip(), match.group(2).upper()) if match else ("", "")
            paper = None
            if tag == "DOI":
                paper = self.corpus.by_doi(value)
            elif tag == "PMCID":
                paper = self.corpus.by_pmcid(value)
            if paper is not None and paper.in_pubmed and paper.pmid:
                found.add(int(paper.pmid))
                translated.append(f"{value}[{tag}]")
            else:
                phrases.append(clause)
        ordered = [str(p) for p in sorted(found)]
        data = render_esearch_json(
            ordered[retstart : retstart + retmax],
            count=len(ordered),
            retstart=retstart,
            query_translation=" OR ".join(translated),
            phrases_not_found=phrases,
        )
        return json_reply(data)

    def window(self, path: str, params: dict[str, str], client: str) -> tuple[str, str]:
        key = params.get("api_key")
        return ("pubmed_api_key", key) if key else ("pubmed", client)

    @staticmethod
    def _limit_body(params: dict[str, str], client: str, count: int, limit: int) -> dict:
        return {
            "error": "API rate limit exceeded",
            "api-key": params.get("api_key") or client or "127.0.0.1",
            "count": str(count),
            "limit": str(limit),
        }

    def too_many(
        self, limit: Limit, used: int, params: dict[str, str], client: str, why: str
    ) -> Reply:
        return json_reply(self._limit_body(params, client, used + 1, limit.count), 429)

    def injected_429(self, limit: Limit, params: dict[str, str], client: str) -> Reply:
        return json_reply(self._limit_body(params, client, limit.count + 1, limit.count), 429)

    def limit_headers(self, limit: Limit, used: int, cap: int | None) -> list[tuple[str, str]]:
        return [
            ("X-RateLimit-Limit", str(limit.count)),
            ("X-RateLimit-Remaining", str(max(0, limit.count - used))),
        ]


def _crossref_failure(kind: str, value: str, message: str) -> Reply:
    body = {
        "status": "failed",
        "message-type": "validation-failure",
        "message": [{"type": kind, "value": value, "message": message}],
    }
    return json_reply(body, 400)


def _crossref_too_many(what: str) -> dict[str, str]:
    return {
        "status": "failed",
        "message-type": "too-many-requests",
        "message": f"Too many {what}. Please slow down.",
    }


class Crossref(Service):
    """The REST API's works: a list filtered by DOIs (``filter=doi:a,doi:b``), or one DOI."""

    name = "crossref"
    # the polite pool (with a mailto): list and single-record requests have their own windows
    limits = {"crossref_list": Limit(3, 1.0), "crossref_single": Limit(10, 1.0)}
    concurrency = 3
    _PARAMS = ("filter", "rows", "mailto")

    def answer(self, path: str, params: dict[str, str]) -> Reply:
        route = path.rstrip("/")
        if route == "/works":
            return self.works(params)
        if route.startswith("/works/"):
            return self.work(path[len("/works/") :])
        return text_reply("Resource not found.", 404)

    def works(self, params: dict[str, str]) -> Reply:
        for name in params:
            if name not in self._PARAMS:
                return _crossref_failure(
                    "unknown-parameter",
                    name,
                    f"Parameter {name} specified but there is no such parameter "
                    "available on this route",
                )
        raw_rows = params.get("rows", "20")
        if not raw_rows.isdigit() or int(raw_rows) > 1000:
            return _crossref_failure(
                "integer-not-valid",
                raw_rows,
                f"Integer specified as {raw_rows} but must be a positive integer "
                "less than or equal to 1000.",
            )
        rows = int(raw_rows)
        raw_filter = params.get("filter")
        if raw_filter is None:
            papers = [p for p in self.corpus if p.in_crossref and p.doi]
        else:
            papers, seen = [], set()
            for part in raw_filter.split(","):
                name, sep, value = part.partition(":")
                name = name.strip()
                if not sep or name != "doi":
                    return _crossref_failure(
                        "unknown-filter",
                        name,
                        f"Filter {name} specified but there is no such filter for this "
                        "route. Valid filters for this route are: doi",
                    )
                paper = self.corpus.by_doi(value)
                if paper is not None and paper.in_crossref and id(paper) not in seen:
                    seen.add(id(paper))
                    papers.append(paper)
        return json_reply(crossref_work_list(papers[:rows], rows=rows, total=len(papers)))

    def work(self, doi: str) -> Reply:
        paper = self.corpus.by_doi(doi)
        if paper is None or not paper.in_crossref:
            return text_reply("Resource not found.", 404)
        return json_reply(crossref_single(paper))

    def window(self, path: str, params: dict[str, str], client: str) -> tuple[str, str]:
        return ("crossref_single" if path.startswith("/works/") else "crossref_list", "")

    def too_many(
        self, limit: Limit, used: int, params: dict[str, str], client: str, why: str
    ) -> Reply:
        retry = str(max(1, int(limit.interval + 0.999)))
        body = _crossref_too_many("concurrent requests" if why == "concurrency" else "requests")
        return json_reply(body, 429, [("Retry-After", retry)])

    def injected_429(self, limit: Limit, params: dict[str, str], client: str) -> Reply:
        return json_reply(_crossref_too_many("requests"), 429)

    def limit_headers(self, limit: Limit, used: int, cap: int | None) -> list[tuple[str, str]]:
        headers = [
            ("X-Rate-Limit-Limit", str(limit.count)),
            ("X-Rate-Limit-Interval", f"{limit.interval:g}s"),
        ]
        if cap is not None:
            headers.append(("X-Concurrency-Limit", str(cap)))
        return headers


def _openalex_failure(message: str) -> Reply:
    return json_reply({"error": "Invalid query parameters error.", "message": message}, 400)


class OpenAlex(Service):
    """Works: a list filtered by DOIs (``filter=doi:a|b``, at most 100), or one DOI (asked for
    a DOI that holds the filter's ``|`` or ``,``)."""

    name = "openalex"
    limits = {"openalex": Limit(10, 1.0)}
    _PARAMS = ("filter", "per-page", "mailto", "api_key")

    def answer(self, path: str, params: dict[str, str]) -> Reply:
        route = path.rstrip("/")
        if route == "/works":
            return self.works(params)
        if route.startswith("/works/"):
            return self.work(path[len("/works/") :])
        return json_reply({"error": "Not Found", "message": "The URL was not found."}, 404)

    def works(self, params: dict[str, str]) -> Reply:
        for name in params:
            if name not in self._PARAMS:
                return _openalex_failure(f"{name} is not a valid parameter.")
        raw_per_page = params.get("per-page", "25")
        if not raw_per_page.isdigit() or not 1 <= int(raw_per_page) <= 200:
            return _openalex_failure("per-page parameter must be between 1 and 200")
        per_page = int(raw_per_page)
        raw_filter = params.get("filter")
        if raw_filter is None:
            papers = [p for p in self.corpus if p.in_openalex]
        else:
            papers, seen = [], set()
            for part in raw_filter.split(","):
                name, sep, value = part.partition(":")
                name = name.strip()
                if not sep or name != "doi":
                    return _openalex_failure(
                        f"{name} is not a valid field. Valid fields here are: doi"
                    )
                values = [v for v in value.split("|") if v.strip()]
                if len(values) > 100:
                    return _openalex_failure(
                        f"Maximum number of values exceeded for {name}. Decrease values to 100 "
                        "or below, or consider using a list of filters."
                    )
                for item in values:
                    paper = self.corpus.by_doi(item)
                    if paper is not None and paper.in_openalex and id(paper) not in seen:
                        seen.add(id(paper))
                        papers.append(paper)
        return json_reply(openalex_list(papers[:per_page], per_page=per_page, total=len(papers)))

    def work(self, doi: str) -> Reply:
        paper = self.corpus.by_doi(doi)
        if paper is None or not paper.in_openalex:
            return json_reply({"error": "404 Not Found", "message": "Work not found."}, 404)
        return json_reply(openalex_work(paper))

    def too_many(
        self, limit: Limit, used: int, params: dict[str, str], client: str, why: str
    ) -> Reply:
        message = f"Too many requests: at most {limit.count} per {limit.interval:g} seconds."
        return json_reply({"error": "Rate limit exceeded", "message": message}, 429)

    def injected_429(self, limit: Limit, params: dict[str, str], client: str) -> Reply:
        return json_reply({"error": "Rate limit exceeded", "message": "Too many requests."}, 429)


SERVICE_TYPES: tuple[type[Service], ...] = (PubMed, Crossref, OpenAlex)
