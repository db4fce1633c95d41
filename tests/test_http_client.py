"""remote/http.py through an injected client (httpx.MockTransport): retries, waits, pacing
and failures without a socket. The real 127.0.0.1 stand-ins cover the services themselves
(tests/support/fake_services.py); these cover what the transport layer decides (issue 15),
first for one request, then for `lookup` answered by the same fakes' answers in-process."""

from __future__ import annotations

import asyncio
import socket
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest

from evidence import settings as evidence_settings
from evidence.errors import Retryable, ServiceFailure
from evidence.remote.http import Http, Traffic, make_client, user_agent
from evidence.remote.limits import Host, Window
from evidence.remote.resolver import Query, resolve
from evidence.services.metadata.lookups import lookup_row
from tests.support.fake_answers import Crossref, OpenAlex, PubMed
from tests.support.fake_corpus import Corpus, make_corpus

Handler = Callable[[httpx.Request], httpx.Response]


def run(handler: Handler, *, retries: int = 3, handle: Callable | None = None):  # noqa: ANN201
    """One request through a fresh Http over ``handler``: (result or error, traffic, seen)."""
    settings = evidence_settings.from_environment(
        {"EVIDENCE_DATA_DIR": str(Path("/nonexistent")), "EVIDENCE_HTTP_RETRIES": str(retries),
         "EVIDENCE_CONTACT_EMAIL": "curator@example.org"}
    )  # fmt: skip
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    async def go():  # noqa: ANN202
        traffic = Traffic()
        client = make_client(settings, httpx.MockTransport(recording))
        http = Http(settings, traffic, backoff=0.001, client=client)
        host = Host("crossref", lanes={"default": Window(50, 1.0)}, concurrency=2)
        try:
            result = await http.request(
                host, "GET", "https://api.crossref.org/works/10.5555/x",
                handle=handle or (lambda r: r.json()), endpoint="works",
            )  # fmt: skip
        except ServiceFailure as exc:
            result = exc
        finally:
            await http.aclose()
            closed = client.is_closed
            await client.aclose()
        return result, traffic, closed

    result, traffic, closed = asyncio.run(go())
    assert not closed, "a client handed in is its owner's to close"
    return result, traffic, seen


def answers(*responses: httpx.Response) -> Handler:
    queue = list(responses)
    return lambda request: queue.pop(0) if len(queue) > 1 else queue[0]


def test_an_answer_comes_back_with_our_user_agent() -> None:
    result, traffic, seen = run(answers(httpx.Response(200, json={"status": "ok"})))
    assert result == {"status": "ok"}
    assert seen[0].headers["User-Agent"] == user_agent(
        evidence_settings.from_environment({"EVIDENCE_CONTACT_EMAIL": "curator@example.org"})
    )
    assert "mailto:curator@example.org" in seen[0].headers["User-Agent"]
    assert (traffic.requests["crossref"], traffic.retries["crossref"]) == (1, 0)


def test_a_429_is_retried_after_the_wait_it_names_and_counted() -> None:
    result, traffic, seen = run(
        answers(
            httpx.Response(429, headers={"Retry-After": "0"}),
            httpx.Response(200, json={"n": 1}),
        )
    )
    assert result == {"n": 1} and len(seen) == 2
    assert traffic.rate_limited["crossref"] == 1 and traffic.retries["crossref"] == 1


def test_server_errors_are_retried_then_fail_with_the_reason_and_the_count() -> None:
    result, traffic, seen = run(answers(httpx.Response(503)), retries=2)
    assert isinstance(result, ServiceFailure)
    assert "HTTP 503 from the service (gave up after 3 attempts)" in str(result)
    assert len(seen) == 3 and traffic.retries["crossref"] == 2


def test_a_wait_longer_than_two_minutes_fails_at_once() -> None:
    result, _, seen = run(answers(httpx.Response(503, headers={"Retry-After": "3600"})))
    assert isinstance(result, ServiceFailure) and "asked to wait 3600 s" in str(result)
    assert len(seen) == 1


def test_a_timeout_is_retried_and_said_in_seconds() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    result, _, seen = run(slow, retries=1)
    assert isinstance(result, ServiceFailure) and "no answer within 30 s" in str(result)
    assert len(seen) == 2
    assert isinstance(result.__cause__, Retryable)


def test_a_name_that_does_not_resolve_is_not_retried() -> None:
    def nowhere(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("lookup failed", request=request) from socket.gaierror(
            -2, "Name or service not known"
        )

    result, _, seen = run(nowhere, retries=4)
    assert isinstance(result, ServiceFailure) and "the name does not resolve" in str(result)
    assert len(seen) == 1


def test_an_answer_the_reader_cannot_read_fails_this_request_only() -> None:
    result, _, seen = run(answers(httpx.Response(200, text="not json")))
    assert isinstance(result, ServiceFailure) and "unreadable answer (JSONDecodeError" in str(
        result
    )
    assert len(seen) == 1


def test_a_reader_that_asks_again_is_retried() -> None:
    calls = []

    def picky(response: httpx.Response) -> str:
        calls.append(response)
        if len(calls) == 1:
            raise Retryable("half an answer")
        return "whole"

    result, _, seen = run(answers(httpx.Response(200, text="x")), handle=picky)
    assert result == "whole" and len(seen) == 2


def test_without_a_client_http_makes_and_closes_its_own() -> None:
    async def go() -> bool:
        http = Http(evidence_settings.from_environment({}), Traffic())
        client = http._client
        await http.aclose()
        return client.is_closed

    assert asyncio.run(go())


@pytest.mark.parametrize("status", [400, 404])
def test_a_final_answer_is_left_to_the_reader(status: int) -> None:
    result, _, seen = run(answers(httpx.Response(status)), handle=lambda r: r.status_code)
    assert result == status and len(seen) == 1


def test_resolve_goes_through_an_injected_transport(tmp_path: Path) -> None:
    """The whole path, PubMed's efetch and Crossref's list endpoint, with no socket opened."""
    efetch = (Path(__file__).parent / "fixtures" / "pubmed_efetch_synthetic.xml").read_bytes()
    asked: list[str] = []

    def services(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.url.host}{request.url.path}")
        if request.url.path.endswith("/efetch.fcgi"):
            return httpx.Response(200, content=efetch, headers={"Content-Type": "text/xml"})
        return httpx.Response(200, json={"status": "ok", "message": {"items": []}})

    settings = evidence_settings.from_environment({"EVIDENCE_DATA_DIR": str(tmp_path)})
    report = resolve(
        [Query.parse("90000101")], settings, backoff=0.001, transport=httpx.MockTransport(services)
    )
    (found,) = report.resolutions
    assert found.status == "found" and found.metadata is not None
    assert found.metadata.title.startswith("Calf stretching for")
    assert "eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi" in asked


# -- lookup without a socket ----------------------------------------------------------------
# The faults tests/test_lookup.py leaves to MockTransport: it keeps one of each family (429,
# 5xx, truncated, slow) for each service, over sockets.

Fault = Callable[[httpx.Response], httpx.Response]  # the answer due -> the answer given
HOSTS = {
    "eutils.ncbi.nlm.nih.gov": PubMed,
    "api.crossref.org": Crossref,
    "api.openalex.org": OpenAlex,
}


class Services:
    """The fake services' answers as a MockTransport handler, routed on the host. A request
    to a service with faults queued takes the next one."""

    def __init__(self, corpus: Corpus) -> None:
        self.answers = {host: kind(corpus) for host, kind in HOSTS.items()}
        self.faults: defaultdict[str, list[Fault]] = defaultdict(list)
        self.seen: Counter[str] = Counter()

    def inject(self, service: str, *faults: Fault) -> None:
        self.faults[service].extend(faults)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        service = self.answers[request.url.host]
        self.seen[service.name] += 1
        params = dict(request.url.params)
        if request.headers.get("Content-Type") == "application/x-www-form-urlencoded":
            params.update(parse_qsl(request.content.decode()))
        reply = service.answer(request.url.path, params)
        response = httpx.Response(
            reply.status,
            content=reply.body,
            headers=[("Content-Type", reply.content_type), *reply.headers],
        )
        queued = self.faults[service.name]
        return queued.pop(0)(response) if queued else response


def refusal(status: int, retry_after: str | None = None) -> Fault:
    """An answer of ``status`` instead: the client reads its status and Retry-After only."""
    headers = {"Retry-After": retry_after} if retry_after else {}
    return lambda _: httpx.Response(status, headers=headers)


def cut_in_half(response: httpx.Response) -> httpx.Response:
    """Status 200, a whole Content-Length, half the body: XML or JSON that does not parse."""
    body = response.content[: len(response.content) // 2]
    return httpx.Response(
        200, content=body, headers={"Content-Type": response.headers["Content-Type"]}
    )


def rate_limit_200(_: httpx.Response) -> httpx.Response:
    """NCBI's rate-limit error, as E-utilities sometimes sends it: with status 200."""
    body = {"error": "API rate limit exceeded", "api-key": "127.0.0.1", "count": "4", "limit": "3"}
    return httpx.Response(200, json=body)


def looked_up(services: Services, data: Path, *identifiers: str, **env: str) -> list[dict]:
    """`lookup`'s rows (lookup() is resolve() of the parsed inputs), with test_lookup.py's
    settings: 1 s timeouts, 3 retries, a contact address and a short backoff."""
    settings = evidence_settings.from_environment(
        {"EVIDENCE_DATA_DIR": str(data), "EVIDENCE_CONTACT_EMAIL": "curator@example.org",
         "EVIDENCE_HTTP_TIMEOUT": "1", "EVIDENCE_HTTP_RETRIES": "3", **env}
    )  # fmt: skip
    queries = [Query.parse(text) for text in identifiers]
    report = resolve(queries, settings, backoff=0.05, transport=httpx.MockTransport(services))
    return [lookup_row(r) for r in report.resolutions]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return make_corpus(110, 10)


@pytest.mark.parametrize(
    "fault",
    [refusal(429), refusal(500), cut_in_half, rate_limit_200],
    ids=["429", "500", "invalid", "rate-limit-200"],
)
def test_pubmed_faults_are_retried(corpus: Corpus, tmp_path: Path, fault: Fault) -> None:
    paper = corpus.pubmed_papers()[40]
    services = Services(corpus)
    services.inject("pubmed", fault)
    (row,) = looked_up(services, tmp_path, paper.pmid)
    assert row["status"] == "found" and row["error"] is None, row
    assert services.seen["pubmed"] == 2


@pytest.mark.parametrize("fault", [refusal(500), cut_in_half], ids=["500", "invalid"])
def test_crossref_and_openalex_faults_are_retried(
    corpus: Corpus, tmp_path: Path, fault: Fault
) -> None:
    paper = corpus.crossref_retracted
    services = Services(corpus)
    services.inject("crossref", fault)
    services.inject("openalex", fault)
    (row,) = looked_up(services, tmp_path, paper.doi, EVIDENCE_OPENALEX_API_KEY="synthetic-key")
    assert row["status"] == "found" and row["retraction"] == "retracted", row
    assert row["error"] is None
    assert services.seen["crossref"] == 2 and services.seen["openalex"] == 2


def test_retries_are_bounded_and_the_failure_is_reported(corpus: Corpus, tmp_path: Path) -> None:
    paper = corpus.pubmed_papers()[41]
    services = Services(corpus)
    services.inject("pubmed", *[refusal(503)] * 10)
    (row,) = looked_up(services, tmp_path, paper.pmid)
    assert row["status"] == "error"
    assert row["error"] == "PubMed: HTTP 503 from the service (gave up after 4 attempts)"
    assert services.seen["pubmed"] == 4


@pytest.mark.parametrize(
    ("status", "index"),
    [(429, 42), (503, 104)],
    ids=[
        "a long retry-after fails the batch instead of hanging",
        "a 5xx asking for a long wait fails fast",
    ],
)
def test_a_long_wait_asked_for_fails_the_batch_instead_of_hanging(
    corpus: Corpus, tmp_path: Path, status: int, index: int
) -> None:
    services = Services(corpus)
    services.inject("pubmed", refusal(status, retry_after="3600"))
    started = time.monotonic()
    (row,) = looked_up(services, tmp_path, corpus.pubmed_papers()[index].pmid)
    assert time.monotonic() - started < 5
    assert row["status"] == "error" and "asked to wait 3600 s" in row["error"]
