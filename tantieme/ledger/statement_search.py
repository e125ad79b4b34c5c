"""The statement of account as « Mon compte » shows it, searched by dates: one function for the
portal (the co-owner's own page) and the back office (the co-owner file), so that staff see exactly
what the co-owner sees.

    form, statement = searched_statement(co_owner, request.GET, today=timezone.localdate())

Without dates (or with invalid ones) the period is the current fiscal year of the condominium; the
balance on `today` comes in the same query (`statement.balance_on_date`). Call inside a firm scope.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import dateformat, translation
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.money import format_amount
from tantieme.ledger.statements import Statement, statement_for

DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


class StatementSearchForm(forms.Form):
    start = forms.DateField(label=_("du"), input_formats=DATE_INPUTS, required=False)
    end = forms.DateField(label=_("au"), input_formats=DATE_INPUTS, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
            raise forms.ValidationError(_("La date de fin précède la date de début."))
        return data


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date


def default_period(condominium: Condominium, today: datetime.date) -> Period:
    """The current fiscal year of the condominium."""
    start = condominium.fiscal_year_start(today)
    end = datetime.date(start.year + 1, start.month, 1) - datetime.timedelta(days=1)
    return Period(start=start, end=end)


def searched_statement(
    co_owner: CoOwner, params: Mapping[str, Any] | None, *, today: datetime.date
) -> tuple[StatementSearchForm, Statement]:
    """The search form (bound to `params` when any) and the statement of the period it asks for."""
    period = default_period(co_owner.condominium, today)
    form = StatementSearchForm(params or None, initial={"start": period.start, "end": period.end})
    start, end = period.start, period.end
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or period.start
        end = form.cleaned_data["end"] or period.end
    return form, statement_for(co_owner, start, end, balance_date=today)


def statement_rows(statement: Statement) -> list[tuple[str, str, str, str, str]]:
    """The statement's lines as display strings, formatted here in one pass: a 15-year statement has
    hundreds of rows, and four template filters a row cost more than the query that reads them."""
    language = translation.get_language()
    date_format = get_format("SHORT_DATE_FORMAT")

    def amount(value: Decimal) -> str:
        return format_amount(value, language=language) if value else ""

    return [
        (
            dateformat.format(line.date, date_format),
            line.label,
            amount(line.debit),
            amount(line.credit),
            format_amount(line.balance, language=language),
        )
        for line in statement.lines
    ]
