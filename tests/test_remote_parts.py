"""The metadata clients' parts on their own: pacing, the disk cache, merging answers."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from evidence.domain.metadata import Notice, PaperMetadata, merge
from evidence.domain.vocab import Design, Retraction
from evidence.remote import crossref
from evidence.remote.cache import Entry, ResponseCache
from evidence.remote.http import retry_after
from evidence.remote.limits import DECREASE, LOWEST, MARGIN, RAISE_AFTER, STEP, Host, Window


def _starts(host: Host, n: int, lane: str = "default", hold: float = 0.0) -> list[float]:
    async def one(starts: list[float]) -> None:
        async with host.slot(lane):
            starts.append(time.monotonic())
            await asyncio.sleep(hold)

    async def run() -> list[float]:
        starts: list[float] = []
        await asyncio.gather(*(one(starts) for _ in range(n)))
        return sorted(starts)

    return asyncio.run(run())


def test_no_window_ever_holds_more_starts_than_the_limit() -> None:
    interval = 0.2
    starts = _starts(Host("t", lanes={"default": Window(3, interval)}, concurrency=10), 10)
    for i in range(len(starts) - 3):
        assert starts[i + 3] - starts[i] >= interval  # any 4 consecutive span a full window
    # ... and it is not slower than it must be: 10 starts need 3 full windows, not 10
    assert starts[-1] - starts[0] < 3 * (interval + MARGIN) + 0.15


def test_concurrency_cap_holds() -> None:
    in_flight = 0
    peak = 0
    host = Host("t", lanes={"default": Window(100, 1.0)}, concurrency=2)

    async def one() -> None:
        nonlocal in_flight, peak
        async with host.slot():
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.02)
            in_flight -= 1

    async def run() -> None:
        await asyncio.gather(*(one() for _ in range(8)))

    asyncio.run(run())
    assert peak == 2


def test_a_pause_holds_every_request_to_the_host() -> None:
    host = Host("t", lanes={"default": Window(100, 1.0)}, concurrency=5)
    began = time.monotonic()
    host.pause(0.3)
    starts = _starts(host, 3)
    assert min(starts) - began >= 0.29


def test_announced_limits_are_adopted() -> None:
    host = Host("t", lanes={"list": Window(3, 1.0), "single": Window(10, 1.0)}, concurrency=3)
    # a lower limit at once
    host.update("single", limit=4, interval=None, concurrency=7)
    assert (host.lanes["single"].limit, host.concurrency) == (4, 7)
    # a higher one is a ceiling to climb to, not a jump; a new interval keeps the pace
    host.update("list", limit=50, interval=2.0, concurrency=None)
    lane = host.lanes["list"]
    assert (lane.limit, lane.interval, lane.ceiling, lane.per_second) == (6, 2, 50, 3)
    host.update("single", limit=None, interval=None, concurrency=0)  # nonsense is ignored
    assert (host.lanes["single"].limit, host.concurrency) == (4, 7)


def test_a_rate_limit_answer_lowers_the_pace_once_and_successes_raise_it_slowly() -> None:
    lane = Window(3, 1.0)
    lane.ceiling = 10  # announced
    before = time.monotonic()
    assert lane.rate_limited(time.monotonic())
    assert lane.limit == pytest.approx(3 * DECREASE) and lane.slowed == 1
    # the others sent before the decrease, at the old pace, say nothing new
    assert not lane.rate_limited(before)
    assert lane.limit == pytest.approx(3 * DECREASE) and lane.slowed == 1
    for _ in range(RAISE_AFTER - 1):
        assert not lane.succeeded(time.monotonic())
    assert lane.succeeded(time.monotonic())  # the tenth in a row: one step up
    assert lane.limit == pytest.approx(3 * DECREASE + 3 * STEP)
    assert not lane.succeeded(before)  # an answer to a request sent before the step
    # never above the ceiling, never below the floor
    for _ in range(100 * RAISE_AFTER):
        lane.succeeded(time.monotonic())
    assert lane.limit == 10
    for _ in range(100):
        lane.rate_limited(time.monotonic())
    assert lane.limit == pytest.approx(3 * LOWEST) and lane.lowest == lane.limit


def test_a_slowed_lane_spreads_its_starts() -> None:
    lane = Window(4, 0.4)
    lane.rate_limited(time.monotonic())
    limit = 4 * DECREASE  # a fraction: whole starts per a longer window, spread out
    count, span = lane.count_and_span()
    assert (count, span) == (int(limit), pytest.approx(0.4 * int(limit) / limit + MARGIN))
    starts = _starts(Host("t", lanes={"default": lane}, concurrency=10), 2 * count + 1)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.4 / limit - 0.005
    for i in range(len(starts) - count):
        assert starts[i + count] - starts[i] >= span - 0.005


@pytest.mark.parametrize(
    ("text", "seconds"), [("1s", 1.0), ("500ms", 0.5), ("2", 2.0), ("1m", 60.0), ("soon", None)]
)
def test_crossref_interval_header(text: str, seconds: float | None) -> None:
    assert crossref._interval(text) == seconds


def test_crossref_batches_respect_count_and_length() -> None:
    dois = [f"10.5555/{i}" for i in range(250)]
    assert [len(b) for b in crossref._batches(dois)] == [100, 100, 50]
    long = [f"10.5555/{'x' * 180}{i}" for i in range(60)]
    batches = crossref._batches(long)
    assert all(sum(len(d) + 5 for d in b) <= crossref.MAX_FILTER_CHARS for b in batches)
    assert sum(len(b) for b in batches) == 60


def test_retry_after_reads_seconds_and_http_dates() -> None:
    def response(value: str | None) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value} if value else {})

    assert retry_after(response("7")) == 7.0
    assert retry_after(response(None)) is None
    assert retry_after(response("whenever")) is None
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 <= (retry_after(response(later)) or 0) <= 31


def test_cache_keeps_answers_and_misses_per_paper(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c")
    cache.put_many("crossref", {"10.5555/a": Entry(True, b"{}"), "10.5555/b": Entry(False, None)})
    cache.close()
    again = ResponseCache(tmp_path / "c")  # a second process, a second run
    got = again.get_many("crossref", ["10.5555/a", "10.5555/b", "10.5555/c"])
    assert got == {"10.5555/a": Entry(True, b"{}"), "10.5555/b": Entry(False, None)}
    assert again.get_many("pubmed", ["10.5555/a"]) == {}
    many = {f"k{i}": Entry(True, b"x") for i in range(1200)}  # more than one IN (...) chunk
    again.put_many("pubmed", many)
    assert len(again.get_many("pubmed", list(many))) == 1200
    again.close()


def test_merge_prefers_pubmed_then_crossref_then_openalex() -> None:
    pubmed = PaperMetadata(
        "pubmed",
        pmid="90000001",
        doi="10.5555/a",
        title="From PubMed",
        publication_types=("Journal Article", "Randomized Controlled Trial"),
    )
    cr = PaperMetadata(
        "crossref",
        doi="10.5555/a",
        title="From Crossref",
        journal="J Synth",
        year=2020,
        notices=(Notice(Retraction.corrected, "crossref", "correction (publisher)"),),
    )
    oa = PaperMetadata(
        "openalex",
        doi="10.5555/a",
        abstract="From OpenAlex",
        notices=(Notice(Retraction.retracted, "openalex", "is_retracted"),),
    )
    merged = merge([oa, cr, pubmed])
    assert merged is not None
    assert (merged.title, merged.journal, merged.year, merged.abstract) == (
        "From PubMed",
        "J Synth",
        2020,
        "From OpenAlex",
    )
    assert merged.services == ("pubmed", "crossref", "openalex")
    assert merged.suggested_design is Design.rct
    assert merged.retraction is Retraction.retracted  # the gravest notice wins
    assert len(merged.notices) == 2
    assert merge([]) is None
    # publication types only ever come from PubMed
    assert merge([cr]).publication_types == ()  # type: ignore[union-attr]
