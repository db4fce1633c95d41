"""The `evidence` command, driven as a user would: happy paths, JSON shapes, and every bad input
exiting non-zero with a message that names it while the database stays exactly as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.support.cli_result import ok
from tests.support.snapshot import file_digest, rows

ORTHOSES = "foot-orthoses-reduce-back-pain"


def test_init_creates_the_default_database_and_is_safe_twice(tmp_path: Path) -> None:
    cli = Cli(None)  # no URL: the default SQLite file in EVIDENCE_DATA_DIR
    first = ok(cli("init"))
    assert "migrated from empty" in first
    assert (tmp_path / "data" / "evidence.db").exists()
    assert "already up to date" in ok(cli("init"))
    assert "claims: 40 added" in ok(cli("seed"))
    assert "claims: 0 added, 40 already present" in ok(cli("seed"))
    assert len(json.loads(ok(cli("claims", "list", "--json")))) == 40


def test_claims_list_json_has_every_claim_with_verdict_and_explanation(cli: Cli) -> None:
    claims = json.loads(ok(cli("claims", "list", "--json")))
    assert len(claims) == 40
    for c in claims:
        assert {"id", "statement", "verdict", "band", "certainty", "explanation"} <= set(c)
    bands = {
        b: json.loads(ok(cli("claims", "list", "--band", b, "--json")))
        for b in ("supported", "disputed", "unproven")
    }
    assert sum(len(v) for v in bands.values()) == 40
    assert all(c["band"] == b for b, v in bands.items() for c in v)
    text = ok(cli("claims", "list"))
    assert "40 claims" in text


def test_claim_show_json_has_evidence_and_sources(cli: Cli) -> None:
    d = json.loads(ok(cli("claim", "show", ORTHOSES, "--json")))
    assert d["verdict"] == "contested" and d["evidence"] and d["sources"]
    for e in d["evidence"]:
        assert set(e["reference"]) >= {"doi", "pmid", "pmcid", "key", "title"}
        assert {"design", "stance", "certainty", "rationale"} <= set(e)
    assert {"key", "kind", "quote"} <= set(d["sources"][0])
    text = ok(cli("claim", "show", ORTHOSES))
    assert "Contested" in text and "Evidence" in text


def test_curating_a_claim_end_to_end(cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Our insoles? <b>It works.</b></p></body></html>")
    ok(
        cli(
            "source",
            "add",
            "synthetic-page",
            "--title",
            "A synthetic page",
            "--kind",
            "health_article",
            "--text-file",
            str(page),
        )
    )
    ok(
        cli(
            "claim",
            "add",
            "synthetic-claim",
            "--statement",
            "Synthetic statement.",
            "--type",
            "treatment",
            "--tag",
            "heel",
            "--source",
            "synthetic-page",
            "--quote",
            "It works.",
            user="carol",
        )
    )
    assert "not yet assessed" in ok(cli("claim", "show", "synthetic-claim"))
    added = json.loads(
        ok(
            cli(
                "ref",
                "add",
                "https://doi.org/10.5555/SYN.1",
                "PMID:90000042",
                "10.5555/syn.1",
                "--json",
            )
        )
    )
    assert [a["created"] for a in added] == [True, True, False]
    ok(cli("ref", "edit", "10.5555/syn.1", "--design", "rct", "--title", "A synthetic RCT"))
    out = ok(
        cli(
            "link",
            "synthetic-claim",
            "doi:10.5555/syn.1",
            "--stance",
            "supports",
            "--rationale",
            "Synthetic trial supports it.",
            "--directness",
            "indirect",
            user="carol",
        )
    )
    assert "Supported (moderate)" in out
    out = ok(cli("override", "synthetic-claim", "contested", "--reason", "Conflicting trial."))
    assert "curator override by tester: Conflicting trial." in out
    d = json.loads(ok(cli("claim", "show", "synthetic-claim", "--json")))
    assert (d["verdict"], d["computed_verdict"]) == ("contested", "supported")
    assert d["evidence"][0]["reference"]["doi"] == "10.5555/syn.1"
    assert d["sources"] == [
        {
            "key": "synthetic-page",
            "title": "A synthetic page",
            "kind": "health_article",
            "conflicts_of_interest": None,
            "quote": "It works.",
            # found in the page's text (its HTML reduced to what a reader sees)
            "quote_match": "exact",
            "quote_score": 100.0,
            "context": {
                "before": "Our insoles? ",
                "quote": "It works.",
                "after": "",
                "start": 13,
                "end": 22,
            },
        }
    ]
    ok(cli("override", "synthetic-claim", "--clear", "--reason", "Resolved."))
    ok(
        cli(
            "search-log",
            "synthetic-claim",
            "--database",
            "PubMed",
            "--query",
            "synthetic",
            "--hits",
            "3",
            "--date",
            "2026-10-01",
        )
    )
    ok(cli("claim-link", "synthetic-claim", ORTHOSES, "--relation", "refines"))
    ok(cli("claim-link", "synthetic-claim", "yoga-relieves-whole-body-tension"))
    ok(
        cli(
            "claim-unlink",
            "synthetic-claim",
            "yoga-relieves-whole-body-tension",
            "--reason",
            "linked by mistake",
        )
    )
    gone = cli("claim-unlink", "synthetic-claim", "yoga-relieves-whole-body-tension")
    assert gone.exit_code == 3 and "no such link" in gone.stderr
    ok(
        cli(
            "claim",
            "edit",
            "synthetic-claim",
            "--statement",
            "Edited statement.",
            "--reason",
            "typo",
            user="dave",
        )
    )
    history = json.loads(ok(cli("history", "synthetic-claim", "--json")))
    assert history[0]["actor"] == "dave" and history[0]["reason"] == "typo"
    assert {h["actor"] for h in history} == {"carol", "tester", "dave"}
    assert {h["entity"] for h in history} >= {
        "claim",
        "evidence",
        "override",
        "search",
        "claim_link",
        "assertion",
    }
    refused = cli("ref", "remove", "10.5555/syn.1")
    assert refused.exit_code == 2 and "unlink it first from synthetic-claim" in refused.stderr
    ok(cli("unlink", "synthetic-claim", "10.5555/syn.1", "--reason", "wrong paper"))
    assert "Removed doi:10.5555/syn.1." in ok(cli("ref", "remove", "10.5555/syn.1"))
    assert ok(cli("history", "--json", "--limit", "1")).count('"action": "delete"') == 1
    assert "A synthetic RCT" not in ok(cli("refs", "list"))


def test_chain_and_sources_reports(cli: Cli) -> None:
    chain = json.loads(ok(cli("chain", "lumbar-nerve-root-tethering", "--json")))
    assert chain["paths"]
    for path in chain["paths"]:
        ids = [s["id"] for s in path["steps"]]
        assert ids[0] == "nmf-old-injury-lumbar-fibrosis" and "lumbar-nerve-root-tethering" in ids
        assert path["steps"][path["weakest_index"]]["id"] == path["weakest"]
    assert "<- weakest" in ok(cli("chain", "lumbar-nerve-root-tethering"))
    assert "not part of any leads_to chain" in ok(cli("chain", "yoga-relieves-whole-body-tension"))
    cards = json.loads(ok(cli("sources", "--json")))
    assert len(cards) == 5 and sum(c["claims"] for c in cards) >= 40
    deck = next(c for c in cards if c["kind"] == "educational_slide_deck")
    assert deck["claims"] == sum(deck["verdicts"].values()) == 20


def test_two_writers_the_second_gets_a_conflict_and_nothing_is_lost(cli: Cli) -> None:
    seen = json.loads(ok(cli("claim", "show", ORTHOSES, "--json")))["version"]
    ok(
        cli(
            "claim",
            "edit",
            ORTHOSES,
            "--add-tag",
            "ann_tag",
            "--expected-version",
            str(seen),
            user="ann",
        )
    )
    late = cli(
        "claim",
        "edit",
        ORTHOSES,
        "--add-tag",
        "bob_tag",
        "--expected-version",
        str(seen),
        user="bob",
    )
    assert late.exit_code == 5
    assert f"claim '{ORTHOSES}' was changed by someone else" in late.stderr
    tags = json.loads(ok(cli("claim", "show", ORTHOSES, "--json")))["tags"]
    assert "ann_tag" in tags and "bob_tag" not in tags


BAD_INPUTS = [
    pytest.param(
        ["ref", "add", "10.5555/fine", "10.12/x"],
        2,
        "invalid identifier '10.12/x'",
        id="malformed-identifier",
    ),
    pytest.param(
        ["ref", "add", "https://example.org/paper"],
        2,
        "invalid identifier 'https://example.org/paper'",
        id="unknown-url",
    ),
    pytest.param(
        ["claim", "show", "no-such-claim"],
        3,
        "unknown claim 'no-such-claim'",
        id="unknown-claim-show",
    ),
    pytest.param(
        ["link", "no-such-claim", "10.1093/pm/pnz086", "--stance", "supports", "--rationale", "r"],
        3,
        "unknown claim 'no-such-claim'",
        id="unknown-claim-link",
    ),
    pytest.param(
        ["link", ORTHOSES, "10.1093/pm/pnz086", "--stance", "agrees", "--rationale", "r"],
        2,
        "invalid stance 'agrees'",
        id="unknown-stance",
    ),
    pytest.param(
        ["link", ORTHOSES, "10.5555/not-stored", "--stance", "supports", "--rationale", "r"],
        3,
        "unknown reference '10.5555/not-stored'",
        id="unknown-reference",
    ),
    pytest.param(
        ["ref", "edit", "10.1093/pm/pnz086", "--design", "anecdote"],
        2,
        "invalid design 'anecdote'",
        id="unknown-design",
    ),
    pytest.param(
        ["override", ORTHOSES, "supported"],
        2,
        "needs a written reason (--reason)",
        id="override-without-reason",
    ),
    pytest.param(
        ["override", ORTHOSES, "supported", "--reason", "  "],
        2,
        "needs a written reason",
        id="override-blank-reason",
    ),
    pytest.param(
        ["link", ORTHOSES, "10.1093/pm/pnz086", "--downgrade", "risk_of_bias"],
        2,
        "risk of bias is set with --risk-of-bias high (and lifted with --risk-of-bias "
        "not_flagged), not --downgrade",
        id="risk-of-bias-one-way",  # issue 16: settable one way, not two
    ),
    pytest.param(
        ["link", ORTHOSES, "10.1093/pm/pnz086", "--downgrade", "Indirectness"],
        2,
        "indirectness is set with --directness indirect",
        id="indirectness-one-way",
    ),
    pytest.param(
        ["override", ORTHOSES, "proven", "--reason", "r"],
        2,
        "invalid verdict 'proven'",
        id="unknown-verdict",
    ),
    pytest.param(
        ["claim", "add", ORTHOSES, "--statement", "s", "--type", "causal"],
        4,
        f"claim '{ORTHOSES}' already exists",
        id="duplicate-claim",
    ),
    pytest.param(
        [
            "claim",
            "add",
            "new-claim",
            "--statement",
            "s",
            "--type",
            "causal",
            "--source",
            "no-such-source",
            "--quote",
            "q",
        ],
        3,
        "unknown source 'no-such-source'",
        id="half-written-claim",
    ),
    pytest.param(["claims", "list", "--band", "great"], 2, "invalid band 'great'", id="bad-band"),
    pytest.param(
        [
            "search-log",
            ORTHOSES,
            "--database",
            "PubMed",
            "--query",
            "q",
            "--hits",
            "1",
            "--date",
            "01/02/2026",
        ],
        2,
        "invalid date '01/02/2026'",
        id="bad-date",
    ),
    pytest.param(
        ["claim-link", ORTHOSES, "no-such-claim"],
        3,
        "unknown claim 'no-such-claim'",
        id="claim-link-unknown",
    ),
    pytest.param(
        ["--db", "definitely not a url", "claims", "list"],
        6,
        "cannot use database 'definitely not a url': not a database URL",
        id="unreadable-url",
    ),
    pytest.param(
        ["--db", "sqlite:////no/such/dir/x.db", "claims", "list"],
        6,
        "no database file at /no/such/dir/x.db",
        id="missing-sqlite-file",
    ),
    pytest.param(
        ["--db", "oracle://u@h/x", "claims", "list"],
        6,
        "unsupported database 'oracle'",
        id="unsupported-backend",
    ),
]


@pytest.mark.parametrize(("args", "code", "message"), BAD_INPUTS)
def test_bad_input_exits_non_zero_names_it_and_changes_nothing(
    cli: Cli, seeded_url: str, args: list[str], code: int, message: str
) -> None:
    before_rows, before_bytes = rows(seeded_url), file_digest(seeded_url)
    result = cli(*args)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert message in result.stderr
    assert result.stderr.startswith("error: ")
    assert rows(seeded_url) == before_rows
    assert file_digest(seeded_url) == before_bytes


def test_commands_refuse_a_database_that_was_never_initialised(new_db: Callable[..., str]) -> None:
    url = new_db(migrated=False)
    result = Cli(url)("claims", "list")
    assert result.exit_code == 6
    assert "has no evidence schema" in result.stderr and "evidence init" in result.stderr


def test_the_installed_console_script_reports_errors_with_exit_codes(seeded_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_")}
    env |= {"EVIDENCE_DATABASE_URL": seeded_url, "EVIDENCE_USER": "script"}
    exe = Path(sys.executable).with_name("evidence")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "evidence"]
    listed = subprocess.run(
        [*command, "claims", "list", "--json"], env=env, capture_output=True, text=True, timeout=120
    )
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 40
    bad = subprocess.run(
        [*command, "claim", "show", "nope"], env=env, capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 3
    assert bad.stderr.strip() == "error: unknown claim 'nope' (see `evidence claims list`)"
    assert "Traceback" not in bad.stderr


def test_global_options_may_follow_the_command(cli: Cli, seeded_url: str, tmp_path: Path) -> None:
    dump = tmp_path / "ledger.json"
    assert cli("export", "--format", "json", "-o", str(dump)).exit_code == 0
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    # as the README writes them, and after the command's own arguments
    restored = Cli(None)("restore", str(dump), "--db", target, "--as", "restorer")
    assert restored.exit_code == 0, restored.stderr
    listed = Cli(None)("claims", "list", "--json", f"--db={target}")
    assert listed.exit_code == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 40
    claim = json.loads(listed.stdout)[0]["id"]
    overridden = Cli(None)(
        "override", claim, "unproven", "--reason", "A test.", "--as", "overrider", "--db", target
    )
    assert overridden.exit_code == 0, overridden.stderr
    history = Cli(None)("history", claim, "--db", target, "--json", "--limit", "1")
    assert history.exit_code == 0, history.stderr
    assert [h["actor"] for h in json.loads(history.stdout)] == ["overrider"]
    # after `--` nothing is an option of ours
    literal = Cli(None)("claims", "list", "--db", target, "--", "--db")
    assert literal.exit_code == 2 and "--db" in literal.stderr


def test_global_options_first_moves_only_our_options() -> None:
    from evidence.cli.app import global_options_first

    assert global_options_first(["restore", "d.json", "--db", "sqlite:///x.db"]) == [
        "--db",
        "sqlite:///x.db",
        "restore",
        "d.json",
    ]
    assert global_options_first(["ref", "edit", "k", "--as=ana", "--title", "T"]) == [
        "--as=ana",
        "ref",
        "edit",
        "k",
        "--title",
        "T",
    ]
    assert global_options_first(["claims", "list", "--", "--db", "x"]) == [
        "claims",
        "list",
        "--",
        "--db",
        "x",
    ]


def test_a_links_quote_from_the_paper_is_shown_everywhere(cli: Cli, tmp_path: Path) -> None:
    ok(cli("ref", "add", "10.5555/quoted.1"))
    quote = "Heel pain fell by half at six weeks."
    ok(
        cli(
            "link",
            ORTHOSES,
            "doi:10.5555/quoted.1",
            "--stance",
            "supports",
            "--rationale",
            "A synthetic trial.",
            "--quote",
            quote,
        )
    )
    assert f"From the paper: \u201c{quote}\u201d" in ok(cli("claim", "show", ORTHOSES))
    shown = json.loads(ok(cli("claim", "show", ORTHOSES, "--json")))
    assert [e["quote"] for e in shown["evidence"] if e["quote"]] == [quote]
    summary = tmp_path / "summary.md"
    ok(cli("export", "--format", "markdown", "--claim", ORTHOSES, "-o", str(summary)))
    assert f"From the paper: “{quote}”" in summary.read_text()


def test_history_says_what_changed_on_a_paper(cli: Cli) -> None:
    ok(cli("ref", "add", "10.5555/history.1"))
    ok(cli("ref", "edit", "doi:10.5555/history.1", "--design", "cohort", "--title", "A cohort"))
    (line,) = ok(cli("history", "--limit", "1")).splitlines()
    assert "changed design (none → cohort), title of paper" in line
    assert "“A cohort”" in line and "update reference" not in line


def test_ref_add_resolve_gives_up_at_once_when_no_server_name_resolves(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # .invalid never resolves (RFC 6761): what an offline machine sees for every service
    for service in ("PUBMED", "CROSSREF", "OPENALEX"):
        monkeypatch.setenv(f"EVIDENCE_{service}_URL", f"http://{service.lower()}.invalid")
    started = time.monotonic()
    result = cli("ref", "add", "10.5555/offline.1", "--resolve")
    took = time.monotonic() - started
    assert took < 3, f"{took:.1f} s: retried a name that cannot resolve"
    assert result.exit_code == 7
    assert "10.5555/offline.1 -> doi:10.5555/offline.1 (added)" in result.stdout
    assert "The papers are stored as given" in result.stdout
    assert "cannot find the server crossref.invalid" in result.stdout + result.stderr
    assert "doi:10.5555/offline.1" in ok(cli("refs", "list"))


def test_the_markdown_summary_is_grouped_by_band_with_contents(cli: Cli, tmp_path: Path) -> None:
    ok(cli("override", ORTHOSES, "refuted", "--reason", "A synthetic reason."))
    out = tmp_path / "summary.md"
    ok(cli("export", "--format", "markdown", "-o", str(out)))
    summary = out.read_text()
    claims = json.loads(ok(cli("claims", "list", "--json")))
    counts = {b: sum(c["band"] == b for c in claims) for b in ("supported", "disputed", "unproven")}
    contents, body = summary.split("\n## Supported", 1)
    # the contents list: each band with its count, then its claims by id
    for band, n in counts.items():
        assert f"- **{band.capitalize()}** ({n})" in contents
    assert all(f"`{c['id']}`" in contents for c in claims)
    # the bands in order, each claim's section under its own band
    starts = [body.find(f"\n## {b.capitalize()} (") for b in ("disputed", "unproven")]
    assert 0 < starts[0] < starts[1]
    section = body.index("`" + ORTHOSES + "` ·")
    assert starts[0] < section < starts[1]  # refuted by the override: disputed
    assert body.count("\n### ") == len(claims)
    # an override said once, the computed verdict beside it
    mine = body[section : body.find("\n### ", section)]
    assert mine.count("A synthetic reason.") == 1
    assert "**Refuted (moderate; curator override)**" in mine and "> Computed: " in mine


def test_an_override_shows_a_certainty_that_fits_it(cli: Cli, tmp_path: Path) -> None:
    """Issue 16: `override CLAIM unproven` printed the computed "⊕⊕◯◯" beside "Unproven",
    and the chain called the step "(unproven, low)"."""
    step = "lordosis-loss-alters-lumbar-mechanics"  # limited support, low; in chains
    out = ok(cli("override", step, "unproven", "--reason", "A synthetic reason."))
    assert out.startswith("⊕◯◯◯  Unproven (very low; curator override by tester")
    assert "Computed: Limited support (low)" in out
    shown = json.loads(ok(cli("claim", "show", step, "--json")))
    assert (shown["certainty"], shown["computed_certainty"]) == ("very low", "low")
    assert shown["override"]["certainty"] is None  # fitted to the verdict, not chosen
    for path in json.loads(ok(cli("chain", step, "--json")))["paths"]:
        mine = next(s for s in path["steps"] if s["id"] == step)
        assert (mine["verdict"], mine["certainty"]) == ("unproven", "very low")
    summary = tmp_path / "summary.md"
    ok(cli("export", "--format", "markdown", "-o", str(summary)))
    text = summary.read_text()
    section = text[text.index(f"`{step}` ·") :]
    assert "⊕◯◯◯ **Unproven (very low; curator override)**" in section
    assert "> Computed: ⊕⊕◯◯ Limited support (low)" in section

    # the curator's own certainty, checked against what the verdict can have
    out = ok(cli("override", step, "supported", "--certainty", "high", "--reason", "Panel."))
    assert out.startswith("⊕⊕⊕⊕  Supported (high; curator override")
    result = cli("override", step, "supported", "--certainty", "low", "--reason", "Panel.")
    assert result.exit_code == 2
    assert "invalid certainty 'low': expected moderate or high for the verdict Supported" in (
        result.stderr
    )
    assert step in result.stderr
    assert json.loads(ok(cli("claim", "show", step, "--json")))["certainty"] == "high"
    result = cli("override", step, "--clear", "--certainty", "low", "--reason", "r")
    assert result.exit_code == 2 and "--certainty goes with a VERDICT" in result.stderr

    # an override that says what the grading says is kept, with a warning
    result = cli("override", step, "limited_support", "--reason", "Same as computed.")
    assert result.exit_code == 0
    assert "Warning: the override of lordosis-loss-alters-lumbar-mechanics is the computed " in (
        result.stderr
    )
    assert "Warning" not in ok(cli("override", step, "refuted", "--reason", "Panel."))


def test_ref_edit_says_which_verdicts_it_moved(cli: Cli) -> None:
    empty = "berlin-2023-tibial-compression-case-series"  # searched, nothing linked
    ok(cli("ref", "add", "10.5555/moved.1"))
    ok(cli("link", empty, "doi:10.5555/moved.1", "--stance", "supports", "--rationale", "S."))
    before = json.loads(ok(cli("claim", "show", empty, "--json")))
    out = ok(cli("ref", "edit", "doi:10.5555/moved.1", "--design", "lab_mechanistic"))
    assert "No verdict changed (1 claim cites it)." in out
    out = ok(
        cli(
            "ref",
            "edit",
            "doi:10.5555/moved.1",
            "--design",
            "systematic_review",
            "--review-of",
            "rcts",
        )
    )
    after = json.loads(ok(cli("claim", "show", empty, "--json")))
    assert (before["verdict"], before["certainty"]) != (after["verdict"], after["certainty"])
    was = f"{before['verdict'].replace('_', ' ').capitalize()} ({before['certainty']})"
    now = f"{after['verdict'].replace('_', ' ').capitalize()} ({after['certainty']})"
    assert f"  {empty}: {was} -> {now}" in out


def test_ref_edit_sets_the_details_of_a_paper_stored_offline(cli: Cli) -> None:
    """Issue 16: a paper attached offline needs its title, year and authors by hand."""
    empty = "berlin-2023-tibial-compression-case-series"
    ok(cli("ref", "add", "10.5555/offline.cli.1"))
    ok(cli("link", empty, "doi:10.5555/offline.cli.1", "--stance", "supports", "--rationale", "S."))
    shown = json.loads(ok(cli("claim", "show", empty, "--json")))["evidence"][0]["reference"]
    assert shown["metadata_pending"] and shown["authors"] == []
    ok(
        cli(
            "ref", "edit", "doi:10.5555/offline.cli.1", "--title", "  A  synthetic title ",
            "--year", "2020", "--author", "Doe J", "--author", "Roe R",
        )
    )  # fmt: skip
    shown = json.loads(ok(cli("claim", "show", empty, "--json")))["evidence"][0]["reference"]
    assert (shown["title"], shown["year"], shown["authors"]) == (
        "A synthetic title",
        2020,
        ["Doe J", "Roe R"],
    )
    assert not shown["metadata_pending"]
    (entry,) = json.loads(ok(cli("history", "--limit", "1", "--json")))
    assert entry["after"]["authors"] == ["Doe J", "Roe R"] and entry["before"]["authors"] == []


def test_link_sets_the_papers_design_in_the_same_change(cli: Cli) -> None:
    ok(cli("ref", "add", "10.5555/designed.1"))
    ok(
        cli(
            "link",
            ORTHOSES,
            "doi:10.5555/designed.1",
            "--stance",
            "supports",
            "--rationale",
            "S.",
            "--design",
            "systematic_review",
            "--review-of",
            "rcts",
        )
    )
    shown = json.loads(ok(cli("claim", "show", ORTHOSES, "--json")))
    (row,) = [e for e in shown["evidence"] if e["reference"]["key"] == "doi:10.5555/designed.1"]
    assert (row["design"], row["review_of"], row["starting_certainty"]) == (
        "systematic_review",
        "rcts",
        "high",
    )
    bad = cli("link", ORTHOSES, "doi:10.5555/designed.1", "--design", "anecdote")
    assert bad.exit_code == 2 and "design" in bad.stderr
