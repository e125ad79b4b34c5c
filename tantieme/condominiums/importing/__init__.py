"""Set up or update a condominium from a spreadsheet (CSV or XLSX); the format is in docs/import-format.md.

Nothing is written unless the whole file is right:

1. `read_source()` turns the file into tables of cells, one per section, with their row numbers;
2. `parse()` turns the cells into typed records and `validate()` checks them against each other and
   against the database; `prepare_import()` does both and returns an `ImportPlan` listing every
   `ImportIssue` (row, column, French message);
3. `apply_import()` creates or updates everything in one transaction, or writes nothing. It never
   deletes: what the database holds and the file does not mention is left as it is.

Records are matched on their natural keys (condominium code in the firm, building and key codes,
lot number, co-owner reference, lot and start date of an ownership), so importing the same file
twice changes nothing the second time. A column left out of the file leaves that field untouched on
existing rows (and takes the model's default on new ones); a column present with an empty cell sets
the field to its empty value.

The stages live in their own modules: `reading` (files into tables of cells), `parsing` (cells into
typed records, the column specs), `validation` (checks across records and against the database, the
plan) and `applying` (the transaction, the summary); `issues` holds `ImportIssue` and its kin.
"""

from tantieme.condominiums.importing.applying import KINDS, BooksSetUp, ImportSummary, apply_import
from tantieme.condominiums.importing.issues import MAX_REPORTED_ISSUES, ImportIssue, ImportRefusedError
from tantieme.condominiums.importing.parsing import parse
from tantieme.condominiums.importing.reading import SHEET_NAMES, fold, read_source, section_of
from tantieme.condominiums.importing.validation import ImportPlan, prepare_import, validate

__all__ = [
    "KINDS",
    "MAX_REPORTED_ISSUES",
    "SHEET_NAMES",
    "BooksSetUp",
    "ImportIssue",
    "ImportPlan",
    "ImportRefusedError",
    "ImportSummary",
    "apply_import",
    "fold",
    "parse",
    "prepare_import",
    "read_source",
    "section_of",
    "validate",
]
