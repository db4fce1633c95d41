"""The chains, sources and evidence map pages (AppTest), and their chart and DOT builders."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evidence.domain.chains import shared_start
from evidence.domain.vocab import WITHDRAWN, Retraction, Verdict
from evidence.services.records.claim_links import link_claims
from evidence.services.records.claims import add_assertion, add_claim
from evidence.services.records.sources import add_source
from evidence.services.views.mechanisms import chain
from evidence.services.views.source_scorecards import scorecards
from evidence.services.views.summaries import list_claims
from evidence.store.engine import Store
from evidence.store.queries import links_with_references
from evidence.webui import data
from evidence.webui.charts import (
    CLAIM_CELL,
    VERDICT_HEX,
    YEAR_BAR,
    chain_dot,
    claim_grid_chart,
    dot_string,
    evidence_years_chart,
    kind_label,
    scorecard_chart,
    source_label,
)
from evidence.webui.render import VERDICT_COLOURS, md_text

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")
HOSTILE = '<script>alert(1)</script> **x** "quote\\"'
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    data.clear_caches()
    yield
    data.clear_caches()


def app_on(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    return AppTest.from_file(APP, default_timeout=60)


@pytest.fixture
def app(seeded_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return app_on(seeded_url, monkeypatch)


def open_page(app: AppTest, page: str, **params: str) -> AppTest:
    app.run()  # a page registered under its own url_path is found after a first run
    app.switch_page(f"app_pages/{page}.py")
    for k, v in params.items():
        app.query_params[k] = v
    app.run()
    assert not app.exception, app.exception
    return app


def link_ids(app: AppTest) -> list[str]:
    return [link.proto.query_string.removeprefix("id=") for link in app.get("page_link")]


def dot_of(app: AppTest) -> str:
    (graph,) = app.get("graphviz_chart")
    return graph.proto.spec


def dot_nodes(dot: str) -> dict[str, str]:
    """Node line by the claim id its URL points at."""
    return {
        m.group(1): line
        for line in dot.splitlines()
        if (m := re.search(r'URL="claim\?id=([^"]+)"', line))
    }


def vega(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]


def assert_plain_dot(dot: str) -> None:
    """Every string is quoted and closed, and no HTML-like label (<...>) appears anywhere."""
    for line in dot.splitlines():
        outside = QUOTED.sub("", line)
        assert '"' not in outside and "<" not in outside, line


# --- chains --------------------------------------------------------------------------------


def test_chains_page_draws_the_lumbar_chain_with_its_weakest_steps_marked(
    app: AppTest, seeded_store: Store
) -> None:
    open_page(app, "chains")
    with seeded_store.reading() as s:
        paths = chain(s, "nmf-old-injury-lumbar-fibrosis")["paths"]
    members = {step["id"] for p in paths for step in p["steps"]}
    weakest = {p["steps"][i]["id"] for p in paths for i in p["weakest_indexes"]}
    assert weakest and weakest < members

    dot = dot_of(app)
    assert_plain_dot(dot)
    nodes = dot_nodes(dot)
    assert set(nodes) == members  # the largest mechanism is shown first
    assert {c for c, line in nodes.items() if "WEAKEST STEP" in line} == weakest
    assert all("penwidth=4" in nodes[c] for c in weakest)
    assert all('target="_self"' in line for line in nodes.values())
    tethering = nodes["lumbar-nerve-root-tethering"]
    assert (
        "Unproven · very low" in tethering and f'fillcolor="{VERDICT_HEX["unproven"]}"' in tethering
    )

    # issue 16: one weakest step a chain (ties broken by what is known), not 7 of 9 nodes
    assert all(len(p["weakest_indexes"]) == 1 for p in paths)
    assert len(weakest) <= len(paths) and len(weakest) < len(members) / 2

    # below the graph: every chain, step by step, each step a link to its claim page; the
    # first steps the chains share are listed once, above them (issue 16)
    assert set(link_ids(app)) == members
    links = [
        (link.proto.label, link.proto.query_string.removeprefix("id="))
        for link in app.get("page_link")
    ]
    assert all(link.proto.page == "claim" for link in app.get("page_link"))
    shared = shared_start([[s["id"] for s in p["steps"]] for p in paths])
    assert shared >= 2  # the lumbar chains start alike
    assert [c for _, c in links[:shared]] == [s["id"] for s in paths[0]["steps"][:shared]]
    assert sum(label.startswith("1\\.") for label, _ in links) == 1  # said once
    tails: list[list[str]] = []
    marks: list[int] = []
    for label, cid in links[shared:]:
        if label.startswith(f"{shared + 1}\\."):
            tails.append([])
        if "weakest step" in label:
            marks.append(shared + len(tails[-1]))
        tails[-1].append(cid)
    assert sorted(tails) == sorted([s["id"] for s in p["steps"][shared:]] for p in paths)
    in_tails = sorted(p["weakest_index"] for p in paths if p["weakest_index"] >= shared)
    assert sorted(marks) == in_tails
    headers = [m.value for m in app.markdown if "as strong as its weakest step, step" in m.value]
    assert len(headers) == len(paths)
    assert any("Legend" in m.value and "WEAKEST STEP" in m.value for m in app.markdown), "a legend"
    said = [c.value.replace("\\", "") for c in app.caption]
    assert any("is marked: its evidence leans most against it" in c for c in said), said


def test_highlighting_a_chain_lists_only_it_and_bolds_its_links(app: AppTest) -> None:
    open_page(app, "chains")
    picker = app.selectbox(key="chains_highlight_0")
    chosen = picker.options[0]
    picker.select_index(0).run()
    assert not app.exception
    ids = link_ids(app)
    assert ids[0] == "nmf-old-injury-lumbar-fibrosis" and len(ids) == len(set(ids))
    assert "penwidth=3" in dot_of(app)
    assert chosen.startswith("Chain 1:")


def test_chains_page_opens_the_mechanism_of_the_claim_in_its_address(app: AppTest) -> None:
    open_page(app, "chains", claim="pronation-internal-rotation-pelvic-tilt")
    nodes = dot_nodes(dot_of(app))
    assert "pronation-internal-rotation-pelvic-tilt" in nodes
    assert "nmf-old-injury-lumbar-fibrosis" not in nodes


def test_a_mechanism_too_big_to_draw_shows_one_chain_and_pages_the_list(
    app: AppTest, seeded_store: Store
) -> None:
    with seeded_store.transaction() as s:
        add_claim(s, claim_id="hub", statement="Hub.", claim_type="causal", actor="t")
        for n in range(61):
            leaf = f"leaf-{n:02d}"
            add_claim(s, claim_id=leaf, statement=f"Leaf {n}.", claim_type="causal", actor="t")
            link_claims(s, from_claim="hub", to_claim=leaf, relation="leads_to", actor="t")
    open_page(app, "chains", claim="hub")
    assert set(dot_nodes(dot_of(app))) == {"hub", "leaf-00"}
    assert any("too many to draw at once" in c.value for c in app.caption)
    # ten chains of two steps a page, their shared first step listed once
    assert len(link_ids(app)) == 1 + 10
    assert "Chains 1–10 of 61." in [c.value for c in app.caption]


# --- sources -------------------------------------------------------------------------------


def test_sources_page_lists_every_source_with_its_kind_and_verdict_counts(
    app: AppTest, seeded_store: Store
) -> None:
    open_page(app, "sources")
    with seeded_store.reading() as s:
        cards = scorecards(s)
    assert len(cards) == 5
    assert sorted(h.value for h in app.subheader) == sorted(md_text(c["title"]) for c in cards)
    (table,) = app.dataframe
    rows = {r["Source"]: r for r in table.value.to_dict("records")}
    for card in cards:
        row = rows[card["title"]]
        assert row["Kind"] == kind_label(card["kind"])
        assert row["Claims"] == card["claims"]
        assert [row[label] for label in ("Supported", "Limited support", "Contested")] == [
            card["verdicts"][v] for v in ("supported", "limited_support", "contested")
        ]
        assert [row["Refuted"], row["Unproven"]] == [
            card["verdicts"]["refuted"],
            card["verdicts"]["unproven"],
        ]
    body = [m.value for m in app.markdown]
    for card in cards:
        counts = " · ".join(
            f":{VERDICT_COLOURS[v.value]}-badge[{card['verdicts'][v.value]} {v.label.lower()}]"
            for v in Verdict
        )
        assert f"**{card['claims']} claims:** {counts}" in body
    assert ":red-badge[Commercial marketing]" in body  # a product page, and it says so
    # an address is shown where there is one, and nothing is said where there is none
    addresses = [m for m in body if m.startswith("**Address:**")]
    assert len(addresses) == sum(1 for c in cards if c["url"])
    assert "**Address:** not recorded" not in body
    assert ":violet-badge[Educational slide deck]" in body
    # each source's claims, as links to their pages
    assert len(link_ids(app)) == sum(min(c["claims"], 20) for c in cards)
    (chart,) = vega(app)
    assert chart["encoding"]["y"]["sort"][0].startswith(cards_sorted_first(cards))
    # issue 16: at 1,400 px a long title pushed Refuted and Unproven off the table
    (table,) = app.dataframe
    widths = {name: c.get("width") for name, c in json.loads(table.proto.columns).items()}
    assert widths["Source"] == 220 and widths["Kind"] == 150


def cards_sorted_first(cards: list[dict]) -> str:
    best = max(cards, key=lambda c: (c["bands"]["supported"] / c["claims"], c["claims"]))
    return md_text(best["title"])[:20].replace("\\", "")


def test_sources_can_be_filtered_by_kind(app: AppTest) -> None:
    open_page(app, "sources")
    app.multiselect(key="sources_kinds").select("commercial_marketing").run()
    assert [h.value for h in app.subheader] == ["How Foot Pain Can Lead To Back Pain"]
    assert "1 of 5 sources." in [c.value for c in app.caption]
    app.toggle(key="sources_shares").set_value(True).run()
    assert not app.exception
    (chart,) = vega(app)
    assert chart["encoding"]["x"]["stack"] == "normalize"


# --- evidence map --------------------------------------------------------------------------


def test_map_selectboxes_list_the_claims_of_a_verdict_and_certainty(
    app: AppTest, seeded_store: Store
) -> None:
    open_page(app, "evidence_map")
    with seeded_store.reading() as s:
        claims = list_claims(s)
    grid, years = vega(app)
    assert any(p["name"] == CLAIM_CELL for p in grid["params"])
    assert any(p["name"] == YEAR_BAR for p in years["params"])
    assert link_ids(app) == []
    app.selectbox(key="map_verdict").select("limited_support").run()
    app.selectbox(key="map_certainty").select("low").run()
    expected = [
        c["id"] for c in claims if (c["verdict"], c["certainty"]) == ("limited_support", "low")
    ]
    assert expected and link_ids(app) == expected
    app.selectbox(key="map_verdict").select(None).run()
    app.selectbox(key="map_certainty").select("very low").run()
    expected = [c["id"] for c in claims if c["certainty"] == "very low"]
    assert link_ids(app) == expected[:25]
    captions = [c.value for c in app.caption]
    assert f"{len(expected)} claims judged very low certainty\\." in captions  # escaped text


def test_map_selectboxes_list_the_claims_with_evidence_of_a_year_and_design(
    app: AppTest, seeded_store: Store
) -> None:
    by_cell: dict[tuple[int, str], set[str]] = {}
    with seeded_store.reading() as s:
        for ev, ref in links_with_references(s):
            if (
                ref.year is not None
                and ref.graded_design
                and ref.retraction not in {r.value for r in WITHDRAWN}
            ):
                by_cell.setdefault((ref.year, ref.graded_design), set()).add(ev.claim_id)
    (year, design), expected = max(by_cell.items(), key=lambda kv: (len(kv[1]), kv[0]))
    open_page(app, "evidence_map")
    app.selectbox(key="map_year").select(str(year)).run()
    app.selectbox(key="map_group").select(design).run()
    assert link_ids(app) == sorted(expected)
    app.selectbox(key="map_group").select(None).run()
    in_year = {c for (y, _), ids in by_cell.items() if y == year for c in ids}
    assert set(link_ids(app)) >= in_year


def test_map_flags_retracted_evidence_apart(app: AppTest, seeded_store: Store) -> None:
    from evidence.services.records.references import edit_reference

    with seeded_store.reading() as s:
        ev, ref = links_with_references(s)[0]
        key, claim_id = ref.key, ev.claim_id
    with seeded_store.transaction() as s:
        edit_reference(s, ref=key, retraction=Retraction.retracted.value, actor="t")
    open_page(app, "evidence_map")
    assert any("cite retracted papers" in c.value for c in app.caption)
    app.selectbox(key="map_group").select("retracted").run()
    assert claim_id in link_ids(app)


# --- hostile text and an empty ledger ------------------------------------------------------


def test_hostile_text_stays_text_on_every_page(app: AppTest, seeded_store: Store) -> None:
    with seeded_store.transaction() as s:
        add_source(s, key="hostile", title=HOSTILE, kind="other", actor="t")
        add_claim(s, claim_id="hostile-claim", statement=HOSTILE, claim_type="causal", actor="t")
        add_claim(s, claim_id="plain-claim", statement="Plain.", claim_type="causal", actor="t")
        add_assertion(
            s,
            claim_id="hostile-claim",
            source_key="hostile",
            quote="Q.",
            actor="t",
            unverified=True,  # the source has no text to find it in
        )
        link_claims(
            s, from_claim="hostile-claim", to_claim="plain-claim", relation="leads_to", actor="t"
        )
    escaped = md_text(HOSTILE)
    assert "\\<script\\>" in escaped and "\\*\\*x\\*\\*" in escaped

    open_page(app, "chains", claim="hostile-claim")
    dot = dot_of(app)
    assert_plain_dot(dot)
    assert 'tooltip="<script>alert(1)</script> **x** \\"quote\\\\\\""' in dot
    labels = [link.proto.label for link in app.get("page_link")]
    assert any(escaped in label for label in labels)

    open_page(app, "sources")
    app.multiselect(key="sources_kinds").select("other").run()
    assert [h.value for h in app.subheader] == [escaped]
    assert any(escaped in link.proto.label for link in app.get("page_link"))
    (table,) = app.dataframe
    assert HOSTILE in table.value["Source"].tolist()  # a dataframe cell is text as it is

    open_page(app, "evidence_map")
    app.selectbox(key="map_verdict").select("unproven").run()
    app.selectbox(key="map_certainty").select("very low").run()
    assert "hostile-claim" in link_ids(app)  # 23 such claims: one page
    assert any(escaped in link.proto.label for link in app.get("page_link"))


@pytest.mark.parametrize("page", ["chains", "sources", "evidence_map"])
def test_an_empty_ledger_gets_a_message_not_an_error(
    page: str, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_page(app_on(db_url, monkeypatch), page)
    assert not app.error
    assert len(app.info) == 1


# --- the builders, as pure functions --------------------------------------------------------

SUMMARIES = {
    "a": {"statement": "Cause.", "verdict": "supported", "certainty": "moderate"},
    "b": {"statement": HOSTILE, "verdict": "unproven", "certainty": "very low"},
    "c": {
        "statement": "Effect " * 40,
        "verdict": "refuted",
        "certainty": "low",
        "overridden": True,
    },
}


def test_dot_strings_cannot_end_early_or_become_escapes() -> None:
    assert dot_string('say "hi"') == '"say \\"hi\\""'
    assert dot_string("back\\slash \\N \\G") == '"back\\\\slash \\\\N \\\\G"'
    assert dot_string("line\nbreak\x00") == '"line break "'
    assert dot_string(None) == '""'


def test_chain_dot_colours_links_and_marks_the_weakest_step() -> None:
    dot = chain_dot(SUMMARIES, [("a", "b"), ("b", "c")], weakest={"b"})
    assert dot.startswith("digraph chain {") and dot.endswith("}")
    assert_plain_dot(dot)
    nodes = dot_nodes(dot)
    assert set(nodes) == {"a", "b", "c"}
    assert f'fillcolor="{VERDICT_HEX["supported"]}"' in nodes["a"]
    assert 'fontcolor="#ffffff"' in nodes["a"] and 'fontcolor="#111111"' in nodes["b"]
    assert "WEAKEST STEP" in nodes["b"] and "penwidth=4" in nodes["b"]
    assert "WEAKEST STEP" not in nodes["a"] + nodes["c"]
    assert "Refuted · low · override" in nodes["c"]
    label = re.search(r'label="((?:[^"\\]|\\.)*)"', nodes["c"]).group(1)  # type: ignore[union-attr]
    # issue 16: the whole statement (no "…" below 280 characters), 20 to a line, then status
    assert label.count("\\n") == 14 and " …" not in label
    assert label.split("\\n")[0] == "Effect Effect Effect"
    long = chain_dot({"c": {**SUMMARIES["c"], "statement": "Effect " * 60}}, [("c", "c")])
    assert " …" in long
    assert 'URL="claim?id=a"' in nodes["a"] and "n0 -> n1;" in dot


def test_chain_dot_highlights_one_chain_and_quotes_odd_ids() -> None:
    dot = chain_dot({}, [("x y", 'q"&'), ("x y", "z")], highlight=["x y", 'q"&'])
    assert_plain_dot(dot)
    assert 'URL="claim?id=x%20y"' in dot and 'URL="claim?id=q%22%26"' in dot
    assert "penwidth=3" in dot and 'color="#c8c8c8"' in dot


def test_scorecard_chart_stacks_verdicts_per_source_in_the_order_given() -> None:
    cards = [
        {
            "key": k,
            "title": t,
            "kind": "commercial_marketing",
            "claims": 3,
            "verdicts": {"supported": 1, "limited_support": 0, "refuted": 2},
        }
        for k, t in (("s1", "Same title"), ("s2", "Same title"))
    ]
    spec = scorecard_chart(cards).to_dict()
    order = ["Same title · Commercial marketing", "Same title · Commercial marketing (s2)"]
    assert spec["encoding"]["y"]["sort"] == order
    assert spec["encoding"]["color"]["scale"]["range"] == list(VERDICT_HEX.values())
    (rows,) = spec["datasets"].values()
    assert sorted((r["source"].endswith("(s2)"), r["verdict"], r["claims"]) for r in rows) == [
        (False, "Refuted", 2),
        (False, "Supported", 1),
        (True, "Refuted", 2),
        (True, "Supported", 1),
    ]
    # issue 16: each name is written whole above its bar (the axis's labels, moved there,
    # so they keep the theme's colour), not cut to a third of the chart
    axis = spec["encoding"]["y"]["axis"]
    assert axis["labelAlign"] == "left" and axis["labelPadding"] < 0 and axis["labelOffset"] < 0
    assert axis["labelLimit"] >= 1000
    assert scorecard_chart(cards, shares=True).to_dict()["encoding"]["x"]["stack"] == "normalize"


def test_a_long_source_title_is_named_whole_above_its_bar() -> None:
    title = "The Hidden Connection Between Your Feet and Chronic Back Pain, and What To Do"
    card = {"key": "k", "title": title, "kind": "forum_repost", "claims": 1, "verdicts": {}}
    assert source_label(card) == f"{title} · Forum repost"


def test_observational_designs_are_told_apart_by_colour() -> None:
    from evidence.webui.charts import GROUP_HEX

    def rgb(hex_colour: str) -> tuple[int, ...]:
        return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))

    greens = [rgb(GROUP_HEX[d]) for d in ("cohort", "case_control", "cross_sectional")]
    for i, a in enumerate(greens):
        for b in greens[i + 1 :]:
            assert sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5 > 90


def test_claim_grid_and_evidence_charts_carry_their_selections() -> None:
    grid = claim_grid_chart([{"verdict": "supported", "certainty": "high", "claims": 3}]).to_dict()
    assert [p["name"] for p in grid["params"]] == [CLAIM_CELL]
    assert grid["params"][0]["select"]["fields"] == ["verdict", "certainty"]
    bars = evidence_years_chart(
        [
            {"year": None, "group": "rct", "links": 2, "papers": 1},
            {"year": 1999, "group": "retracted", "links": 1, "papers": 1},
            {"year": 2001, "group": "cohort", "links": 5, "papers": 2},
        ]
    ).to_dict()
    # a real run of years: 2000 had no paper and still has its place
    assert bars["encoding"]["x"]["sort"] == ["1999", "2000", "2001", "no year"]
    assert bars["encoding"]["x"]["scale"]["domain"] == ["1999", "2000", "2001", "no year"]
    colour = bars["encoding"]["color"]["scale"]
    assert (
        dict(zip(colour["domain"], colour["range"], strict=True))["Retracted (excluded)"]
        == "#000000"
    )
    assert bars["params"][0]["select"]["fields"] == ["year", "group"]
