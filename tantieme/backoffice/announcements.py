"""Back office "Annonces": publish an announcement for a condominium (optionally e-mailed to the
co-owners who accepted electronic notifications), list them with their readers, archive."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tantieme.announcements.forms import AnnouncementForm
from tantieme.announcements.queries import announcements_for_staff
from tantieme.announcements.services import archive_announcement, publish_announcement
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, can, condominiums_for_staff
from tantieme.backoffice.views import staff_required, staff_user

COLUMNS = (
    Column("date", gettext_lazy("Date"), lambda a: a.published_at, order_by="published_at"),
    Column("condominium", gettext_lazy("Copropriété"), lambda a: str(a.condominium), order_by="condominium__code"),
    Column("title", gettext_lazy("Titre"), lambda a: a.title, order_by="title"),
    Column("email", gettext_lazy("E-mail"), lambda a: a.send_email, order_by="send_email"),
    Column("reads", gettext_lazy("Lectures"), lambda a: a.read_count, order_by="read_count", numeric=True),
    Column(
        "state",
        gettext_lazy("État"),
        lambda a: _("archivée") if a.archived_at else _("en ligne"),
        order_by="archived_at",
    ),
)


@staff_required(post=Can.PUBLISH)
def announcements_list(request: HttpRequest) -> HttpResponse:
    condominiums = condominiums_for_staff(staff_user(request))
    can_publish = can(request, Can.PUBLISH)
    form = AnnouncementForm(request.POST or None, condominiums=condominiums)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        condominium = next(c for c in condominiums if c.pk == data["condominium"])
        publish_announcement(
            condominium=condominium,
            title=data["title"],
            body=data["body"],
            send_email=data["send_email"],
            actor=staff_user(request),
            request=request,
        )
        messages.success(request, _("Annonce publiée."))
        return redirect("backoffice:announcements")
    announcements = announcements_for_staff([c.pk for c in condominiums])
    if wants_export(request):
        return export_listing(request, announcements, COLUMNS, title=_("Annonces"), filename="annonces")
    listing = build_listing(request, announcements, COLUMNS, default_sort="date", default_descending=True)
    return render(
        request,
        "backoffice/announcements_list.html",
        {"form": form, "listing": listing, "can_publish": can_publish, "menu": "announcements"},
        status=400 if form.is_bound else 200,
    )


@require_POST
@staff_required(can=Can.PUBLISH)
def announcement_archive(request: HttpRequest, pk: int) -> HttpResponse:
    ids = [c.pk for c in condominiums_for_staff(staff_user(request))]
    announcement = get_object_or_404(announcements_for_staff(ids), pk=pk)
    archive_announcement(announcement=announcement, actor=staff_user(request), request=request)
    messages.success(request, _("Annonce archivée : les copropriétaires ne la voient plus."))
    return redirect("backoffice:announcements")
