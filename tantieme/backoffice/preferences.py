"""« Mes préférences »: how a staff member hears of co-owners' requests (issue 16, item 5)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tantieme.audit.services import record
from tantieme.backoffice.views import staff_required
from tantieme.tenancy.enums import RequestAlerts
from tantieme.tenancy.models import StaffMembership


class PreferencesForm(forms.Form):
    request_alerts = forms.ChoiceField(
        label=gettext_lazy("Demandes des copropriétaires de mes copropriétés"),
        choices=RequestAlerts.choices,
        widget=forms.RadioSelect,
    )


@staff_required
def preferences(request: HttpRequest) -> HttpResponse:
    membership: StaffMembership = request.staff_membership  # type: ignore[attr-defined]
    form = PreferencesForm(request.POST or None, initial={"request_alerts": membership.request_alerts})
    if request.method == "POST" and form.is_valid():
        before = membership.request_alerts
        membership.request_alerts = form.cleaned_data["request_alerts"]
        membership.save(update_fields=["request_alerts"])
        record(
            action="tenancy.staff.preferences_changed",
            request=request,
            target=membership,
            data={"request_alerts": {"before": before, "after": membership.request_alerts}},
        )
        messages.success(request, _("Vos préférences sont enregistrées."))
        return redirect("backoffice:preferences")
    return render(request, "backoffice/preferences.html", {"form": form})
