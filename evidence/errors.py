"""The exceptions this package raises, as one tree.

    EvidenceError
    ├── InputError                  the caller gave something the ledger cannot accept
    │   ├── InvalidValue            a value outside a controlled vocabulary or format
    │   ├── InvalidIdentifier       a DOI / PMID / PMCID / URL that cannot be a paper's identifier
    │   ├── MissingValue            a value needed here was not given
    │   ├── MissingReason           a change that needs a written reason came without one
    │   ├── InvalidRecord           a record in a seed or import file is malformed
    │   └── QuoteNotFound           an assertion's quote is not in its source's stored text
    ├── NotFound                    a named record does not exist
    │   ├── ClaimNotFound
    │   ├── AccountNotFound
    │   ├── ReferenceNotFound
    │   ├── SourceNotFound
    │   ├── LinkNotFound            no evidence link / claim link between those two records
    │   ├── CandidateNotFound       a paper that is not one of the claim's candidates
    │   └── OverrideNotFound        removing an override from a claim that has none
    ├── AlreadyExists               a record with that natural key is already stored
    ├── ConflictError               someone else changed the record since it was read
    │   ├── WriteConflict           the database refused a write another writer made first
    │   ├── AlreadyDecided          a candidate someone has screened already
    │   └── CandidateLinked         an inclusion revised away while linked as evidence
    ├── NotAllowed                  the signed-in account's role does not allow the change
    ├── StoreError                  the database cannot be used
    │   ├── DatabaseUnavailable     unreadable URL, unreachable server, unopenable file
    │   ├── SchemaOutOfDate         the database has not been initialised / migrated
    │   ├── VerdictsOutOfDate       its stored verdicts were graded by other rules
    │   └── CacheUnavailable        the metadata response cache cannot be opened or written
    └── ServiceError                a metadata service could not answer
        ├── Retryable               an answer worth asking again for (never leaves remote/)
        ├── ServiceFailure          one request failed for good, after its retries
        │   └── ValidationFailure   Crossref refused the request as malformed (HTTP 400)
        └── PapersUnresolved        some papers of a lookup or resolve got no answer

Every class carries the fields that explain it; the message is built from them, and the
exception it was raised from stays its ``__cause__``. The CLI and the dashboard turn these
into a message and an exit code in one place each; the CLI adds the command-line option
that would have given a missing value (cli/app.py), the dashboard does not.
"""

from __future__ import annotations

from collections.abc import Sequence


class EvidenceError(Exception):
    """Raised on purpose by this package (never directly: one of its subclasses)."""

    exit_code = 1


class InputError(EvidenceError):
    """Raised when the caller gave something the ledger cannot accept."""

    exit_code = 2


class InvalidValue(InputError):
    """Raised when a value is not one of a field's allowed values (or not in its format)."""

    def __init__(self, field: str, value: object, allowed: Sequence[str] | str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        expected = allowed if isinstance(allowed, str) else "one of " + ", ".join(allowed)
        super().__init__(f"invalid {field} {value!r}: expected {expected}")


class InvalidIdentifier(InputError):
    """Raised when text cannot be read as a DOI, PMID, PMCID or a doi.org / PubMed / PMC URL."""

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"invalid identifier {value!r}: {reason}")


class MissingValue(InputError):
    """Raised when a value needed in this situation was not given."""

    def __init__(self, field: str, why: str) -> None:
        self.field = field
        super().__init__(f"missing {field}: {why}")


class MissingReason(InputError):
    """Raised when an override (or another change that needs one) has no written reason."""

    def __init__(self, action: str) -> None:
        self.action = action
        super().__init__(f"{action} needs a written reason")


class InvalidRecord(InputError):
    """Raised when a seed or import file, or one record in it, cannot be used.

    ``record`` names the record (its position and key); None means the file as a whole.
    """

    def __init__(self, location: str, record: str | None, problem: str) -> None:
        self.location = location
        self.record = record
        self.problem = problem
        where = f"{location}: record {record}" if record else location
        super().__init__(f"{where}: {problem}")


class QuoteNotFound(InputError):
    """Raised when a quote cannot be checked against its source's text, or is not in it.

    ``has_text`` says which: False when the source has no stored text to look in.
    """

    def __init__(self, source: str, quote: str, *, has_text: bool) -> None:
        self.source = source
        self.quote = quote
        self.has_text = has_text
        short = quote if len(quote) <= 60 else quote[:57] + "..."
        if has_text:
            problem = (
                f"the quote {short!r} is not in the text of source {source!r}, exactly or "
                "nearly; "
                "copy it from the document again, or record it with --unverified"
            )
        else:
            problem = (
                f"source {source!r} has no stored text to find the quote {short!r} in; "
                f"give it one with `evidence source text {source} FILE`, or record the "
                "quote with --unverified"
            )
        super().__init__(problem)


class NotFound(EvidenceError):
    """Raised when a named record does not exist."""

    exit_code = 3
    kind = "record"

    def __init__(self, key: str, hint: str = "") -> None:
        self.key = key
        super().__init__(f"unknown {self.kind} {key!r}" + (f" ({hint})" if hint else ""))


class ClaimNotFound(NotFound):
    """Raised when no claim has that id."""

    kind = "claim"


class AccountNotFound(NotFound):
    """Raised when no dashboard account has that name."""

    kind = "account"


class ReferenceNotFound(NotFound):
    """Raised when no stored paper has that key or identifier."""

    kind = "reference"


class SourceNotFound(NotFound):
    """Raised when no source document has that key."""

    kind = "source"


class CandidateNotFound(NotFound):
    """Raised when a paper is not one of a claim's candidates."""

    kind = "candidate"


class LinkNotFound(NotFound):
    """Raised when there is no evidence link or claim link between the two records."""

    kind = "link"


class OverrideNotFound(NotFound):
    """Raised when a claim with no override is asked to drop one."""

    kind = "override for claim"


class AlreadyExists(EvidenceError):
    """Raised when creating a record whose natural key is taken."""

    exit_code = 4

    def __init__(self, kind: str, key: str, detail: str = "") -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key!r} " + (detail or "already exists"))


class ConflictError(EvidenceError):
    """Raised when a record changed between the moment it was read and the write."""

    exit_code = 5

    def __init__(self, kind: str, key: str, expected: int, actual: int | None) -> None:
        self.kind = kind
        self.key = key
        # None on a WriteConflict, where the database refused the write and no version was read
        self.expected: int | None = expected
        self.actual = actual
        if actual is None:
            what = f"{kind} {key!r} was deleted by someone else"
        elif actual > expected:
            what = (
                f"{kind} {key!r} was changed by someone else "
                f"(you edited version {expected}; it is now at version {actual})"
            )
        else:
            what = f"{kind} {key!r} is at version {actual}, not version {expected}"
        super().__init__(f"{what}; nothing was written: reload it and apply your change again")


class WriteConflict(ConflictError):
    """Raised when the database itself refuses a write (a unique key taken an instant ago,
    a deadlock, a serialisation failure): no version was read, so none is compared."""

    def __init__(self, detail: str, kind: str = "record", key: str = "") -> None:
        self.detail = detail
        self.kind = kind
        self.key = key
        self.expected = None
        self.actual = None
        EvidenceError.__init__(
            self,
            f"another writer changed the same records at the same moment ({detail}); "
            "nothing was written: try again",
        )


class NotAllowed(EvidenceError):
    """Raised when the signed-in account's role does not allow the change it asked for."""

    exit_code = 8

    def __init__(self, username: str, needed: str = "curator") -> None:
        self.username = username
        self.needed = needed
        super().__init__(f"{username} may not curate (the {needed} role is needed)")


class StoreError(EvidenceError):
    """Raised when the database cannot be used."""

    exit_code = 6


class DatabaseUnavailable(StoreError):
    """Raised when the database URL cannot be parsed or the database cannot be opened."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"cannot use database {url!r}: {reason}")


class SchemaOutOfDate(StoreError):
    """Raised when the database lacks the current schema; `evidence init` fixes it."""

    def __init__(self, url: str, current: str | None, head: str) -> None:
        self.url = url
        self.current = current
        self.head = head
        if current is None:
            message = f"database {url!r} has no evidence schema yet: run `evidence init`"
        else:
            message = (
                f"database {url!r} is at schema {current} but this version needs {head}: "
                "run `evidence init` to migrate it"
            )
        super().__init__(message)


class VerdictsOutOfDate(StoreError):
    """Raised when stored verdicts were graded by other grading rules than this version's;
    `evidence init` (or `evidence regrade`) grades them again."""

    def __init__(self, url: str, rules_version: int) -> None:
        self.url = url
        self.rules_version = rules_version
        super().__init__(
            f"database {url!r} holds verdicts graded by other rules than this version's "
            f"(rules version {rules_version}): run `evidence init` to grade them again"
        )


class CacheUnavailable(StoreError):
    """Raised when the metadata response cache (a SQLite file) cannot be opened or written."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot use the metadata cache {str(path)!r}: {reason}")


class ServiceError(EvidenceError):
    """Raised when a metadata service could not answer."""

    exit_code = 7


class Retryable(ServiceError):
    """Raised when an answer is worth asking again for: a timeout, a 5xx, a rate limit
    (``limited``), an unreadable body. remote/http.py retries it and never lets it out."""

    def __init__(
        self, reason: str, retry_after: float | None = None, *, limited: bool = False
    ) -> None:
        self.reason = reason
        self.retry_after = retry_after
        self.limited = limited
        super().__init__(reason)


class ServiceFailure(ServiceError):
    """Raised when one request to a service failed for good, after its retries."""

    def __init__(self, service: str, reason: str) -> None:
        self.service = service
        self.reason = reason
        super().__init__(f"{service}: {reason}")


class ValidationFailure(ServiceFailure):
    """Raised when Crossref refuses a request as malformed (HTTP 400 with its reasons)."""

    def __init__(self, reason: str) -> None:
        super().__init__("Crossref", reason)


class PapersUnresolved(ServiceError):
    """Raised when some papers of a lookup or a resolve got no answer (after retries)."""

    def __init__(self, failed: int, total: int, detail: str = "") -> None:
        self.failed = failed
        self.total = total
        papers = "paper" if total == 1 else "papers"
        super().__init__(
            f"{failed} of {total} {papers} could not be resolved"
            + (f" ({detail})" if detail else "")
        )


class AlreadyDecided(ConflictError):
    """Raised when a candidate was screened already (by someone else, or earlier): a second
    decision is never written over the first unless the curator says so."""

    def __init__(self, key: str, state: str, curator: str | None, version: int) -> None:
        EvidenceError.__init__(
            self,
            f"candidate {key!r} is already {state} (by {curator or 'someone'}); nothing was "
            "written: give --revise to change the decision",
        )
        self.kind, self.key, self.expected, self.actual = "candidate", key, version, version
        self.state, self.curator = state, curator


class CandidateLinked(ConflictError):
    """Raised when an inclusion would be revised away while the paper is still linked as the
    claim's evidence: the link would go on counting towards the verdict for a paper the
    screening says is out, so the link is removed first, on purpose and with a reason."""

    def __init__(self, key: str, claim_id: str, ref: str, version: int) -> None:
        EvidenceError.__init__(
            self,
            f"candidate {key!r} is included and linked as evidence; nothing was written: "
            f"remove the link first (`evidence unlink {claim_id} {ref} --reason ...`), then "
            "revise the decision",
        )
        self.kind, self.key, self.expected, self.actual = "candidate", key, version, version
