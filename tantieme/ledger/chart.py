"""The chart of accounts of a syndicat de copropriétaires and its usual journals.

Nomenclature of the arrêté du 14 mars 2005 (as amended from 1 January 2017 for the fonds de travaux:
105 / 4505 / 705), spec accounting-and-law.md §1. Only postable accounts are listed: two-digit
headings are written with three digits (12 -> 120, 53 -> 530, 68 -> 680, 78 -> 780), as the FEC
wants three digits that match the chart. Subdivisions follow the arrêté's rule (512 -> 5121…);
no parallel class is created and no listed account is left out.
"""

from __future__ import annotations

from tantieme.ledger.enums import JournalKind

# Co-owner accounts (compte individuel): every line on them names its co-owner.
CO_OWNER_ACCOUNT_PREFIXES = ("450", "459")
BUDGET = "4501"
WORKS = "4502"
ADVANCES = "4503"
LOANS = "4504"
WORKS_FUND = "4505"
DOUBTFUL = "459"
BANK = "512"
CARD_IN_TRANSIT = "5128"
SUSPENSE_CREDIT = "472"
OPENING_COUNTERPART = "4728"  # see docs/ledger.md, "Reprise des soldes"
CURRENT_PROVISIONS = "701"
WORKS_FUND_CONTRIBUTIONS = "105"
INTEREST_INCOME = "714"

STANDARD_CHART: tuple[tuple[str, str], ...] = (
    # Class 1 — Provisions, avances, subventions et emprunts
    ("102", "Provisions pour travaux décidés"),
    ("1031", "Avances de trésorerie"),
    ("1032", "Avances travaux"),
    ("1033", "Autres avances"),
    ("105", "Fonds de travaux"),
    ("120", "Solde en attente sur travaux et opérations exceptionnelles"),
    ("131", "Subventions accordées en instance de versement"),
    # Class 4 — Copropriétaires et tiers
    ("401", "Fournisseurs - factures parvenues"),
    ("408", "Fournisseurs - factures non parvenues"),
    ("409", "Fournisseurs débiteurs"),
    ("421", "Rémunérations dues"),
    ("431", "Sécurité sociale"),
    ("432", "Autres organismes sociaux"),
    ("441", "État - subventions à recevoir"),
    ("442", "État - impôts et versements assimilés"),
    ("443", "Collectivités territoriales - aides"),
    ("450", "Copropriétaire individualisé"),
    ("4501", "Copropriétaire - budget prévisionnel"),
    ("4502", "Copropriétaire - travaux et opérations exceptionnelles"),
    ("4503", "Copropriétaire - avances"),
    ("4504", "Copropriétaire - emprunts"),
    ("4505", "Copropriétaire - fonds de travaux"),
    ("459", "Copropriétaire - créances douteuses"),
    ("461", "Débiteurs divers"),
    ("462", "Créditeurs divers"),
    ("471", "Compte en attente d'imputation débiteur"),
    ("472", "Compte en attente d'imputation créditeur"),
    ("4728", "Reprise des soldes copropriétaires (à-nouveaux)"),
    ("486", "Charges payées d'avance"),
    ("487", "Produits encaissés d'avance"),
    ("491", "Dépréciation des comptes copropriétaires"),
    ("492", "Dépréciation des autres comptes"),
    # Class 5 — Comptes financiers
    ("501", "Compte à terme"),
    ("502", "Autre compte (fonds de travaux)"),
    ("512", "Banque - compte séparé du syndicat"),
    ("5128", "Banque - CB à encaisser"),
    ("514", "Chèques postaux"),
    ("530", "Caisse"),
    # Class 6 — Charges
    ("601", "Eau"),
    ("602", "Électricité"),
    ("603", "Chauffage, énergie et combustibles"),
    ("604", "Produits d'entretien et petits équipements"),
    ("605", "Matériel"),
    ("606", "Fournitures"),
    ("611", "Nettoyage des locaux"),
    ("612", "Locations immobilières"),
    ("613", "Locations mobilières"),
    ("614", "Contrats de maintenance"),
    ("615", "Entretien et petites réparations"),
    ("616", "Primes d'assurances"),
    ("6211", "Rémunération du syndic"),
    ("6212", "Débours"),
    ("6213", "Frais postaux"),
    ("6221", "Honoraires travaux"),
    ("6222", "Prestations particulières"),
    ("6223", "Autres honoraires"),
    ("623", "Rémunérations de tiers intervenants"),
    ("624", "Frais du conseil syndical"),
    ("632", "Taxe de balayage"),
    ("633", "Taxe foncière"),
    ("634", "Autres impôts et taxes"),
    ("641", "Salaires"),
    ("642", "Charges sociales"),
    ("643", "Taxe sur les salaires"),
    ("644", "Autres frais de personnel"),
    ("661", "Remboursement d'annuités d'emprunt"),
    ("662", "Autres charges financières et agios"),
    ("671", "Travaux décidés par l'assemblée générale"),
    ("672", "Travaux urgents"),
    ("673", "Études techniques, diagnostic, consultation"),
    ("677", "Pertes sur créances irrécouvrables"),
    ("678", "Charges exceptionnelles"),
    ("680", "Dotations aux dépréciations sur créances douteuses"),
    # Class 7 — Produits
    ("701", "Provisions sur opérations courantes"),
    ("702", "Provisions sur travaux de l'article 14-2 et opérations exceptionnelles"),
    ("703", "Avances"),
    ("704", "Remboursements d'annuités d'emprunts"),
    ("705", "Affectation du fonds de travaux"),
    ("711", "Subventions"),
    ("712", "Emprunts"),
    ("713", "Indemnités d'assurances"),
    ("714", "Produits divers"),
    ("716", "Produits financiers"),
    ("718", "Produits exceptionnels"),
    ("780", "Reprises de dépréciations sur créances douteuses"),
)

# Journals (spec §8). Each bank journal is tied to its bank account.
STANDARD_JOURNALS: tuple[tuple[str, str, JournalKind, str], ...] = (
    ("AN", "À-nouveaux", JournalKind.OPENING, ""),
    ("AF", "Appels de fonds", JournalKind.CALLS, ""),
    ("AC", "Achats", JournalKind.PURCHASES, ""),
    ("BQ1", "Banque", JournalKind.BANK, BANK),
    ("CB", "Encaissements carte", JournalKind.CARD, ""),
    ("OD", "Opérations diverses", JournalKind.MISC, ""),
    ("RE", "Répartition", JournalKind.DISTRIBUTION, ""),
)


def is_co_owner_account(number: str) -> bool:
    return number.startswith(CO_OWNER_ACCOUNT_PREFIXES)


def account_class(number: str) -> int:
    return int(number[0])
