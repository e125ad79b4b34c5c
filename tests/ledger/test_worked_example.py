# ruff: noqa: E501 - the FEC records of spec §11.7 are quoted verbatim, one per line
"""The worked example of accounting-and-law.md §11, to the cent: calls, payments, interest,
régularisation, owner A's statement and the FEC lines of §11.7."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.money import allocate
from tantieme.ledger import services
from tantieme.ledger.checks import check_books
from tantieme.ledger.enums import LineNature
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.fec import fec_filename, render_fec
from tantieme.ledger.models import Entry, FiscalYear
from tantieme.ledger.queries import balance, balances_by_account, control_account_balance, unpaid_items
from tantieme.ledger.services import LineDraft
from tantieme.ledger.statements import statement_for
from tantieme.tenancy.scoping import firm_scope
from tests.factories import CondominiumFactory, CoOwnerFactory, FirmFactory
from tests.ledger.factories import D, open_books

# Lots: (owner, CG tantièmes, ASC tantièmes)
LOTS = {1: ("A", 233, 0), 2: ("B", 197, 283), 3: ("C", 211, 333), 4: ("D", 229, 384), 5: ("B", 65, 0), 6: ("E", 65, 0)}
OWNERS = {
    "A": ("A6060001", "DUPONT", "Anne"),
    "B": ("A6060002", "MARTIN", "Bernard"),
    "C": ("A6060003", "BERNARD", "Claire"),
    "D": ("A6060004", "PETIT", "Denis"),
    "E": ("A6060005", "ROUX", "Émile"),
}
QUARTERS = [datetime.date(2025, month, 1) for month in (1, 4, 7, 10)]
Q1_DUE = {"A": D("574.94"), "B": D("865.79"), "C": D("778.73"), "D": D("862.66"), "E": D("160.38")}


@dataclass
class Example:
    condominium: Condominium
    owners: dict[str, CoOwner]
    year: FiscalYear
    calls: list[Entry]
    budget_part: dict[str, Decimal]  # 4501 per owner per quarter
    fund_part: dict[str, Decimal]  # 4505 per owner per quarter


def quarterly_parts() -> tuple[dict[int, Decimal], dict[int, Decimal], dict[int, Decimal]]:
    lots = sorted(LOTS)
    cg = dict(zip(lots, allocate(D("2312.50"), [LOTS[lot][1] for lot in lots]), strict=True))
    asc = dict(zip(lots, allocate(D("775.00"), [LOTS[lot][2] for lot in lots]), strict=True))
    fund = dict(zip(lots, allocate(D("155.00"), [LOTS[lot][1] for lot in lots]), strict=True))
    return cg, asc, fund


def test_quarterly_call_matches_the_spec_table() -> None:
    cg, asc, fund = quarterly_parts()
    assert cg == {1: D("538.82"), 2: D("455.56"), 3: D("487.94"), 4: D("529.56"), 5: D("150.31"), 6: D("150.31")}
    assert asc == {1: 0, 2: D("219.32"), 3: D("258.08"), 4: D("297.60"), 5: 0, 6: 0}
    assert fund == {1: D("36.12"), 2: D("30.53"), 3: D("32.71"), 4: D("35.50"), 5: D("10.07"), 6: D("10.07")}


def _lots_of(owner: str) -> list[int]:
    return [lot for lot, (who, _cg, _asc) in LOTS.items() if who == owner]


@pytest.fixture
def example(db: None) -> Iterator[Example]:
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    condominium = CondominiumFactory(firm=firm, code="606", registry_number="AB1234567")
    owners = {
        key: CoOwnerFactory(condominium=condominium, reference=ref, last_name=last, first_name=first)
        for key, (ref, last, first) in OWNERS.items()
    }
    cg, asc, fund = quarterly_parts()
    budget_part = {key: sum((cg[lot] + asc[lot] for lot in _lots_of(key)), D("0")) for key in OWNERS}
    fund_part = {key: sum((fund[lot] for lot in _lots_of(key)), D("0")) for key in OWNERS}
    with firm_scope(firm):
        (year,) = open_books(condominium, first_year=2025)
        calls = []
        for number, day in enumerate(QUARTERS, start=1):
            lines = []
            for key, owner in owners.items():
                lots = _lots_of(key)
                what = "CG" if not any(LOTS[lot][2] for lot in lots) else "CG+ASC"
                lot_text = f"lot {lots[0]}" if len(lots) == 1 else "lots " + ", ".join(map(str, lots))
                lines.append(
                    LineDraft(
                        account="4501",
                        debit=budget_part[key],
                        co_owner=owner,
                        label=f"Appel T{number} 2025 {what} {lot_text}",
                    )
                )
                lines.append(
                    LineDraft(
                        account="4505",
                        debit=fund_part[key],
                        co_owner=owner,
                        nature=LineNature.WORKS_FUND,
                        label=f"Appel T{number} 2025 fonds travaux",
                    )
                )
            lines.append(LineDraft(account="701", credit=D("3087.50"), label=f"Appel T{number} 2025"))
            lines.append(LineDraft(account="105", credit=D("155.00"), label=f"Appel T{number} 2025 fonds travaux"))
            calls.append(
                services.post_entry(
                    condominium=condominium,
                    journal="AF",
                    date=day,
                    validation_date=day,
                    label=f"Appel T{number} 2025",
                    voucher=f"AF-2025-T{number}",
                    lines=lines,
                )
            )
        yield Example(condominium, owners, year, calls, budget_part, fund_part)


def pay_by_card(example: Example, key: str, day: datetime.date, amount: Decimal, sequence: int) -> Entry:
    reference = example.owners[key].reference
    return services.post_co_owner_payment(
        co_owner=example.owners[key],
        amount=amount,
        date=day,
        validation_date=day + datetime.timedelta(days=1),
        journal="CB",
        voucher=f"CB-{day:%Y%m%d}-{sequence:04d}",
        label=f"Paiement CB {reference}",
        debit_label=f"Paiement CB {reference}",
        line_label="Paiement CB",
    )


def pay_by_transfer(example: Example, key: str, day: datetime.date, amount: Decimal) -> Entry:
    return services.post_co_owner_payment(
        co_owner=example.owners[key],
        amount=amount,
        date=day,
        validation_date=day,
        journal="BQ1",
        voucher=f"VIR-{day:%Y%m%d}-{key}",
        label=f"Virement {example.owners[key].reference_display}",
    )


def run_year(example: Example) -> dict[str, Entry]:
    """Q1 as in §11.4, Q2–Q4 paid in full, charges of §11.5, régularisation approved on 15/04/2026."""
    c, owners = example.condominium, example.owners
    posted: dict[str, Entry] = {}
    posted["card_a"] = pay_by_card(example, "A", datetime.date(2025, 1, 2), Q1_DUE["A"], 1)
    services.post_entry(
        condominium=c,
        journal="BQ1",
        date=datetime.date(2025, 1, 6),
        validation_date=datetime.date(2025, 1, 6),
        label="Remise CB du 02/01/2025",
        lines=[LineDraft(account="512", debit=Q1_DUE["A"]), LineDraft(account="5128", credit=Q1_DUE["A"])],
    )
    pay_by_transfer(example, "B", datetime.date(2025, 1, 5), Q1_DUE["B"])
    services.post_entry(
        condominium=c,
        journal="BQ1",
        date=datetime.date(2025, 1, 8),
        validation_date=datetime.date(2025, 1, 8),
        label="Virement non identifié",
        lines=[LineDraft(account="512", debit=Q1_DUE["C"]), LineDraft(account="472", credit=Q1_DUE["C"])],
    )
    posted["identified_c"] = services.post_co_owner_payment(
        co_owner=owners["C"],
        amount=Q1_DUE["C"],
        date=datetime.date(2025, 1, 9),
        validation_date=datetime.date(2025, 1, 9),
        journal="OD",
        debit_account="472",
        label="Virement du 08/01 identifié : A 606 0003",
    )
    pay_by_transfer(example, "E", datetime.date(2025, 1, 10), Q1_DUE["E"])
    # D pays 45 days after the formal notice first presented on 01/02/2025: interest at 3,71 %.
    pay_by_transfer(example, "D", datetime.date(2025, 3, 18), Q1_DUE["D"])
    interest = (Q1_DUE["D"] * D("0.0371") * 45 / 365).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert interest == D("3.95")
    services.post_entry(
        condominium=c,
        journal="OD",
        date=datetime.date(2025, 3, 18),
        validation_date=datetime.date(2025, 3, 18),
        label="Intérêts de retard (art. 36) : 862,66 × 3,71 % × 45/365",
        lines=[
            LineDraft(account="4501", debit=interest, co_owner=owners["D"], nature=LineNature.INTEREST),
            LineDraft(account="714", credit=interest),
        ],
    )
    for number, day in enumerate(QUARTERS[1:], start=2):
        pay_by_card(example, "A", day + datetime.timedelta(days=1), Q1_DUE["A"], number)
        for key in "BCDE":
            pay_by_transfer(example, key, day + datetime.timedelta(days=4), Q1_DUE[key])
    # Actual charges 2025 (§11.5), invoices in AC.
    for account, amount in {
        "616": "2910.00",
        "6211": "2400.00",
        "611": "2100.00",
        "602": str(D("1270.40") + D("511.35")),
        "601": "800.00",
        "614": "2350.00",
    }.items():
        services.post_entry(
            condominium=c,
            journal="AC",
            date=datetime.date(2025, 12, 15),
            label=f"Factures 2025 compte {account}",
            lines=[LineDraft(account=account, debit=D(amount)), LineDraft(account="401", credit=D(amount))],
        )
    posted["regularisation"] = post_regularisation(example)
    return posted


def regularisation_by_owner() -> dict[str, tuple[Decimal, Decimal]]:
    """(CG régul, ASC régul) per owner from the largest-remainder shares of the actual charges."""
    lots = sorted(LOTS)
    cg_share = dict(zip(lots, allocate(D("9480.40"), [LOTS[lot][1] for lot in lots]), strict=True))
    asc_share = dict(zip(lots, allocate(D("2861.35"), [LOTS[lot][2] for lot in lots]), strict=True))
    cg, asc, _fund = quarterly_parts()
    result = {}
    for key in OWNERS:
        lots_of = _lots_of(key)
        result[key] = (
            sum((cg_share[lot] - 4 * cg[lot] for lot in lots_of), D("0")),
            sum((asc_share[lot] - 4 * asc[lot] for lot in lots_of), D("0")),
        )
    return result


def post_regularisation(example: Example) -> Entry:
    lines = []
    for key, (cg, asc) in regularisation_by_owner().items():
        owner = example.owners[key]
        if cg:
            lines.append(
                LineDraft(
                    account="4501",
                    debit=cg,
                    co_owner=owner,
                    nature=LineNature.REGULARISATION,
                    label="Régularisation charges 2025 – CG (approuvée AG 15/04/2026)",
                )
            )
            lines.append(LineDraft(account="701", credit=cg, label=f"Régularisation 2025 CG {owner.reference}"))
        if asc:
            lines.append(LineDraft(account="701", debit=-asc, label=f"Régularisation 2025 ASC {owner.reference}"))
            lines.append(
                LineDraft(
                    account="4501",
                    credit=-asc,
                    co_owner=owner,
                    nature=LineNature.REGULARISATION,
                    label="Régularisation charges 2025 – ASC (approuvée AG 15/04/2026)",
                )
            )
    return services.post_entry(
        condominium=example.condominium,
        journal="RE",
        date=datetime.date(2025, 12, 31),
        validation_date=datetime.date(2026, 4, 15),
        voucher="AG-20260415",
        label="Répartition des charges 2025",
        lines=lines,
    )


def test_regularisation_matches_the_spec() -> None:
    regul = regularisation_by_owner()
    assert regul["A"] == (D("53.65"), D("0"))
    assert regul["B"] == (D("60.39"), D("-67.52"))
    assert regul["C"] == (D("48.60"), D("-79.49"))
    assert regul["D"] == (D("52.77"), D("-91.64"))
    assert regul["E"] == (D("14.99"), D("0"))
    assert {key: cg + asc for key, (cg, asc) in regul.items()} == {
        "A": D("53.65"),
        "B": D("-7.13"),
        "C": D("-30.89"),
        "D": D("-38.87"),
        "E": D("14.99"),
    }


def test_calls_are_numbered_and_split_by_owner(example: Example) -> None:
    assert [entry.code for entry in example.calls] == ["AF2025-0001", "AF2025-0002", "AF2025-0003", "AF2025-0004"]
    assert example.budget_part == {
        "A": D("538.82"),
        "B": D("825.19"),
        "C": D("746.02"),
        "D": D("827.16"),
        "E": D("150.31"),
    }
    assert example.fund_part == {"A": D("36.12"), "B": D("40.60"), "C": D("32.71"), "D": D("35.50"), "E": D("10.07")}
    with firm_scope(example.condominium.firm):
        assert {key: balance(owner) for key, owner in example.owners.items()} == {
            key: 4 * due for key, due in Q1_DUE.items()
        }
        assert control_account_balance(example.condominium) == D("12970.00")  # 4 × 3 242,50


def test_the_year_to_the_cent(example: Example) -> None:
    with firm_scope(example.condominium.firm):
        # Q1: before D pays, D owes the Q1 call; the others are settled.
        run_year(example)
        owners = example.owners
        on_15_03 = datetime.date(2025, 3, 15)
        assert balance(owners["A"], at=on_15_03) == 0
        assert balance(owners["D"], at=on_15_03) == D("862.66")
        assert [item.open_amount for item in unpaid_items(owners["D"], at=on_15_03)] == [D("827.16"), D("35.50")]
        assert unpaid_items(owners["D"], at=on_15_03)[0].age_days == 73
        # After the year and the régularisation: what the spec gives per owner.
        assert {key: balance(owner) for key, owner in owners.items()} == {
            "A": D("53.65"),
            "B": D("-7.13"),
            "C": D("-30.89"),
            "D": D("-38.87") + D("3.95"),  # the interest of art. 36 is still owed
            "E": D("14.99"),
        }
        assert balances_by_account(owners["A"]) == {"4501": D("53.65"), "4505": D("0.00")}
        # The sub-ledger equals the control accounts; 701 after distribution equals the charges.
        assert sum(balance(owner) for owner in owners.values()) == control_account_balance(example.condominium)
        from tantieme.ledger.reports import trial_balance

        rows = {row.account: row for row in trial_balance(example.year)}
        assert rows["701"].closing == D("-12341.75") - D("0")  # credit balance
        assert rows["105"].closing == D("-620.00")
        class_6 = sum(row.closing for row in rows.values() if row.account.startswith("6"))
        assert class_6 == D("12341.75")
        assert rows["714"].closing == D("-3.95")
        # Classes 6 and 7 do not net to zero while the interest income is undistributed.
        with pytest.raises(LedgerError, match="pas répartis"):
            services.close_fiscal_year(fiscal_year=example.year)
        services.close_fiscal_year(fiscal_year=example.year, require_distribution=False)
        assert check_books(example.condominium) == []


def test_owner_a_statement(example: Example) -> None:
    with firm_scope(example.condominium.firm):
        run_year(example)
        statement = statement_for(example.owners["A"], datetime.date(2025, 1, 1), datetime.date(2026, 4, 30))
    assert statement.opening_balance == D("0.00")
    rows = [(line.date, line.label, line.debit, line.credit, line.balance) for line in statement.lines]
    assert rows[:3] == [
        (datetime.date(2025, 1, 1), "Appel T1 2025 CG lot 1", D("538.82"), D("0.00"), D("538.82")),
        (datetime.date(2025, 1, 1), "Appel T1 2025 fonds travaux", D("36.12"), D("0.00"), D("574.94")),
        (datetime.date(2025, 1, 2), "Paiement CB", D("0.00"), D("574.94"), D("0.00")),
    ]
    # T2–T4 identical and paid: the balance is back to zero after each payment.
    assert len(rows) == 13
    assert all(balance == 0 for (_d, _l, _dr, credit, balance) in rows[:12] if credit)
    assert rows[-1] == (
        datetime.date(2025, 12, 31),
        "Régularisation charges 2025 – CG (approuvée AG 15/04/2026)",
        D("53.65"),
        D("0.00"),
        D("53.65"),
    )
    assert statement.closing_balance == D("53.65")
    assert statement.closing_label == "débiteur"
    assert statement.lines[2].lettering == "AA, AB"
    assert statement.history_start == datetime.date(2025, 1, 1)


FEC_EXPECTED = [
    "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise",
    "AF|Appels de fonds|AF2025-0001|20250101|4501|Copropriétaire - budget prévisionnel|A6060001|DUPONT Anne|AF-2025-T1|20250101|Appel T1 2025 CG lot 1|538,82|0,00|AA|20250103|20250101||",
    "AF|Appels de fonds|AF2025-0001|20250101|4505|Copropriétaire - fonds de travaux|A6060001|DUPONT Anne|AF-2025-T1|20250101|Appel T1 2025 fonds travaux|36,12|0,00|AB|20250103|20250101||",
]
FEC_AF_TOTALS = [
    "AF|Appels de fonds|AF2025-0001|20250101|701|Provisions sur opérations courantes|||AF-2025-T1|20250101|Appel T1 2025|0,00|3087,50|||20250101||",
    "AF|Appels de fonds|AF2025-0001|20250101|105|Fonds de travaux|||AF-2025-T1|20250101|Appel T1 2025 fonds travaux|0,00|155,00|||20250101||",
]
FEC_CB = [
    "CB|Encaissements carte|CB2025-0001|20250102|5128|Banque - CB à encaisser|||CB-20250102-0001|20250102|Paiement CB A6060001|574,94|0,00|||20250103||",
    "CB|Encaissements carte|CB2025-0001|20250102|4501|Copropriétaire - budget prévisionnel|A6060001|DUPONT Anne|CB-20250102-0001|20250102|Paiement CB|0,00|538,82|AA|20250103|20250103||",
    "CB|Encaissements carte|CB2025-0001|20250102|4505|Copropriétaire - fonds de travaux|A6060001|DUPONT Anne|CB-20250102-0001|20250102|Paiement CB|0,00|36,12|AB|20250103|20250103||",
]


def test_fec_lines_of_the_spec(example: Example) -> None:
    with firm_scope(example.condominium.firm):
        run_year(example)
        content = render_fec(example.year, separator="|", encoding="iso-8859-15")
        name = fec_filename(example.condominium, example.year)
    assert name == "AB1234567FEC20251231.txt"
    records = content.decode("iso-8859-15").split("\r\n")
    assert records[:3] == FEC_EXPECTED
    af_lines = [record for record in records if record.startswith("AF|Appels de fonds|AF2025-0001|")]
    assert len(af_lines) == 12
    assert af_lines[-2:] == FEC_AF_TOTALS
    cb_index = records.index(FEC_CB[0])
    assert records[cb_index : cb_index + 3] == FEC_CB
    # Every record has 18 fields and every entry balances.
    assert all(len(record.split("|")) == 18 for record in records if record)
    totals: dict[str, Decimal] = {}
    for record in records[1:]:
        if record:
            fields = record.split("|")
            debit, credit = (Decimal(fields[i].replace(",", ".")) for i in (11, 12))
            totals[fields[2]] = totals.get(fields[2], Decimal(0)) + debit - credit
    assert set(totals.values()) == {Decimal("0.00")}
