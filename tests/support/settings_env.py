"""Point this test's settings at other values (fake services' URLs, keys, timeouts)."""

from __future__ import annotations

import pytest

from evidence import settings


def set_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    """Set EVIDENCE_* variables for the rest of the test and forget cached settings."""
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings.reset()
