"""`evidence export --format json` and `evidence restore`: dump -> restore -> dump gives the same
bytes, on SQLite, on PostgreSQL and from one to the other; a bad dump names the row and writes
nothing; restore only into an empty database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence.cli.app import app
from tests.conftest import Cli
from tests.support.cli_result import ok
from tests.support.snapshot import rows

FIXTURES = Path(__file__).parent / "fixtures"


def busy_ledger(cli: Cli) -> None:
    """The starter content plus one of every kind of change, so every table has rows."""
    ok(cli("import", str(FIXTURES / "pubmed_efetch_synthetic.xml")))
    ok(
        cli(
            "claim",
            "add",
            "synthetic-dump-claim",
            "--statement",
            "Synthetic: «quoted» ünïcode.",
            "--type",
            "association",
            "--tag",
            "heel",
        )
    )
    ok(
        cli(
            "link",
            "synthetic-dump-claim",
            "pmid:90000101",
            "--stance",
            "supports",
            "--rationale",
            'Synthetic rationale with a "quote" and a newline\nin it.',
        )
    )
    ok(cli("override", "synthetic-dump-claim", "refuted", "--reason", "Synthetic override."))
    ok(
        cli(
            "search-log",
            "synthetic-dump-claim",
            "--database",
            "PubMed",
            "--query",
            "heel AND synthetic",
            "--hits",
            "0",
            "--date",
            "2026-11-01",
        )
    )
    ok(cli("ref", "edit", "pmid:90000102", "--design", "rct", "--reason", "Synthetic edit."))
    added = cli.runner.invoke(
        app,
        ["users", "add", "synthetic-curator", "--role", "curator", "--password-stdin"],
        input="synthetic passphrase\n",
        env={"EVIDENCE_DATABASE_URL": cli.url},
    )
    assert added.exit_code == 0, added.stderr


def dump(cli: Cli, url: str, path: Path) -> bytes:
    ok(cli("export", "--format", "json", "-o", str(path), url=url))
    return path.read_bytes()


def test_dump_restore_dump_is_byte_identical(seeded_url: str, new_db, tmp_path: Path) -> None:
    cli = Cli(seeded_url)
    busy_ledger(cli)
    first = dump(cli, seeded_url, tmp_path / "first.json")
    target = new_db(migrated=False)
    said = ok(cli("restore", str(tmp_path / "first.json"), url=target))
    assert "Restored" in said and "reference" in said
    assert dump(cli, target, tmp_path / "second.json") == first
    assert rows(target) == rows(seeded_url)
    document = json.loads(first)
    assert document["format"] == "evidence-dump" and document["schema"]
    assert {t for t, r in document["tables"].items() if r} == {
        "source",
        "claim",
        "assertion",
        "reference",
        "evidence",
        "claim_link",
        "evidence_search",
        "override",
        "history",
        "account",
    }


def test_a_restored_database_takes_new_rows(seeded_url: str, new_db, tmp_path: Path) -> None:
    """Ids came from the dump: the database's own sequences must continue after them."""
    cli = Cli(seeded_url)
    dump(cli, seeded_url, tmp_path / "d.json")
    target = new_db()
    ok(cli("restore", str(tmp_path / "d.json"), url=target))
    ok(cli("ref", "add", "10.5555/after.restore", url=target))
    ok(
        cli(
            "claim",
            "add",
            "after-restore",
            "--statement",
            "Synthetic.",
            "--type",
            "causal",
            url=target,
        )
    )
    history = json.loads(ok(cli("history", "--json", "--limit", "1", url=target)))
    assert history[0]["key"] == "after-restore"


def test_dump_moves_a_ledger_between_sqlite_and_postgresql(
    sqlite_factory, postgres_factory, tmp_path: Path
) -> None:
    source = sqlite_factory.new(seeded=True)
    cli = Cli(source)
    busy_ledger(cli)
    first = dump(cli, source, tmp_path / "sqlite.json")
    on_postgres = postgres_factory.new(seeded=False)
    ok(cli("restore", str(tmp_path / "sqlite.json"), url=on_postgres))
    assert dump(cli, on_postgres, tmp_path / "postgres.json") == first
    back = sqlite_factory.new(seeded=False)
    ok(cli("restore", str(tmp_path / "postgres.json"), url=back))
    assert dump(cli, back, tmp_path / "back.json") == first


def test_restore_refuses_a_database_that_holds_anything(seeded_url: str, tmp_path: Path) -> None:
    cli = Cli(seeded_url)
    dump(cli, seeded_url, tmp_path / "d.json")
    before = rows(seeded_url)
    result = cli("restore", str(tmp_path / "d.json"))
    assert result.exit_code == 2
    assert "restore needs an empty database; this one holds" in result.stderr
    # in words: "40 claims, ... 1 override, ... history entries", not table names
    held = result.stderr.split("this one holds ", 1)[1]
    assert "40 claims" in held and "history entries" in held and "papers" in held
    assert "history_entry" not in held and " reference" not in held
    assert rows(seeded_url) == before


def _edit(document: dict, table: str, index: int, **changes) -> dict:  # noqa: ANN003
    document["tables"][table][index].update(changes)
    return document


BAD_DUMPS = [
    ("not json", b"{ not json", "not valid JSON (line 1"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not UTF-8 text"),
    ("other json", b'{"items": []}', "not an evidence dump"),
    ("future version", {"version": 99}, "dump format version 99"),
    ("other schema", {"schema": "9999"}, "written at schema '9999'"),
    ("unknown table", {"tables.extra": []}, "unknown table(s): extra"),
    (
        "unknown column",
        ("reference", 0, {"colour": "red"}),
        "reference #1: unknown column(s): colour",
    ),
    (
        "wrong type",
        ("reference", 2, {"year": "2019"}),
        "reference #3: reference.year is '2019', not a whole number",
    ),
    (
        "bad time",
        ("claim", 1, {"created_at": "yesterday"}),
        "claim #2: claim.created_at is 'yesterday'",
    ),
    ("null key", ("claim", 0, {"statement": None}), "claim #1: claim.statement may not be null"),
    ("too long", ("reference", 0, {"pmid": "9" * 40}), "not text of at most 12 characters"),
]


@pytest.mark.parametrize(("label", "change", "message"), BAD_DUMPS, ids=[b[0] for b in BAD_DUMPS])
def test_a_bad_dump_names_the_row_and_writes_nothing(
    label: str, change, message: str, seeded_url: str, new_db, tmp_path: Path
) -> None:
    cli = Cli(seeded_url)
    good = json.loads(dump(cli, seeded_url, tmp_path / "good.json"))
    bad = tmp_path / "bad.json"
    if isinstance(change, bytes):
        bad.write_bytes(change)
    else:
        if isinstance(change, tuple):
            _edit(good, *change[:2], **change[2])
        else:
            for key, value in change.items():
                if key.startswith("tables."):
                    good["tables"][key.split(".", 1)[1]] = value
                else:
                    good[key] = value
        bad.write_text(json.dumps(good), encoding="utf-8")
    target = new_db()
    result = cli("restore", str(bad), url=target)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert str(bad) in result.stderr and message in result.stderr, result.stderr
    assert all(not r for r in rows(target).values())


def test_a_dump_that_fails_late_leaves_nothing_behind(
    seeded_url: str, new_db, tmp_path: Path
) -> None:
    """The last table breaks after the others were checked: the transaction keeps none."""
    cli = Cli(seeded_url)
    good = json.loads(dump(cli, seeded_url, tmp_path / "good.json"))
    last = [t for t, r in good["tables"].items() if r][-1]
    good["tables"][last].append(dict(good["tables"][last][0]))  # a duplicate primary key
    (tmp_path / "bad.json").write_text(json.dumps(good), encoding="utf-8")
    target = new_db()
    result = cli("restore", str(tmp_path / "bad.json"), url=target)
    assert result.exit_code == 2
    assert f"{last} #{len(good['tables'][last])}: repeats the primary key" in result.stderr
    assert all(not r for r in rows(target).values())


def test_a_row_pointing_at_a_row_the_dump_lacks_is_named(
    seeded_url: str, new_db, tmp_path: Path
) -> None:
    """An evidence row pointing at a reference the dump does not hold is named, and nothing
    is written."""
    cli = Cli(seeded_url)
    good = json.loads(dump(cli, seeded_url, tmp_path / "good.json"))
    good["tables"]["evidence"][-1]["reference_id"] = 999999
    (tmp_path / "bad.json").write_text(json.dumps(good), encoding="utf-8")
    target = new_db()
    result = cli("restore", str(tmp_path / "bad.json"), url=target)
    assert result.exit_code == 2, result.stderr
    number = len(good["tables"]["evidence"])
    assert (
        f"evidence #{number}: evidence.reference_id is 999999, which is no reference.id in the dump"
    ) in result.stderr
    assert all(not r for r in rows(target).values())


def test_json_export_takes_no_filter_and_a_failed_export_leaves_no_file(
    seeded_url: str, tmp_path: Path
) -> None:
    cli = Cli(seeded_url)
    result = cli("export", "--format", "json", "--band", "supported")
    assert result.exit_code == 2 and "the JSON dump is the whole ledger" in result.stderr
    result = cli("export", "--format", "json", "-o", str(tmp_path / "missing" / "d.json"))
    assert result.exit_code == 2 and "its folder does not exist" in result.stderr
    result = cli(
        "export", "--format", "markdown", "--claim", "no-such-claim", "-o", str(tmp_path / "s.md")
    )
    assert result.exit_code == 3
    assert list(tmp_path.iterdir()) == []


def test_a_bad_dump_creates_no_database(seeded_url: str, tmp_path: Path) -> None:
    cli = Cli(seeded_url)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "evidence-dump"}', encoding="utf-8")
    target = tmp_path / "new.db"
    result = cli("restore", str(bad), url=f"sqlite:///{target}")
    assert result.exit_code == 2 and not target.exists()


def test_export_to_a_folder_or_to_stdout(seeded_url: str, tmp_path: Path) -> None:
    cli = Cli(seeded_url)
    result = cli("export", "--format", "json", "-o", str(tmp_path))
    assert result.exit_code == 2 and "a folder, not a file" in result.stderr
    to_file = dump(cli, seeded_url, tmp_path / "d.json")
    assert ok(cli("export", "--format", "json")).encode("utf-8") == to_file
