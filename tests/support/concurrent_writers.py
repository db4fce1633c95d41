"""Writers run in their own processes against one PostgreSQL database, for the test that
checks stored verdicts stay right when changes race (tests/test_stored_verdicts.py).

Each episode has a claim and a paper of its own, so a verdict graded wrong in one episode
is not mended by a later change, and the two writers start it together (a barrier):
the linker links the paper to the claim while the retractor retracts the paper. Each
regrades, then holds its transaction open a moment before committing, which is the window
in which a writer that did not wait its turn would grade with the other's change unseen.
"""

from __future__ import annotations

import random
import time
from typing import Any

from evidence.errors import EvidenceError
from evidence.services.records.evidence import link_evidence
from evidence.services.records.references import edit_reference
from evidence.store import verdicts
from evidence.store.engine import Store


def claim_id(episode: int) -> str:
    return f"race-{episode:03d}"


def paper(episode: int) -> str:
    return f"10.5555/race.{episode}"


def run(url: str, role: str, episodes: int, barrier: Any, seed: int) -> None:
    rng = random.Random(seed)
    store = Store.open(url)
    try:
        for episode in range(episodes):
            barrier.wait(timeout=60)
            try:
                with store.transaction() as s:
                    if role == "retractor":
                        edit_reference(s, ref=paper(episode), actor=role, retraction="retracted")
                    else:
                        link_evidence(
                            s,
                            claim_id=claim_id(episode),
                            ref=paper(episode),
                            stance="supports",
                            rationale="Synthetic race.",
                            actor=role,
                        )
                    verdicts.apply_pending(s)
                    time.sleep(0.005 + rng.random() * 0.01)
            except EvidenceError:  # a conflict is a fair outcome of a race; a wrong grade is not
                pass
    finally:
        store.close()
