"""What one service said about one paper: its record, that it does not know the paper, or
why it could not be asked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from evidence.domain.metadata import PaperMetadata


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()  # the service answered, and has no such paper


@dataclass(frozen=True)
class Failed:
    reason: str  # already names the service


Answer = PaperMetadata | _Unknown | Failed

OFFLINE = "not in the metadata cache (offline: no request made)"


def chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
