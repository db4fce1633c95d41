"""Which stored paper, or new one of this batch, a record is: by DOI, PMID or PMCID, else by
its normalised title, year and first author (``Reference.title_key``), else by a stored
paper's key when the record carries it with the same title (our own exports do)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from evidence.domain.metadata import IDENTIFIERS
from evidence.domain.models import Reference
from evidence.domain.names import same_title
from evidence.formats.citations import Citation
from evidence.services.transfer.import_merging import get_field


class Index:
    """The stored papers a batch may duplicate, and the batch's own new ones."""

    def __init__(self, stored: Iterable[Reference]) -> None:
        self.ids: dict[tuple[str, str], Reference | dict[str, Any]] = {}
        self.titles: dict[str, Reference | dict[str, Any]] = {}
        self.keys: set[str] = set()
        self.labels: dict[str, Reference | dict[str, Any]] = {}
        for ref in sorted(stored, key=lambda r: r.id or 0):
            self.add(ref)

    def add(self, target: Reference | dict[str, Any]) -> None:
        for name in IDENTIFIERS:
            value = get_field(target, name)
            if value:
                self.ids.setdefault((name, value), target)
        key = get_field(target, "title_key")
        if key:
            self.titles.setdefault(key, target)
        if not isinstance(target, dict):
            self.labels.setdefault(target.key, target)

    def by_identifiers(self, citation: Citation) -> list[Reference | dict[str, Any]]:
        found: list[Reference | dict[str, Any]] = []
        for name in IDENTIFIERS:
            value = getattr(citation, name)
            target = self.ids.get((name, value)) if value else None
            if target is not None and not any(target is f for f in found):
                found.append(target)
        return found

    def by_title(self, key: str | None) -> Reference | dict[str, Any] | None:
        return self.titles.get(key) if key else None

    def by_label(self, citation: Citation) -> Reference | dict[str, Any] | None:
        """A stored paper whose key is the record's label and whose title is its title."""
        target = self.labels.get(citation.label or "")
        if target is not None and same_title(get_field(target, "title"), citation.title):
            return target
        return None
