"""`evidence demo-data`: a synthetic ledger of exactly the size asked, on both backends; every
identifier visibly synthetic; chains without loops; refused on a non-empty database."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from evidence.domain.chains import chain_paths, find_path
from evidence.domain.models import (
    Assertion,
    Claim,
    ClaimLink,
    Evidence,
    EvidenceSearch,
    History,
    Override,
    Reference,
    Source,
)
from evidence.domain.vocab import (
    ClaimType,
    Design,
    Downgrade,
    Relation,
    SourceKind,
    Stance,
    Upgrade,
)
from evidence.services.transfer.demo_data import fill_demo_data
from evidence.services.transfer.demo_plan import DemoPlan, DemoSizes
from evidence.store.engine import Store
from tests.conftest import Cli
from tests.support.cli_result import ok
from tests.support.snapshot import rows

SMALL = ("--claims", "60", "--references", "200", "--links", "400")


@pytest.fixture
def demo_url(db_url: str) -> str:
    said = ok(Cli(db_url)("demo-data", *SMALL, "--seed", "7"))
    assert "60 claims, 200 references, 400 evidence links" in said
    return db_url


@pytest.fixture
def demo_store(demo_url: str) -> Iterator[Store]:
    store = Store.open(demo_url)
    yield store
    store.close()


def count(store: Store, model: type) -> int:
    with store.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_counts_are_exactly_as_asked(demo_store: Store) -> None:
    assert count(demo_store, Claim) == 60
    assert count(demo_store, Reference) == 200
    assert count(demo_store, Evidence) == 400
    for model in (Source, Assertion, ClaimLink, EvidenceSearch, Override):
        assert count(demo_store, model) > 0, model


def test_every_identifier_is_synthetic(demo_store: Store) -> None:
    with demo_store.reading() as s:
        refs = list(
            s.execute(select(Reference.key, Reference.doi, Reference.pmid, Reference.title))
        )
        claims = list(s.execute(select(Claim.id, Claim.statement)))
        sources = list(s.scalars(select(Source.key)))
        notices = [n for (ns,) in s.execute(select(Reference.retraction_notices)) for n in ns]
    assert all(doi is None or doi.startswith("10.5555/") for _, doi, _, _ in refs)
    assert all(pmid is None or int(pmid) > 90000000 for _, _, pmid, _ in refs)
    assert all(doi or pmid for _, doi, pmid, _ in refs)  # every paper is reachable
    assert sum(1 for _, doi, _, _ in refs if doi) > 150
    assert all(int(n["notice"]) > 90000000 for n in notices)
    assert all("demo" in key and "synthetic demo paper" in title for key, _, _, title in refs)
    assert all(c.startswith("demo-claim-") for c, _ in claims)
    assert all(st.endswith(f"(synthetic demo claim {int(c[-5:])}).") for c, st in claims)
    assert all(key.startswith("demo-source-") for key in sources)


def test_the_ledger_has_every_kind_of_content(demo_store: Store) -> None:
    with demo_store.reading() as s:
        types = set(s.scalars(select(Claim.type)))
        designs = {
            d or sd for d, sd in s.execute(select(Reference.design, Reference.suggested_design))
        }
        retracted = s.scalar(select(func.count()).where(Reference.retraction == "retracted"))
        years = set(s.scalars(select(Reference.year)))
        links = list(s.execute(select(Evidence.stance, Evidence.downgrades, Evidence.upgrades)))
        kinds = set(s.scalars(select(Source.kind)))
        relations = set(s.scalars(select(ClaimLink.relation)))
        override = s.execute(select(Override.verdict, Override.reason)).first()
    assert types == {t.value for t in ClaimType}
    assert designs == {d.value for d in Design} | {None}  # None: no design recorded
    assert retracted >= 1
    assert min(years) >= 1980 and max(years) <= 2026
    assert {stance for stance, _, _ in links} == {s.value for s in Stance}
    assert {d for _, down, _ in links for d in down} == {d.value for d in Downgrade}
    assert {u for _, _, up in links for u in up} == {u.value for u in Upgrade}
    assert kinds == {k.value for k in SourceKind}
    assert relations == {r.value for r in Relation}
    assert override is not None and override.reason.strip()


def test_chains_exist_and_never_loop(demo_store: Store) -> None:
    with demo_store.reading() as s:
        edges = [
            (a, b)
            for a, b in s.execute(
                select(ClaimLink.from_claim_id, ClaimLink.to_claim_id).where(
                    ClaimLink.relation == Relation.leads_to.value
                )
            )
        ]
    assert edges
    for a, b in edges:
        assert find_path(edges, b, a) is None, f"{a} -> {b} loops back"
    lengths = {len(p) for a, _ in edges for p in chain_paths(edges, a)}
    assert lengths and lengths <= {3, 4, 5}


def test_each_claim_creation_is_in_the_history(demo_store: Store) -> None:
    with demo_store.reading() as s:
        entries = list(s.execute(select(History.entity, History.actor, History.reason)))
        claims = set(s.scalars(select(Claim.id)))
        keyed = set(s.scalars(select(History.claim_id).where(History.action == "create")))
    assert len(entries) == 60
    assert set(entries) == {("claim", "tester", "synthetic demo data")}
    assert keyed == claims


def test_claims_list_json_works_on_it(demo_url: str) -> None:
    claims = json.loads(ok(Cli(demo_url)("claims", "list", "--json")))
    assert len(claims) == 60
    assert len({c["verdict"] for c in claims}) >= 4
    assert any(c["overridden"] for c in claims)
    shown = json.loads(ok(Cli(demo_url)("claim", "show", claims[0]["id"], "--json")))
    assert shown["id"] == claims[0]["id"]


def test_the_same_seed_gives_the_same_ledger() -> None:
    sizes = DemoSizes(claims=30, references=50, links=90)
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def tables(seed: int) -> list[list[dict]]:
        plan = DemoPlan(sizes, seed=seed, now=now)
        ids = list(range(1, 51))
        return [
            list(plan.claims()),
            list(plan.references()),
            list(plan.evidence(ids)),
            list(plan.claim_links(ids)),
            list(plan.searches()),
        ]

    assert tables(1) == tables(1)
    assert tables(1) != tables(2)


def test_a_database_holding_anything_is_refused_and_left_as_it_was(seeded_url: str) -> None:
    before = rows(seeded_url)
    result = Cli(seeded_url)("demo-data", *SMALL)
    assert result.exit_code == 2, result.stdout
    assert "error: invalid database" in result.stderr
    assert seeded_url.rsplit("/", 1)[-1] in result.stderr  # names the database
    assert "holds 40 claims" in result.stderr
    assert rows(seeded_url) == before


def test_a_second_run_is_refused(demo_url: str) -> None:
    before = rows(demo_url)
    result = Cli(demo_url)("demo-data", *SMALL)
    assert result.exit_code == 2
    assert "holds 60 claims, 200 references" in result.stderr
    assert rows(demo_url) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--claims", "5"), "invalid --claims 5: expected a whole number from 10 to 1,000,000"),
        (("--references", "0"), "invalid --references 0"),
        (("--links", "-1"), "invalid --links -1"),
        (("--claims", "10", "--references", "10", "--links", "101"), "at most one link per"),
        (("--claims", "many"), "Invalid value for '--claims'"),
    ],
)
def test_invalid_sizes_are_refused_before_any_database_is_made(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    target = tmp_path / "never.db"
    result = Cli(f"sqlite:///{target}")("demo-data", *args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert not target.exists()


def test_a_new_sqlite_file_is_created_and_initialised(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    ok(Cli(url)("demo-data", "--claims", "10", "--references", "10", "--links", "0"))
    claims = json.loads(ok(Cli(url)("claims", "list", "--json")))
    assert len(claims) == 10 and {c["computed_verdict"] for c in claims} == {"unproven"}


def test_a_failure_half_way_writes_nothing(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = DemoPlan(DemoSizes(claims=20, references=30, links=50))

    def broken() -> Iterator[dict]:
        raise RuntimeError("disk full (simulated)")
        yield {}

    monkeypatch.setattr(plan, "history", broken)
    store = Store.open(db_url)
    try:
        with pytest.raises(RuntimeError), store.transaction() as session:
            fill_demo_data(session, plan, database=store.display_url)
        for model in (Source, Claim, Reference, Evidence, History):
            assert count(store, model) == 0, model
    finally:
        store.close()


def test_progress_counts_every_row(db_url: str) -> None:
    plan = DemoPlan(DemoSizes(claims=20, references=30, links=50))
    seen: list[int] = []
    progress: Callable[[int], None] = seen.append
    store = Store.open(db_url)
    try:
        with store.transaction() as session:
            written = fill_demo_data(session, plan, database="test", progress=progress)
    finally:
        store.close()
    assert written == plan.counts
    # every row written, then every claim graded
    assert sum(seen) == sum(plan.counts.values()) + plan.sizes.claims
