"""Stand-ins for PubMed E-utilities, the Crossref REST API and OpenAlex, served over real HTTP.

For the integration tests and the benchmark: the client talks to three local
``ThreadingHTTPServer`` instances (one per service, each its own ``host:port``) as it would
to the real services, so the sockets path is exercised: timeouts, dropped connections,
pacing against a server that counts. Unit tests of the client's decisions use
``httpx.MockTransport`` instead (tests/test_http_client.py). Standard library only.

The servers answer with ``fake_answers.py`` (which renders the papers of a
``fake_corpus.Corpus``) and add what only a server can do: a request log, latency, the
services' rate and concurrency limits (sliding windows, answered with 429) and injected
faults (:func:`status`, :func:`slow`, :func:`truncated`), and the state the services keep
between requests running out: a WebEnv the history server forgets (:meth:`FakeServices.
expire_history`), a Crossref cursor that expires (:meth:`FakeServices.expire_cursors`).
"""

from __future__ import annotations

import contextlib
import re
import socket
import socketserver
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.support.fake_answers import (
    SERVICE_TYPES,
    Limit,
    Reply,
    Service,
    error_page,
    text_reply,
)
from tests.support.fake_answers import Crossref as CrossrefAnswers
from tests.support.fake_answers import PubMed as PubMedAnswers
from tests.support.fake_corpus import Corpus, strip_doi

SERVICES = tuple(kind.name for kind in SERVICE_TYPES)
DEFAULT_LIMITS: dict[str, Limit] = {
    name: limit for kind in SERVICE_TYPES for name, limit in kind.limits.items()
}
DEFAULT_CONCURRENCY: dict[str, int | None] = {kind.name: kind.concurrency for kind in SERVICE_TYPES}
_LIMIT_SERVICE = {name: kind.name for kind in SERVICE_TYPES for name in kind.limits}

# --------------------------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour; build with :func:`status`, :func:`slow` or :func:`truncated`."""

    kind: str  # status | slow | truncated
    code: int = 200
    retry_after: str | None = None
    body: bytes | None = None
    content_type: str | None = None
    seconds: float = 0.0


def status(
    code: int,
    retry_after: float | str | None = None,
    body: bytes | str | None = None,
    content_type: str | None = None,
) -> Fault:
    """Answer with HTTP ``code``: ``body`` (of ``content_type``) if given, else the service's
    own refusal for a 429 and an HTML error page for anything else."""
    if isinstance(body, str):
        body = body.encode()
    return Fault(
        "status",
        code=code,
        retry_after=None if retry_after is None else str(retry_after),
        body=body,
        content_type=content_type,
    )


def slow(seconds: float) -> Fault:
    """Wait ``seconds`` before answering normally (the client has usually timed out)."""
    return Fault("slow", seconds=seconds)


def truncated() -> Fault:
    """Send the full Content-Length but only half the body, then close the connection."""
    return Fault("truncated")


# --------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------


@dataclass
class RequestRecord:
    """One request a fake service received (``started``: time.monotonic())."""

    service: str
    method: str
    path: str
    params: dict[str, str]
    started: float
    client: str = ""
    status: int = 0
    fault: str | None = None


@dataclass
class _State:
    service: Service
    lock: threading.Lock = field(default_factory=threading.Lock)
    log: list[RequestRecord] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    sticky: list[tuple[Callable[[RequestRecord], bool], Fault]] = field(default_factory=list)
    windows: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    inflight: int = 0


_TOKEN_SPLIT = re.compile(r'[\s,|()"+]+')
_FIELD_TAG = re.compile(r"\[[^\]]*\]$")


def _normalise_token(token: str) -> str:
    return strip_doi(_FIELD_TAG.sub("", token.strip())).strip("/").casefold()


def _mentions(record: RequestRecord) -> set[str]:
    found = set()
    texts = list(record.params.values())
    if record.path.startswith("/works/"):
        found.add(_normalise_token(record.path[len("/works/") :]))
    for text in texts:
        for token in _TOKEN_SPLIT.split(text):
            if token:
                found.add(_normalise_token(token))
    found.discard("")
    return found


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeServices, service: str) -> None:
        self.fake = fake
        self.service = service
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:  # no reverse DNS lookup of 127.0.0.1
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away: nothing to report
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: with Nagle, delayed ACKs add ~40 ms each
    disable_nagle_algorithm = True
    server: _Server
    timeout = 60  # idle keep-alive connections are dropped after this

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:  # BrokenPipe, ConnectionReset, timeouts: the client went away
            self.close_connection = True

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if body and kind == "application/x-www-form-urlencoded":
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        fake, service = self.server.fake, self.server.service
        record = fake._begin(service, method, unquote(split.path), params, self.client_address[0])
        reply, admitted, cut = fake._process(service, record)
        try:
            self._send(reply, cut)
        finally:
            if admitted:
                fake._release(service)

    def _send(self, reply: Reply, cut: bool) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        if cut:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(reply.body[: len(reply.body) // 2] if cut else reply.body)
        self.wfile.flush()
        if cut:
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_WR)


class FakeServices:
    """PubMed, Crossref and OpenAlex on three local ports; use as a context manager.

    ``latency`` delays every response. ``enforce_limits`` (True, False, or the names of the
    services to police) turns on the sliding-window rate limits (:data:`DEFAULT_LIMITS`) and
    concurrency limits (:data:`DEFAULT_CONCURRENCY`); ``limits`` (keys of
    :data:`DEFAULT_LIMITS`, or ``"crossref"`` for both Crossref windows, values
    ``(count, interval seconds)``) overrides them and turns enforcement on for the services
    it names. A request refused with 429 is logged but does not count toward the window.
    ``announce`` (same keys) makes the rate-limit headers say other limits than those
    enforced, as Crossref's list endpoint announces 10 requests a second where its polite
    pool allows 3.

    Injected faults (:meth:`inject`, :meth:`fail_always`) bypass the limits; the requests
    they answer count toward the window, except injected 429s. ``slow()`` waits, then the
    request is handled normally, limits included.
    """

    def __init__(
        self,
        corpus: Corpus,
        latency: float = 0.0,
        enforce_limits: bool | Iterable[str] = False,
        *,
        limits: dict[str, tuple[int, float]] | None = None,
        announce: dict[str, tuple[int, float]] | None = None,
    ) -> None:
        self.corpus = corpus
        self.latency = latency
        self.limits: dict[str, Limit] = dict(DEFAULT_LIMITS)
        self.concurrency: dict[str, int | None] = dict(DEFAULT_CONCURRENCY)
        if enforce_limits is True:
            self.enforced = set(SERVICES)
        elif enforce_limits is False:
            self.enforced = set()
        else:
            self.enforced = set(enforce_limits)
        for key, value in (limits or {}).items():
            keys = ["crossref_list", "crossref_single"] if key == "crossref" else [key]
            for k in keys:
                if k not in DEFAULT_LIMITS:
                    raise ValueError(f"unknown limit {key!r}; known: {sorted(DEFAULT_LIMITS)}")
                self.limits[k] = Limit(int(value[0]), float(value[1]))
                self.enforced.add(_LIMIT_SERVICE[k])
        self.announced: dict[str, Limit] = {}
        for key, value in (announce or {}).items():
            if key not in DEFAULT_LIMITS:
                raise ValueError(f"unknown limit {key!r}; known: {sorted(DEFAULT_LIMITS)}")
            self.announced[key] = Limit(int(value[0]), float(value[1]))
        unknown = self.enforced - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown services {sorted(unknown)}")
        self._states = {kind.name: _State(kind(corpus)) for kind in SERVICE_TYPES}
        self._stop = threading.Event()
        self._servers: dict[str, _Server] = {}
        self._threads: dict[str, threading.Thread] = {}
        self.pubmed_url = self.crossref_url = self.openalex_url = ""

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeServices:
        try:
            for name in SERVICES:
                server = _Server(self, name)
                self._servers[name] = server
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": 0.05},
                    name=f"fake-{name}",
                    daemon=True,
                )
                thread.start()
                self._threads[name] = thread
        except BaseException:
            self.stop()
            raise
        port = {name: server.server_address[1] for name, server in self._servers.items()}
        self.pubmed_url = f"http://127.0.0.1:{port['pubmed']}/entrez/eutils"
        self.crossref_url = f"http://127.0.0.1:{port['crossref']}"
        self.openalex_url = f"http://127.0.0.1:{port['openalex']}"
        return self

    def stop(self) -> None:
        """Stop serving, close every socket and let in-flight handlers finish."""
        self._stop.set()  # wake handlers sleeping on latency or slow()
        stoppers = [  # shutdown() waits for a serve_forever() loop: stop all three at once
            threading.Thread(target=self._servers[name].shutdown, daemon=True)
            for name in self._threads
        ]
        for stopper in stoppers:
            stopper.start()
        for thread in [*stoppers, *self._threads.values()]:
            thread.join(timeout=5)
        for server in self._servers.values():
            server.server_close()
            with server.connections_lock:
                open_connections = list(server.connections)
            for connection in open_connections:  # idle keep-alive clients: unblock the reader
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 5
        for server in self._servers.values():
            while server.connections and time.monotonic() < deadline:
                time.sleep(0.01)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> FakeServices:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self) -> dict[str, str]:
        return {
            "EVIDENCE_PUBMED_URL": self.pubmed_url,
            "EVIDENCE_CROSSREF_URL": self.crossref_url,
            "EVIDENCE_OPENALEX_URL": self.openalex_url,
        }

    # -- log ---------------------------------------------------------------------------------

    def requests(self, service: str) -> list[RequestRecord]:
        state = self._state(service)
        with state.lock:
            return list(state.log)

    def count(self, service: str) -> int:
        return len(self.requests(service))

    def count_429(self, service: str) -> int:
        return sum(1 for r in self.requests(service) if r.status == 429)

    def reset_log(self) -> None:
        for state in self._states.values():
            with state.lock:
                state.log.clear()

    # -- faults ------------------------------------------------------------------------------

    def inject(self, service: str, *faults: Fault) -> None:
        """Queue faults: each incoming request to ``service`` takes the next one (FIFO)."""
        state = self._state(service)
        with state.lock:
            state.faults.extend(faults)

    def fail_always(
        self, service: str, identifier: str | Callable[[RequestRecord], bool], fault: Fault
    ) -> None:
        """Apply ``fault`` to every request mentioning ``identifier`` (a PMID, a PMCID or a
        DOI, any case, bare or as a doi.org URL) or matching a predicate on the
        :class:`RequestRecord`."""
        if callable(identifier):
            predicate = identifier
        else:
            wanted = _normalise_token(identifier)

            def predicate(record: RequestRecord) -> bool:
                return wanted in _mentions(record)

        state = self._state(service)
        with state.lock:
            state.sticky.append((predicate, fault))

    def expire_history(self, after: int | None, *, status: int = 200) -> None:
        """Make every WebEnv the fake PubMed hands out from now on serve ``after`` efetch
        requests and then be forgotten (None: never); efetch answers a forgotten one with
        its ``<eFetchResult><ERROR>`` body and HTTP ``status``."""
        pubmed = self._state("pubmed").service
        assert isinstance(pubmed, PubMedAnswers)
        pubmed.history_uses, pubmed.history_error_status = after, status

    def expire_cursors(self, after: int | None, *, cursors: int | None = None) -> None:
        """Make the next ``cursors`` cursors the fake Crossref makes (None: all of them) serve
        ``after`` pages after their first and then be forgotten (None: never); a forgotten
        one is answered 404."""
        crossref = self._state("crossref").service
        assert isinstance(crossref, CrossrefAnswers)
        crossref.cursor_uses, crossref.expiring_cursors = after, cursors

    def clear_faults(self, service: str | None = None) -> None:
        for name in [service] if service else SERVICES:
            state = self._state(name)
            with state.lock:
                state.faults.clear()
                state.sticky.clear()

    # -- internals ---------------------------------------------------------------------------

    def _state(self, service: str) -> _State:
        try:
            return self._states[service]
        except KeyError:
            raise ValueError(f"unknown service {service!r}; one of {SERVICES}") from None

    def _begin(
        self, service: str, method: str, path: str, params: dict[str, str], client: str
    ) -> RequestRecord:
        record = RequestRecord(service, method, path, params, time.monotonic(), client)
        state = self._states[service]
        with state.lock:
            state.log.append(record)
        return record

    def _take_fault(self, state: _State, record: RequestRecord) -> Fault | None:
        with state.lock:
            if state.faults:
                return state.faults.popleft()
            sticky = list(state.sticky)
        for predicate, fault in sticky:
            if predicate(record):
                return fault
        return None

    def _admit(self, state: _State, key: tuple[str, str], force: bool) -> tuple[bool, str]:
        limit = self.limits[key[0]]
        name = state.service.name
        enforced = name in self.enforced
        cap = self.concurrency.get(name)
        with state.lock:
            now = time.monotonic()
            window = state.windows.setdefault(key, deque())
            while window and window[0] <= now - limit.interval:
                window.popleft()
            if not force and enforced:
                if cap is not None and state.inflight >= cap:
                    return False, "concurrency"
                if len(window) >= limit.count:
                    return False, "rate"
            window.append(now)
            state.inflight += 1
            return True, ""

    def _release(self, service: str) -> None:
        state = self._states[service]
        with state.lock:
            state.inflight -= 1

    def _used(self, state: _State, key: tuple[str, str]) -> int:
        with state.lock:
            return len(state.windows.get(key, ()))

    def _process(self, service: str, record: RequestRecord) -> tuple[Reply, bool, bool]:
        """The reply, whether the request holds a concurrency slot, and whether to cut it."""
        state = self._states[service]
        answers = state.service
        fault = self._take_fault(state, record)
        record.fault = fault.kind if fault else None
        if fault is not None and fault.kind == "slow":
            self._stop.wait(fault.seconds)
            fault = None
        key = answers.window(record.path, record.params, record.client)
        if fault is not None and fault.kind == "status" and fault.code == 429:
            admitted, why = False, ""  # an injected 429 does not count toward the window
        else:
            admitted, why = self._admit(state, key, force=fault is not None)
        try:
            if self.latency > 0:
                self._stop.wait(self.latency)
            if fault is not None and fault.kind == "status":
                reply = self._status_reply(answers, record, key, fault)
            elif not admitted:
                limit = self.limits[key[0]]
                used = self._used(state, key)
                reply = answers.too_many(limit, used, record.params, record.client, why)
            else:
                reply = answers.answer(record.path, record.params)
        except Exception:  # a bug in the fake: say so loudly, answer 500
            traceback.print_exc()
            reply = text_reply(traceback.format_exc(), 500)
        limit = self.announced.get(key[0], self.limits[key[0]])
        reply.headers += answers.limit_headers(
            limit, self._used(state, key), self.concurrency.get(service)
        )
        record.status = reply.status
        return reply, admitted, fault is not None and fault.kind == "truncated"

    def _status_reply(
        self, answers: Service, record: RequestRecord, key: tuple[str, str], fault: Fault
    ) -> Reply:
        headers = [("Retry-After", fault.retry_after)] if fault.retry_after else []
        if fault.body is not None:
            return Reply(fault.code, fault.body, fault.content_type or "text/plain", headers)
        if fault.code == 429:
            reply = answers.injected_429(self.limits[key[0]], record.params, record.client)
        else:
            reply = error_page(fault.code)
        reply.headers += headers
        return reply
