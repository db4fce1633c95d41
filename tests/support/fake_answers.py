"""What the fake PubMed, Crossref and OpenAlex answer, and how each of them says no.

No sockets here: ``fake_services.py`` serves these answers on 127.0.0.1 and adds the faults,
the rate windows and the request log; a unit test can hand them to ``httpx.MockTransport``.
One class a service, holding what that service publishes: its routes, its limits, the
headers that announce them and the bodies of its refusals. A route is one method. Searches
(esearch with ``usehistory`` and efetch from the history server, Crossref's ``query`` with a
cursor, OpenAlex's ``search`` with a cursor) keep what the real services keep between
requests, and lose it as they do (:attr:`PubMed.history_uses`, :attr:`Crossref.cursor_uses`).

A fake that ignored a parameter it is not written for would answer another question than the
one asked: Crossref and OpenAlex refuse one with their own 400, as the real ones refuse an
unknown parameter, and the fake esearch any ``retmode`` but json. They refuse too a value
beyond the published caps the client sizes its batches by: Crossref's 1000 rows, OpenAlex's
100 works a page and 100 values a filter, efetch's 10,000 records a request.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tests.support.fake_corpus import Corpus, FakePaper
from tests.support.fake_formats import (
    OPENALEX_WORK_FIELDS,
    crossref_single,
    crossref_work_list,
    openalex_list,
    openalex_work,
    render_efetch_error,
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


@dataclass
class _History:
    """One search kept on the fake history server: its PMIDs, and how many more efetch
    requests it serves before it is forgotten (None: as many as asked)."""

    pmids: list[str]
    uses_left: int | None


class PubMed(Service):
    """E-utilities: efetch (records by PMID, or from a search kept on the history server) and
    esearch (PMIDs for DOI and PMCID terms, or for a text search, kept with ``usehistory=y``).

    The history server holds at most the first 10,000 PMIDs of a search, as PubMed's does.
    ``history_uses`` makes every WebEnv handed out from then on serve that many efetch
    requests and then be forgotten, as NCBI forgets a WebEnv after a while; efetch then
    answers its ``<eFetchResult><ERROR>`` with ``history_error_status``.
    """

    name = "pubmed"
    # per address without a key, per key with one
    limits = {"pubmed": Limit(3, 1.0), "pubmed_api_key": Limit(10, 1.0)}
    HISTORY_MAX = 10000  # PMIDs of a search the history server keeps
    EFETCH_MAX = 10000  # records one efetch may ask for (retmax)

    def __init__(self, corpus: Corpus) -> None:
        super().__init__(corpus)
        self.history_uses: int | None = None
        self.history_error_status = 200
        self._history: dict[str, _History] = {}
        self._webenvs = itertools.count(0x6A9FBE6DE7945A8899092570)
        self._lock = threading.Lock()

    def answer(self, path: str, params: dict[str, str]) -> Reply:
        route = path.rstrip("/")
        if route == "/entrez/eutils/efetch.fcgi":
            return self.efetch(params)
        if route == "/entrez/eutils/esearch.fcgi":
            return self.esearch(params)
        return text_reply("Not Found", 404)

    def efetch(self, params: dict[str, str]) -> Reply:
        if "id" not in params and "WebEnv" in params:
            return self._efetch_history(params)
        papers: list[FakePaper] = []
        seen = set()
        for pmid in re.split(r"[,\s]+", params.get("id", "")):
            paper = self.corpus.by_pmid(pmid) if pmid.isdigit() else None
            if paper is not None and paper.in_pubmed and paper.pmid not in seen:
                seen.add(paper.pmid)
                papers.append(paper)
        return text_reply(render_efetch_xml(papers), 200, XML)

    def _efetch_history(self, params: dict[str, str]) -> Reply:
        """Records ``retstart`` to ``retstart + retmax`` of a search on the history server."""
        try:
            retstart = int(params.get("retstart", "0"))
            retmax = int(params.get("retmax", "20"))
        except ValueError:
            return text_reply("retstart and retmax must be integers", 400)
        if retmax > self.EFETCH_MAX or retstart < 0 or retmax < 0:
            return text_reply(f"retmax must be 0 to {self.EFETCH_MAX}", 400)
        with self._lock:
            kept = self._history.get(params["WebEnv"])
            if kept is None or params.get("query_key") != "1":
                return text_reply(
                    render_efetch_error(f"Unable to obtain query #{params.get('query_key')}"),
                    self.history_error_status,
                    XML,
                )
            if kept.uses_left is not None:
                kept.uses_left -= 1
                if kept.uses_left <= 0:  # this answer is its last
                    del self._history[params["WebEnv"]]
            pmids = kept.pmids[retstart : retstart + retmax]
        papers = [p for p in (self.corpus.by_pmid(pmid) for pmid in pmids) if p is not None]
        return text_reply(render_efetch_xml(papers), 200, XML)

    def _keep(self, pmids: list[str]) -> tuple[str, str]:
        """A new WebEnv holding ``pmids``; its query key is always 1 (one search each)."""
        with self._lock:
            webenv = f"MCID_{next(self._webenvs):024x}"
            self._history[webenv] = _History(pmids[: self.HISTORY_MAX], self.history_uses)
        return "1", webenv

    _CLAUSE = re.compile(r'"?([^"\[\]]+?)"?\s*\[(doi|pmcid)\]', re.IGNORECASE)

    def esearch(self, params: dict[str, str]) -> Reply:
        """``term``: clauses ``value[doi]`` or ``value[pmcid]`` joined by OR, the value quoted
        or not, any other clause a phrase not found; or, when not every clause is one of
        those, a text search (``fake_corpus.search_terms``). ``usehistory=y`` keeps the hits
        on the history server and answers their WebEnv and query key."""
        if params.get("retmode") != "json":  # E-utilities' default is XML, not written here
            return text_reply("The fake esearch answers retmode=json only.", 400)
        retmax = max(0, min(10000, int(params.get("retmax", "20"))))
        retstart = max(0, int(params.get("retstart", "0")))
        term = params.get("term", "").strip()
        if not term:  # what E-utilities say to an empty term
            refusal = {"ERROR": "Empty term and query_key - nothing todo"}
            return json_reply({"esearchresult": refusal})
        clauses = re.split(r"\s+OR\s+", term)
        if not all(self._CLAUSE.fullmatch(c.strip()) for c in clauses):
            hits = self.corpus.search(term, lambda p: bool(p.in_pubmed and p.pmid))
            ordered = [p.pmid or "" for p in hits]
            history = self._keep(ordered) if params.get("usehistory") == "y" else None
            data = render_esearch_json(
                ordered[retstart : retstart + retmax],
                count=len(ordered),
                retstart=retstart,
                query_translation=term,
                history=history,
            )
            return json_reply(data)
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
            history=self._keep(ordered) if params.get("usehistory") == "y" else None,
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


@dataclass
class _Scroll:
    """One deep-paging cursor: the works it pages through, and where it is."""

    papers: list[FakePaper]
    rows: int
    query: str | None
    position: int = 0
    uses_left: int | None = None


class Crossref(Service):
    """The REST API's works: a list filtered by DOIs (``filter=doi:a,doi:b``), found by a
    ``query``, or paged through with ``cursor``; or one DOI.

    A cursor is a scroll on Crossref's search cluster, not a bookmark: each request with it
    returns the next page and moves it on, so asking again with the same cursor (a retry
    after a lost answer) skips a page, and the ``next-cursor`` given back is the same string.
    The page size is the one the first request (``cursor=*``) asked for. ``cursor_uses``
    makes the next ``expiring_cursors`` cursors (None: every one) serve that many pages
    after the first and then be forgotten (Crossref's expire when idle for a few minutes): a
    request with a forgotten cursor is answered 404, ``Resource not found.``
    """

    name = "crossref"
    # the polite pool (with a mailto): list and single-record requests have their own windows
    limits = {"crossref_list": Limit(3, 1.0), "crossref_single": Limit(10, 1.0)}
    concurrency = 3
    _PARAMS = ("filter", "rows", "mailto", "query", "cursor")

    def __init__(self, corpus: Corpus) -> None:
        super().__init__(corpus)
        self.cursor_uses: int | None = None
        self.expiring_cursors: int | None = None
        self._scrolls: dict[str, _Scroll] = {}
        self._scroll_ids = itertools.count(1)
        self._lock = threading.Lock()

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
        cursor = params.get("cursor")
        if cursor is not None and cursor != "*":
            return self._scroll(cursor)
        raw_filter = params.get("filter")
        query = params.get("query")
        if query is not None:
            if raw_filter is not None:
                return _crossref_failure(
                    "unknown-filter", raw_filter, "The fake does not filter a query's works."
                )
            papers = self.corpus.search(query, lambda p: bool(p.in_crossref and p.doi))
        elif raw_filter is None:
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
        if cursor == "*":
            with self._lock:
                uses = self.cursor_uses
                if self.expiring_cursors is not None:
                    if self.expiring_cursors <= 0:
                        uses = None
                    self.expiring_cursors -= 1
                scroll = _Scroll(papers, rows, query, uses_left=uses)
                # the shape of an Elasticsearch scroll id ("queryThenFetch" ...), as Crossref's
                scroll_id = base64.b64encode(
                    b"\x16queryThenFetch" + next(self._scroll_ids).to_bytes(8, "big")
                ).decode()
                self._scrolls[scroll_id] = scroll
            return self._page(scroll_id, scroll)
        page = crossref_work_list(papers[:rows], rows=rows, total=len(papers), query=query)
        return json_reply(page)

    def _scroll(self, scroll_id: str) -> Reply:
        with self._lock:
            scroll = self._scrolls.get(scroll_id)
            if scroll is not None and scroll.uses_left is not None:
                scroll.uses_left -= 1
                if scroll.uses_left < 0:
                    del self._scrolls[scroll_id]
                    scroll = None
        if scroll is None:
            return text_reply("Resource not found.", 404)
        return self._page(scroll_id, scroll)

    def _page(self, scroll_id: str, scroll: _Scroll) -> Reply:
        with self._lock:
            start = scroll.position
            scroll.position += scroll.rows
        items = scroll.papers[start : start + scroll.rows]
        page = crossref_work_list(
            items,
            rows=scroll.rows,
            total=len(scroll.papers),
            query=scroll.query,
            next_cursor=scroll_id,
        )
        return json_reply(page)

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
    """Works: a list filtered by DOIs (``filter=doi:a|b``, at most 100) or found by a
    ``search``, a page at a time (``cursor``) and with only some fields (``select``); or one
    DOI (asked for a DOI that holds the filter's ``|`` or ``,``).

    Its cursors are bookmarks (they encode where the last page ended): asking again with one
    gives the same page. The page after the last has no results and a null ``next_cursor``.
    """

    name = "openalex"
    limits = {"openalex": Limit(10, 1.0)}
    _PARAMS = ("filter", "per-page", "per_page", "mailto", "api_key", "search", "cursor", "select")
    # OpenAlex's documented per-page range (developers.openalex.org, paging): a client asking
    # more gets the real service's 400, so a test catches it rather than production
    MAX_PER_PAGE = 100

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
        raw_per_page = params.get("per-page", params.get("per_page", "25"))
        if not raw_per_page.isdigit() or not 1 <= int(raw_per_page) <= self.MAX_PER_PAGE:
            return _openalex_failure(
                f"per-page parameter must be between 1 and {self.MAX_PER_PAGE}"
            )
        per_page = int(raw_per_page)
        select = None
        if "select" in params:
            select = [name.strip() for name in params["select"].split(",") if name.strip()]
            wrong = [name for name in select if name not in OPENALEX_WORK_FIELDS]
            if wrong or not select:
                return _openalex_failure(f"{(wrong or [''])[0]} is not a valid select field.")
        offset = 0
        cursor = params.get("cursor")
        if cursor is not None and cursor != "*":
            try:
                offset = int(json.loads(base64.b64decode(cursor, validate=True))[0])
            except (ValueError, TypeError, IndexError, KeyError):
                return _openalex_failure(f"{cursor} is not a valid cursor.")
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
        if "search" in params:
            found = self.corpus.search(params["search"], lambda p: bool(p.in_openalex))
            papers = [p for p in papers if p in found] if raw_filter is not None else found
        if cursor is None:
            page = openalex_list(
                papers[:per_page], per_page=per_page, total=len(papers), select=select
            )
            return json_reply(page)
        results = papers[offset : offset + per_page]
        after = offset + len(results)
        # what a real one holds (the sort key of the page's last work), as base64 JSON
        next_cursor = (
            base64.b64encode(json.dumps([after, f"https://openalex.org/W{after}"]).encode())
            if results
            else None
        )
        page = openalex_list(
            results,
            per_page=per_page,
            total=len(papers),
            cursor=True,
            next_cursor=next_cursor.decode() if next_cursor else None,
            select=select,
        )
        return json_reply(page)

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
