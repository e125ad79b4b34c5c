"""Debit rules other apps plug into the statement import's matching cascade.

The banking app sits below the apps that know what a debit pays (supplier payment batches,
supplier direct debits, cheques issued): it cannot import them. Such an app registers a factory
here (in its `AppConfig.ready`); each import builds one matcher per factory for its condominium
(`load_directory`) and asks them, in order, about every booked debit the cascade did not already
recognise (a return to a payer comes first), and about every credit that returns a debit (a
transfer sent back by the beneficiary's bank: `RtrInf` reason, or a reversal). A matcher answers
with a `DebitClaim`:

- `draft`: the entry to post in the bank journal with the line (Dr 401·supplier / Cr 512, or
  Dr 512 / Cr 401 for a returned transfer), in
  the import's transaction; or `entry_id`: an entry already posted (a cheque, posted at issue);
- `settle(line_id, entry_id)`: called once the statement line is written, in the same
  transaction (lettering, statuses of the matcher's own rows).

A matcher reads what it needs once, when built, and then decides in memory; it must not claim
the same thing twice within one import. Lines already imported are never matched again (their
bank key is known), which makes the posting idempotent on re-import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tantieme.banking.parsers.base import ParsedEntry
    from tantieme.condominiums.models import Condominium
    from tantieme.ledger.services import EntryDraft


@dataclass
class DebitClaim:
    """What a debit is, why, and how to post it (see the module docstring)."""

    evidence: str
    confidence: Decimal
    draft: EntryDraft | None = None
    entry_id: int | None = None
    settle: Callable[[int, int | None], None] | None = None


class DebitMatcher(Protocol):
    def match(self, entry: ParsedEntry) -> DebitClaim | None: ...


DebitMatcherFactory = Callable[["Condominium"], DebitMatcher]
_FACTORIES: list[DebitMatcherFactory] = []


def register(factory: DebitMatcherFactory) -> None:
    """Add a debit rule (idempotent: `ready()` may run twice in tests)."""
    if factory not in _FACTORIES:
        _FACTORIES.append(factory)


def matchers_for(condominium: Condominium) -> list[DebitMatcher]:
    return [factory(condominium) for factory in _FACTORIES]
