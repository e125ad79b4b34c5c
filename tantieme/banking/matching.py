"""Which co-owner a credit comes from (spec §6): a cascade of rules, each with a confidence.

Sure matches (posted at once):
  1. a valid ISO 11649 RF reference whose payload is a known co-owner reference (1.00);
  2. exactly one known co-owner reference in the remittance, end-to-end id or label (0.95) —
     unless the payer's IBAN is already confirmed for another co-owner and the name disagrees.
Suggestions only (the review queue; nothing is guessed silently):
  3. several known references (0.60 each);
  4. a near-miss reference: one typo, or O/0, I/1, S/5, B/8, Z/2 confusions (0.80 when the payer's
     name agrees, 0.65 otherwise);
  5. the payer's IBAN already confirmed for exactly one co-owner (0.70);
  6. the payer's name alone (0.50).
Card remittances go to 5128 as a whole; the rest of the credits to suspense (472).
Debits: a return to a payer we ordered, then the debit rules other apps register
(`banking.debits`: supplier payment batches, supplier direct debits, cheques issued).
Before all of them, a credit of exactly the total of a recorded cheque deposit (remise de chèques,
`banking.cheques`) that names its slip number, or reads as a cheque remittance, is that deposit:
already posted when the slip was recorded, it is matched to it and posted nothing (1.00 / 0.95).

Candidates are always intersected with the references that exist: the pattern alone would find
invoice numbers. Scores are integers (0–100), confidences `Decimal`.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from tantieme.banking.debits import DebitClaim, DebitMatcher
from tantieme.banking.enums import LineKind, MatchRule
from tantieme.banking.parsers.base import ParsedEntry, normalise
from tantieme.core.references import is_valid_creditor_reference
from tantieme.ledger import chart

SURE = Decimal("0.90")
REF_RE = re.compile(r"(?<![A-Z0-9])([A-Z]) ?(\d{3}) ?([A-Z0-9]{4})(?![A-Z0-9])")
LOOSE_REF_RE = re.compile(r"(?<![A-Z0-9])([A-Z]) ?([0-9OISBZ]{3}) ?([A-Z0-9]{4,5})(?![A-Z0-9])")
RF_RE = re.compile(r"(?<![A-Z0-9])RF ?(\d{2}) ?((?:[A-Z0-9] ?){1,21})")
_FOLD = str.maketrans("OISBZ", "01582")
NAME_NOISE = frozenset(
    [
        "M",
        "MR",
        "MME",
        "MMES",
        "MM",
        "MLLE",
        "MLE",
        "MONSIEUR",
        "MADAME",
        "MADEMOISELLE",
        "OU",
        "ET",
        "EPOUX",
        "EPOUSE",
        "SCI",
        "STE",
        "SARL",
        "SAS",
        "SA",
        "DR",
        "ME",
        "VIR",
        "VIREMENT",
        "SEPA",
        "RECU",
        "DE",
        "DU",
        "LA",
        "LE",
        "LES",
    ]
)
CARD_MARKERS = (
    "REMISE CB",
    "REM CB",
    "REMISE CARTE",
    "REMISE CARTES",
    "TELECOLLECTE",
    "STRIPE",
    "PAYZEN",
    "SYSTEMPAY",
    "LYRA",
    "SOGENACTIF",
    "MERCANET",
    "SHERLOCKS",
    "SIPS",
    "PAYPLUG",
    "MONETICO",
)
CHEQUE_MARKERS = ("CHQ", "CHQS", "CHEQUE", "CHEQUES", "REMCHQ")
CHEQUE_FAMILIES = ("RCHQ", "CCHQ")  # ISO 20022 BkTxCd families of received / cashed cheques
CFONB_CHEQUE_REMITTANCE = "01"  # CFONB interbank code of a remise de chèques
FEE_MARKERS = ("FRAIS", "COMMISSION", "COTISATION", "AGIOS", "TENUE DE COMPTE", "ABONNEMENT", "INTERETS DEBITEURS")
FEES_ACCOUNT = "662"
SUPPLIERS_ACCOUNT = "401"
DEBIT_SUSPENSE_ACCOUNT = "471"


def fold(reference: str) -> str:
    """The reference with look-alike letters read as digits (all but the leading letter)."""
    return reference[:1] + reference[1:].translate(_FOLD)


def damerau_levenshtein_at_most_one(a: str, b: str) -> bool:
    """True when `a` and `b` differ by at most one insertion, deletion, substitution or transposition."""
    return DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1


def name_tokens(text: str) -> list[str]:
    return [token for token in normalise(text).split() if token not in NAME_NOISE and len(token) > 1]


def token_set_ratio(a: str, b: str) -> int:
    """rapidfuzz's token_set_ratio on the names' meaningful words (noise words dropped), 0–100."""
    left, right = name_tokens(a), name_tokens(b)
    if not left or not right:
        return 0
    return int(fuzz.token_set_ratio(" ".join(left), " ".join(right)))


@dataclass
class CoOwnerCard:
    pk: int
    reference: str
    name: str


@dataclass
class Directory:
    """What the matching knows about a condominium: references, names, learned IBANs, pending returns."""

    co_owners: dict[int, CoOwnerCard]
    by_reference: dict[str, int]
    iban_owners: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    returns_by_end_to_end: dict[str, int] = field(default_factory=dict)
    returns_by_iban_amount: dict[tuple[str, Decimal], list[int]] = field(default_factory=lambda: defaultdict(list))
    # Cheque deposits waiting for the bank's credit, by total: [(deposit id, deposit date, slip number)].
    deposits_by_total: dict[Decimal, list[tuple[int, datetime.date, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # Debit rules of other apps (supplier payments…), asked after the returns (`banking.debits`).
    debit_matchers: list[DebitMatcher] = field(default_factory=list)
    _folded: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _deletions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _name_index: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def __post_init__(self) -> None:
        for reference in self.by_reference:
            folded = fold(reference)
            self._folded[folded].add(reference)
            for i in range(len(folded)):
                self._deletions[folded[:i] + folded[i + 1 :]].add(reference)
        for card in self.co_owners.values():
            for token in name_tokens(card.name):
                if len(token) >= 3:
                    self._name_index[token].add(card.pk)

    def take_deposit(self, deposit_id: int) -> None:
        """A deposit matched by this import is no longer waiting (two credits never take one slip)."""
        for waiting in self.deposits_by_total.values():
            waiting[:] = [item for item in waiting if item[0] != deposit_id]

    def learn_iban(self, iban: str, co_owner_id: int) -> None:
        if iban:
            self.iban_owners[iban].add(co_owner_id)

    def near_misses(self, candidate: str) -> set[str]:
        """Known references one typo (after folding look-alikes) away from `candidate`."""
        folded = fold(candidate)
        found = {ref for ref in self._folded.get(folded, ()) if ref != candidate}
        if found:
            return found  # the same once look-alikes are read as digits (O for 0): the strongest hint
        found |= self._deletions.get(folded, set())
        for i in range(len(folded)):
            shorter = folded[:i] + folded[i + 1 :]
            found |= self._folded.get(shorter, set())
            found |= self._deletions.get(shorter, set())
        return {ref for ref in found if ref != candidate and damerau_levenshtein_at_most_one(fold(ref), folded)}

    def name_candidates(self, payer: str) -> list[tuple[int, int]]:
        """(co-owner id, score) of the co-owners whose name shares a word with `payer`, best first."""
        ids: set[int] = set()
        for token in name_tokens(payer):
            ids |= self._name_index.get(token, set())
        scored = [(pk, token_set_ratio(payer, self.co_owners[pk].name)) for pk in ids]
        return sorted(scored, key=lambda pair: (-pair[1], pair[0]))


@dataclass
class Suggestion:
    co_owner_id: int
    rule: MatchRule
    confidence: Decimal
    evidence: str


@dataclass
class Decision:
    """What to do with a movement: `kind`, and for a sure match the co-owner, rule and evidence."""

    kind: LineKind
    co_owner_id: int | None = None
    rule: MatchRule | None = None
    confidence: Decimal | None = None
    evidence: str = ""
    suggestions: list[Suggestion] = field(default_factory=list)
    suggested_account: str = ""
    return_id: int | None = None
    deposit_id: int | None = None
    claim: DebitClaim | None = None  # a debit another app recognised (`banking.debits`)

    @property
    def is_sure(self) -> bool:
        return self.co_owner_id is not None and self.confidence is not None and self.confidence >= SURE


def _rf_payloads(text: str) -> list[str]:
    """The payloads of the valid RF references in `text` (longest valid prefix of what follows RF)."""
    payloads = []
    for match in RF_RE.finditer(text):
        body = match.group(2).replace(" ", "")
        for length in range(len(body), 0, -1):
            candidate = f"RF{match.group(1)}{body[:length]}"
            if is_valid_creditor_reference(candidate):
                payloads.append(body[:length])
                break
    return payloads


def is_card_remittance(entry: ParsedEntry) -> bool:
    if entry.amount <= 0:
        return False
    family = entry.bank_code.split("/")
    if len(family) >= 2 and family[1] in ("CCRD", "MCRD"):
        return True
    text = f" {normalise(' '.join((entry.label, entry.remittance, entry.additional_info, entry.counterparty_name)))} "
    return any(f" {marker} " in text for marker in CARD_MARKERS)


def suggest_debit_account(entry: ParsedEntry) -> str:
    text = f" {normalise(' '.join((entry.label, entry.remittance, entry.additional_info)))} "
    if any(f" {marker} " in text for marker in FEE_MARKERS):
        return FEES_ACCOUNT
    if entry.counterparty_name or "FACTURE" in text or "ICDT" in entry.bank_code or " PRLV " in text:
        return SUPPLIERS_ACCOUNT
    return DEBIT_SUSPENSE_ACCOUNT


def decide(entry: ParsedEntry, directory: Directory) -> Decision:  # noqa: PLR0911, PLR0912 - the cascade, rule by rule
    """The decision for one booked movement (no database access)."""
    if entry.amount == 0:
        return Decision(kind=LineKind.OTHER_CREDIT, evidence="Montant nul.")
    if entry.amount < 0:
        return _decide_debit(entry, directory)
    if entry.return_reason or entry.reversal:  # a transfer we sent, returned: the debit rules know it
        for matcher in directory.debit_matchers:
            claim = matcher.match(entry)
            if claim is not None:
                return Decision(
                    kind=LineKind.OTHER_CREDIT, confidence=claim.confidence, evidence=claim.evidence, claim=claim
                )
    deposit = _cheque_deposit(entry, directory)
    if deposit is not None:
        return deposit
    if is_card_remittance(entry):
        return Decision(
            kind=LineKind.CARD_REMITTANCE,
            rule=MatchRule.CARD,
            confidence=Decimal("1.00"),
            evidence=f"Remise carte soldée sur le compte {chart.CARD_IN_TRANSIT}.",
        )
    texts = [normalise(text) for text in entry.texts()]
    known = directory.by_reference

    # 1. A valid RF reference naming a co-owner (optionally followed by a call number).
    for text in texts:
        for payload in _rf_payloads(text):
            reference = payload[:8]
            if reference in known:
                return Decision(
                    kind=LineKind.CO_OWNER_PAYMENT,
                    co_owner_id=known[reference],
                    rule=MatchRule.CREDITOR_REFERENCE,
                    confidence=Decimal("1.00"),
                    evidence=f"Référence RF valide RF··{payload} → {reference}.",
                )

    # 2. Known references found in the texts.
    found: dict[str, None] = {}
    unknown: dict[str, None] = {}
    for text in texts:
        for match in REF_RE.finditer(text):
            reference = "".join(match.groups())
            if reference in known:
                found[reference] = None
            else:
                unknown[reference] = None
        for match in LOOSE_REF_RE.finditer(text):
            reference = "".join(match.groups())
            if reference not in known:
                unknown[reference] = None
    payer_iban = entry.counterparty_iban
    iban_owners = directory.iban_owners.get(payer_iban, set()) if payer_iban else set()
    if len(found) == 1:
        reference = next(iter(found))
        pk = known[reference]
        others = iban_owners - {pk}
        if (
            others
            and entry.counterparty_name
            and token_set_ratio(entry.counterparty_name, directory.co_owners[pk].name) < 50
        ):
            other = directory.co_owners[min(others)]
            return Decision(
                kind=LineKind.UNIDENTIFIED,
                suggestions=[
                    Suggestion(
                        pk,
                        MatchRule.REFERENCE,
                        Decimal("0.75"),
                        f"Référence {reference} dans le motif, mais "
                        f"l'IBAN du payeur est celui de {other.reference} et le nom ne correspond pas.",
                    ),
                    Suggestion(
                        other.pk,
                        MatchRule.KNOWN_IBAN,
                        Decimal("0.60"),
                        f"IBAN {payer_iban} déjà confirmé pour {other.reference}.",
                    ),
                ],
            )
        return Decision(
            kind=LineKind.CO_OWNER_PAYMENT,
            co_owner_id=pk,
            rule=MatchRule.REFERENCE,
            confidence=Decimal("0.95"),
            evidence=f"Référence {reference} trouvée dans « {_excerpt(entry)} ».",
        )
    suggestions: dict[int, Suggestion] = {}

    def add(suggestion: Suggestion) -> None:
        current = suggestions.get(suggestion.co_owner_id)
        if current is None or current.confidence < suggestion.confidence:
            suggestions[suggestion.co_owner_id] = suggestion

    if len(found) > 1:
        listed = ", ".join(found)
        for reference in found:
            add(
                Suggestion(
                    known[reference],
                    MatchRule.SEVERAL_REFERENCES,
                    Decimal("0.60"),
                    f"Plusieurs références dans le motif ({listed}).",
                )
            )
    # 4. Near misses (O for 0, one typo), weighed by the payer's name.
    for candidate in unknown:
        for reference in directory.near_misses(candidate):
            pk = known[reference]
            score = (
                token_set_ratio(entry.counterparty_name, directory.co_owners[pk].name) if entry.counterparty_name else 0
            )
            confidence = Decimal("0.80") if score >= 85 else Decimal("0.65")
            add(
                Suggestion(
                    pk,
                    MatchRule.NEAR_MISS,
                    confidence,
                    f"« {candidate} » ressemble à {reference} (nom du payeur : {score} %).",
                )
            )
    # 5. The payer's IBAN, already confirmed for exactly one co-owner.
    if len(iban_owners) == 1:
        pk = next(iter(iban_owners))
        add(
            Suggestion(
                pk,
                MatchRule.KNOWN_IBAN,
                Decimal("0.70"),
                f"IBAN {payer_iban} déjà confirmé pour {directory.co_owners[pk].reference}.",
            )
        )
    # 6. The payer's name alone.
    if entry.counterparty_name and not suggestions:
        for pk, score in directory.name_candidates(entry.counterparty_name)[:3]:
            if score >= 90:
                add(
                    Suggestion(
                        pk,
                        MatchRule.NAME,
                        Decimal("0.50"),
                        f"Nom du payeur « {entry.counterparty_name} » proche de "
                        f"{directory.co_owners[pk].name} ({score} %).",
                    )
                )
    ordered = sorted(suggestions.values(), key=lambda s: (-s.confidence, s.co_owner_id))
    return Decision(kind=LineKind.UNIDENTIFIED, suggestions=ordered[:5])


def is_cheque_remittance(entry: ParsedEntry) -> bool:
    family = entry.bank_code.split("/")
    if (len(family) >= 2 and family[1] in CHEQUE_FAMILIES) or entry.bank_code == CFONB_CHEQUE_REMITTANCE:
        return True
    text = f" {normalise(' '.join((entry.label, entry.remittance, entry.additional_info)))} "
    return any(f" {marker} " in text for marker in CHEQUE_MARKERS)


def names_slip(text: str, slip_number: str) -> bool:
    """Whether `text` cites the slip number as whole words ("REMISE CHQ L-1" cites "L 1", not "1")."""
    slip = normalise(slip_number)
    return bool(slip) and f" {slip} " in f" {normalise(text)} "


def _cheque_deposit(entry: ParsedEntry, directory: Directory) -> Decision | None:
    """The recorded deposit this credit is, if any: same total, not booked before the slip, and
    its slip number in the texts (1.00) or, failing that, a cheque remittance (0.95, oldest slip)."""
    waiting = [item for item in directory.deposits_by_total.get(entry.amount, ()) if item[1] <= entry.booking_date]
    if not waiting:
        return None
    text = " ".join(entry.texts())
    named = [item for item in waiting if names_slip(text, item[2])]
    if named:
        deposit_id, _day, slip = named[0]
        confidence, why = Decimal("1.00"), f"Bordereau {slip} cité, montant égal à la remise."
    elif is_cheque_remittance(entry):
        deposit_id, _day, slip = min(waiting, key=lambda item: (item[1], item[0]))
        confidence, why = Decimal("0.95"), f"Remise de chèques du montant du bordereau {slip}."
    else:
        return None
    directory.take_deposit(deposit_id)  # taken by this credit: another of the same amount is not it
    return Decision(
        kind=LineKind.CHEQUE_DEPOSIT,
        rule=MatchRule.CHEQUE_DEPOSIT,
        confidence=confidence,
        evidence=why,
        deposit_id=deposit_id,
    )


def _decide_debit(entry: ParsedEntry, directory: Directory) -> Decision:
    end_to_end = entry.end_to_end_id.strip()
    return_id = directory.returns_by_end_to_end.get(end_to_end) if end_to_end else None
    if return_id is None:
        for text in entry.texts():
            for token in text.split():
                if token in directory.returns_by_end_to_end:
                    return_id = directory.returns_by_end_to_end[token]
                    break
    if return_id is None and entry.counterparty_iban:
        candidates = directory.returns_by_iban_amount.get((entry.counterparty_iban, -entry.amount), [])
        if len(candidates) == 1:
            return_id = candidates[0]
    if return_id is not None:
        return Decision(
            kind=LineKind.RETURN_TRANSFER,
            rule=MatchRule.RETURN,
            confidence=Decimal("1.00"),
            evidence="Virement de renvoi au payeur débité.",
            return_id=return_id,
        )
    for matcher in directory.debit_matchers:
        claim = matcher.match(entry)
        if claim is not None:
            return Decision(
                kind=LineKind.DEBIT,
                confidence=claim.confidence,
                evidence=claim.evidence,
                suggested_account=SUPPLIERS_ACCOUNT,
                claim=claim,
            )
    return Decision(kind=LineKind.DEBIT, suggested_account=suggest_debit_account(entry))


def _excerpt(entry: ParsedEntry) -> str:
    text = " · ".join(entry.texts())
    return text if len(text) <= 120 else text[:119] + "…"
