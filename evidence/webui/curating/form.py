"""What every curation form needs: the claim, who is curating, and how to write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evidence.domain.vocab import Directness, Downgrade, RiskOfBias
from evidence.services.records.accounts import SignedIn

# the downgrades with no option of their own (directness and risk of bias have theirs)
OTHER_DOWNGRADES = [Downgrade.imprecision.value, Downgrade.inconsistency.value]


# the two judgements with options of their own, in the order the forms offer them
DIRECTNESS = [Directness.direct.value, Directness.indirect.value]
RISK_OF_BIAS = [RiskOfBias.not_flagged.value, RiskOfBias.high.value]


def words(value: str) -> str:
    return value.replace("_", " ")


@dataclass(frozen=True)
class Form:
    """The page's state, handed to each tab.

    ``key(name, *scope)`` keys a widget by what it edits and the page's generation (see the
    page); ``shown(form, version)`` is the version a form first showed; ``write(change,
    **values)`` makes one change as the curator and reruns the page.
    """

    claim: dict[str, Any]
    user: SignedIn
    key: Callable[..., str]
    shown: Callable[[str, int], int]
    write: Callable[..., None]
