"""What is wrong with an import file, and where: `ImportIssue`, `ImportRefusedError`, `Location`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_REPORTED_ISSUES = 500


@dataclass(frozen=True)
class ImportIssue:
    """One thing wrong with the file: where (sheet of a workbook, row, column) and what, in French."""

    row: int | None
    column: str | None
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        parts = []
        if self.sheet:
            parts.append(_("feuille « %(sheet)s »") % {"sheet": self.sheet})
        if self.row is not None:
            parts.append(_("ligne %(row)s") % {"row": self.row})
        if self.column:
            parts.append(_("colonne « %(column)s »") % {"column": self.column})
        if not parts:
            return self.message
        where = ", ".join(parts)
        return f"{where[0].upper()}{where[1:]} : {self.message}"


class ImportRefusedError(Exception):
    """The import was refused; `issues` say why. Nothing was written."""

    def __init__(self, issues: Sequence[ImportIssue]) -> None:
        super().__init__("; ".join(str(issue) for issue in issues[:5]))
        self.issues = list(issues)


@dataclass(frozen=True)
class Location:
    """Where a record comes from; `headers` maps canonical column names to the file's own spelling."""

    sheet: str
    row: int
    headers: Mapping[str, str] = field(default_factory=dict, compare=False)

    def issue(self, column: str | None, message: str) -> ImportIssue:
        shown = self.headers.get(column, column) if column else None
        return ImportIssue(self.row, shown, message, self.sheet)
