"""Benchmark: resolving 2,000 PMIDs and 500 DOIs against stand-ins for PubMed, Crossref and
OpenAlex that answer after 50 ms and enforce the services' published limits with 429s.

Prints the requests made per service, the 429s received, the wall time, and the floor: the
fewest requests the batch sizes allow, divided by each service's rate limit (the services are
asked in parallel, so the floor is the slowest service's). The same run times a baseline that
asks one request per paper, on a sample (the whole baseline takes about 15 minutes at
PubMed's 3 requests a second; ``--full-baseline`` runs it anyway), and a second run from the
cache, which must make no request.

    python benchmarks/resolve.py [--pmids 2000] [--dois 500] [--latency 0.05] [--no-openalex]

Exits 1 if a target is missed: efetch requests for the PMIDs <= ceil(N/200), no 429, wall
time <= 1.25 x the floor, no request from the cache.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence import settings as settings_module  # noqa: E402
from evidence.remote import crossref, openalex, pubmed, resolver  # noqa: E402
from evidence.remote.resolver import Query, resolve  # noqa: E402
from tests.support.fake_corpus import make_corpus  # noqa: E402
from tests.support.fake_services import DEFAULT_LIMITS, FakeServices  # noqa: E402

SERVICES = ("pubmed", "crossref", "openalex")


def settings_for(fake: FakeServices, cache: Path, with_openalex: bool) -> settings_module.Settings:
    env = {
        **fake.env(),
        "EVIDENCE_DATA_DIR": str(cache),
        "EVIDENCE_CACHE_DIR": str(cache),
        "EVIDENCE_CONTACT_EMAIL": "benchmark@example.org",
    }
    if with_openalex:
        env["EVIDENCE_OPENALEX_API_KEY"] = "synthetic-key"
    return settings_module.from_environment(env)


def run(queries: list[Query], fake: FakeServices, cache: Path, with_openalex: bool) -> dict:
    fake.reset_log()
    started = time.monotonic()
    report = resolve(queries, settings_for(fake, cache, with_openalex))
    seconds = time.monotonic() - started
    statuses: dict[str, int] = {}
    for r in report.resolutions:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    return {
        "seconds": seconds,
        "requests": {s: fake.count(s) for s in SERVICES},
        "429": {s: fake.count_429(s) for s in SERVICES},
        "statuses": statuses,
        "pubmed_log": fake.requests("pubmed"),
    }


def one_request_per_paper() -> ExitStack:
    stack = ExitStack()
    for target, name in [
        (pubmed, "EFETCH_BATCH"),
        (resolver, "EFETCH_BATCH"),
        (pubmed, "ESEARCH_BATCH"),
        (crossref, "LIST_BATCH"),
        (openalex, "OR_LIMIT"),
    ]:
        stack.enter_context(mock.patch.object(target, name, 1))
    return stack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pmids", type=int, default=2000)
    parser.add_argument("--dois", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--no-openalex", action="store_true")
    parser.add_argument("--baseline-share", type=float, default=0.05)
    parser.add_argument("--full-baseline", action="store_true")
    args = parser.parse_args()
    with_openalex = not args.no_openalex

    # DOIs: half belong to PubMed papers (found through esearch), half to DOI-only papers
    in_pubmed = args.dois // 2
    corpus = make_corpus(args.pmids + in_pubmed, args.dois - in_pubmed)
    papers = corpus.pubmed_papers()
    pmids = [p.pmid for p in papers[: args.pmids]]
    dois = [p.doi for p in papers[args.pmids :]] + [p.doi for p in corpus.doi_only_papers()]
    queries = [Query.parse(x) for x in pmids + dois]

    limits = {k: (v[0], v[1]) for k, v in DEFAULT_LIMITS.items()}
    pubmed_rate = limits["pubmed"][0] / limits["pubmed"][1]
    crossref_rate = limits["crossref_list"][0] / limits["crossref_list"][1]
    openalex_rate = limits["openalex"][0] / limits["openalex"][1]
    print(
        f"resolve: {len(pmids)} PMIDs + {len(dois)} DOIs, {args.latency * 1000:.0f} ms a "
        f"request; limits enforced with 429: PubMed {pubmed_rate:g}/s, Crossref "
        f"{crossref_rate:g}/s lists ({limits['crossref_single'][0]}/s single, 3 at a time), "
        f"OpenAlex {openalex_rate:g}/s" + ("" if with_openalex else " (not asked)")
    )

    with FakeServices(corpus, latency=args.latency, enforce_limits=True) as fake:
        tmp = Path(tempfile.mkdtemp(prefix="evidence-bench-"))
        first = run(queries, fake, tmp / "cache", with_openalex)
        second = run(queries, fake, tmp / "cache", with_openalex)

        share = 1.0 if args.full_baseline else args.baseline_share
        sample = [Query.parse(x) for x in pmids[: math.ceil(len(pmids) * share)]]
        sample += [Query.parse(x) for x in dois[: math.ceil(len(dois) * share)]]
        with one_request_per_paper():
            base = run(sample, fake, tmp / "baseline-cache", with_openalex)

    # the floor: fewest requests the batch sizes allow, over each service's rate
    hits = in_pubmed  # the DOIs PubMed knows, fetched after esearch
    need = {
        "pubmed": math.ceil(len(pmids) / pubmed.EFETCH_BATCH)
        + math.ceil(len(dois) / pubmed.ESEARCH_BATCH)
        + math.ceil(hits / pubmed.EFETCH_BATCH),
        "crossref": math.ceil((len(pmids) + len(dois)) / crossref.LIST_BATCH),
        "openalex": math.ceil((len(pmids) + len(dois)) / openalex.OR_LIMIT) if with_openalex else 0,
    }
    rate = {"pubmed": pubmed_rate, "crossref": crossref_rate, "openalex": openalex_rate}
    floors = {s: need[s] / rate[s] for s in SERVICES if need[s]}
    floor = max(floors.values())
    wanted = set(pmids)
    efetch_for_pmids = sum(
        1
        for r in first["pubmed_log"]
        if r.path.endswith("efetch.fcgi") and set(r.params.get("id", "").split(",")) <= wanted
    )
    efetch_target = math.ceil(len(pmids) / 200)

    print(f"papers: {first['statuses']}")
    print(
        "run 1:  requests "
        + ", ".join(f"{s} {first['requests'][s]}" for s in SERVICES)
        + f"; 429s {sum(first['429'].values())}; wall {first['seconds']:.2f} s"
    )
    print(
        "floor:  "
        + "; ".join(f"{s} {need[s]} req / {rate[s]:g} per s = {floors[s]:.2f} s" for s in floors)
        + f" -> {floor:.2f} s; wall / floor = {first['seconds'] / floor:.2f} (target <= 1.25)"
    )
    print(
        f"efetch requests for the {len(pmids)} PMIDs: {efetch_for_pmids} "
        f"(target <= {efetch_target})"
    )
    print(
        f"run 2 (cache): {sum(second['requests'].values())} requests (target 0), "
        f"wall {second['seconds']:.2f} s"
    )
    scale = (len(pmids) + len(dois)) / len(sample)
    estimate = base["seconds"] * scale
    print(
        f"baseline, one request per paper, {len(sample)} papers"
        + ("" if args.full_baseline else f" ({share:.0%} sample)")
        + ": requests "
        + ", ".join(f"{s} {base['requests'][s]}" for s in SERVICES)
        + f"; wall {base['seconds']:.2f} s"
        + ("" if args.full_baseline else f" -> about {estimate:.0f} s for all")
        + f"; batched run is {estimate / first['seconds']:.1f}x faster"
    )

    missed = []
    if efetch_for_pmids > efetch_target:
        missed.append("efetch batches")
    if sum(first["429"].values()):
        missed.append("429s")
    if first["seconds"] > 1.25 * floor:
        missed.append("wall time")
    if sum(second["requests"].values()):
        missed.append("cache")
    print("targets: " + ("all met" if not missed else "MISSED " + ", ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
