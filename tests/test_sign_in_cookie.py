"""The signed, expiring cookie that keeps a dashboard sign-in across reloads (issue 16)."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from evidence import settings
from evidence.services.records.accounts import (
    add_account,
    password_fingerprint,
    remove_account,
    set_password,
)
from evidence.store.engine import Store
from evidence.webui import sign_in_cookie

PASSWORD = "a synthetic test password"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    settings.configure(data_dir=tmp_path, sign_in_secret=None, sign_in_hours=12.0)
    sign_in_cookie._secret.cache_clear()
    return tmp_path


def test_a_cookie_reads_back_the_account_it_names(data_dir: Path) -> None:
    value = sign_in_cookie.token("cleo", "f" * 32)
    assert "cleo" not in value  # the value is the signer's encoding, not the name in clear
    assert sign_in_cookie.read(value) == ("cleo", "f" * 32)


@pytest.mark.parametrize("cookie", [None, "", "cleo", "x.y.z", "W10.aaaa.bbbb"])
def test_what_this_server_did_not_sign_is_not_a_sign_in(data_dir: Path, cookie: str) -> None:
    assert sign_in_cookie.read(cookie) is None


def test_a_changed_character_or_another_servers_key_is_refused(data_dir: Path) -> None:
    for n in range(50):  # many signatures: one changed character must never pass
        value = sign_in_cookie.token(f"curator-{n}", "f" * 32)
        # the first character: all six of its bits count (the last one's may be padding)
        assert sign_in_cookie.read(("A" if value[0] != "A" else "B") + value[1:]) is None
        payload, signature = value.rsplit(".", 1)
        flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
        assert sign_in_cookie.read(f"{payload}.{flipped}") is None
    value = sign_in_cookie.token("cleo", "f" * 32)
    settings.configure(sign_in_secret="another dashboard's key")
    assert sign_in_cookie.read(value) is None


def test_a_cookie_older_than_the_sign_in_hours_is_refused(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = sign_in_cookie.token("cleo", "f" * 32)
    later = time.time() + 3 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert sign_in_cookie.read(value) == ("cleo", "f" * 32)  # 3 of 12 hours
    settings.configure(sign_in_hours=2.0)
    assert sign_in_cookie.read(value) is None


def test_the_key_is_made_once_kept_private_and_shared_by_the_next_start(data_dir: Path) -> None:
    first = sign_in_cookie.secret()
    path = data_dir / sign_in_cookie.SECRET_FILE
    assert path.read_text() == first and len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sign_in_cookie._secret.cache_clear()
    assert sign_in_cookie.secret() == first
    settings.configure(sign_in_secret="set by the operator")
    assert sign_in_cookie.secret() == "set by the operator"


def test_the_scripts_set_a_strict_expiring_cookie_and_clear_it(data_dir: Path) -> None:
    script = sign_in_cookie.set_script("abc.def.ghi")
    assert "evidence_sign_in=abc.def.ghi; Max-Age=43200; Path=/; SameSite=Strict" in script
    assert "Secure" in script  # over https
    assert "evidence_sign_in=; Max-Age=0" in sign_in_cookie.clear_script()


def test_a_new_password_or_a_removed_account_ends_a_remembered_sign_in(store: Store) -> None:
    with store.transaction() as s:
        add_account(s, username="cleo", role="curator", password=PASSWORD, actor="t")
        add_account(s, username="ada", role="admin", password=PASSWORD, actor="t")
    with store.reading() as s:
        remembered = password_fingerprint(s, "cleo")
        assert remembered and password_fingerprint(s, "nobody") is None
    with store.transaction() as s:
        set_password(s, username="cleo", password=PASSWORD + " renewed", actor="t")
    with store.reading() as s:
        assert password_fingerprint(s, "cleo") not in (None, remembered)
    with store.transaction() as s:
        remove_account(s, username="cleo", actor="ada")
    with store.reading() as s:
        assert password_fingerprint(s, "cleo") is None
