"""Back office: publish documents on the extranet (one or many files at once), archive them, and
keep the list of the conseil syndical's members who see the council's space."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from tantieme.audit.services import record
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, can, condominiums_for_staff, portfolio_condominium
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.documents import services
from tantieme.documents.downloads import as_page_response, document_response
from tantieme.documents.exceptions import DocumentError
from tantieme.documents.forms import BackofficeFilterForm, CouncilMemberForm, PublishForm
from tantieme.documents.models import Document
from tantieme.documents.queries import active_council_memberships, council_members, documents_for_condominium

COLUMNS = (
    Column("title", gettext_lazy("Titre"), lambda d: d.title, order_by="title"),
    Column("category", gettext_lazy("Catégorie"), lambda d: d.get_category_display(), order_by="category"),
    Column(
        "audience",
        gettext_lazy("Destinataires"),
        lambda d: (
            f"{d.co_owner.reference_display} {d.co_owner.display_name}" if d.co_owner else d.get_audience_display()
        ),
        order_by="audience",
    ),
    Column("date", gettext_lazy("Date"), lambda d: d.document_date, order_by="document_date"),
    Column("published", gettext_lazy("Publié"), lambda d: d.published_at, order_by="published_at"),
)


def _document_for(request: HttpRequest, pk: int) -> Document:
    document = get_object_or_404(Document, pk=pk)
    portfolio_condominium(request, document.condominium_id)
    return document


@require_GET
@staff_required
def documents_home(request: HttpRequest) -> HttpResponse:
    condominiums = condominiums_for_staff(staff_user(request))
    counts = dict(
        Document.objects.filter(archived_at__isnull=True, condominium__in=[c.pk for c in condominiums])
        .values_list("condominium_id")
        .annotate(count=Count("pk"))
        .values_list("condominium_id", "count")
    )
    rows = [(condominium, counts.get(condominium.pk, 0)) for condominium in condominiums]
    return render(request, "backoffice/documents_home.html", {"rows": rows, "menu": "documents"})


@require_GET
@staff_required
def documents_condominium(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    form = BackofficeFilterForm(request.GET or None, condominium=condominium)
    form.is_valid()  # a bad field (an unknown reference) shows its error; the valid ones still filter
    filters = form.cleaned_data if form.is_bound else {}
    co_owner = filters.get("coproprietaire")
    documents = documents_for_condominium(
        condominium,
        category=filters.get("categorie") or None,
        audience=filters.get("destinataires") or None,
        year=filters.get("annee") or None,
        co_owner_id=co_owner.pk if co_owner is not None else None,
        include_archived=bool(filters.get("archives")),
    )
    if wants_export(request):
        title = _("Documents %(code)s") % {"code": condominium.code}
        return export_listing(request, documents, COLUMNS, title=title, filename=f"documents-{condominium.code}")
    listing = build_listing(request, documents, COLUMNS, default_sort="published", default_descending=True)
    return render(
        request,
        "backoffice/documents_condominium.html",
        {
            "condominium": condominium,
            "form": form,
            "listing": listing,
            "can_publish": can(request, Can.PUBLISH),
            "can_manage_council": can(request, Can.MANAGE_COUNCIL),
            "menu": "documents",
        },
    )


@staff_required(can=Can.PUBLISH)
def documents_publish(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    if request.method == "POST":
        form = PublishForm(request.POST, request.FILES, condominium=condominium)
        if form.is_valid():
            started = timezone.now()
            try:
                with transaction.atomic():
                    published = [
                        services.publish_document(
                            condominium=condominium,
                            category=form.cleaned_data["category"],
                            audience=form.cleaned_data["audience"],
                            co_owner=form.cleaned_data["co_owner"],
                            title=title,
                            content=checked.content,
                            filename=checked.filename,
                            document_date=form.cleaned_data["document_date"],
                            year=form.cleaned_data["year"],
                            published_by=staff_user(request),
                            request=request,
                        )
                        for checked, title in zip(form.checked_files, form.titles(), strict=True)
                    ]
            except DocumentError as error:
                form.add_error(None, str(error))
            else:
                already = sum(document.published_at < started for document in published)
                added = len(published) - already
                if added:
                    messages.success(
                        request,
                        ngettext("%(count)d document publié.", "%(count)d documents publiés.", added)
                        % {"count": added},
                    )
                if already:
                    messages.warning(
                        request,
                        ngettext(
                            "%(count)d fichier était déjà publié pour ces destinataires : "
                            "il n'a pas été ajouté une seconde fois.",
                            "%(count)d fichiers étaient déjà publiés pour ces destinataires : "
                            "ils n'ont pas été ajoutés une seconde fois.",
                            already,
                        )
                        % {"count": already},
                    )
                return redirect("backoffice:documents_condominium", pk=condominium.pk)
    else:
        form = PublishForm(condominium=condominium)
    return render(
        request,
        "backoffice/documents_publish.html",
        {"condominium": condominium, "form": form, "menu": "documents"},
    )


@require_POST
@staff_required(can=Can.PUBLISH)
def documents_archive(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    services.archive_document(document=document, archived_by=staff_user(request), request=request)
    messages.success(
        request, _("« %(title)s » est archivé : il n'est plus visible sur l'extranet.") % {"title": document.title}
    )
    return redirect("backoffice:documents_condominium", pk=document.condominium_id)


@require_GET
@staff_required
def documents_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    record(action="documents.document.downloaded", request=request, target=document)
    return as_page_response(document_response(document))


@require_GET
@staff_required
def documents_council(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    today = timezone.localdate()
    return render(
        request,
        "backoffice/documents_council.html",
        {
            "condominium": condominium,
            "members": list(council_members(condominium, day=today).order_by("co_owner__reference")),
            "form": CouncilMemberForm(condominium=condominium, today=today),
            "can_manage_council": can(request, Can.MANAGE_COUNCIL),
            "menu": "documents",
        },
    )


@require_POST
@staff_required(can=Can.MANAGE_COUNCIL)
def documents_council_add(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    form = CouncilMemberForm(request.POST, condominium=condominium, today=timezone.localdate())
    if form.is_valid():
        co_owner = form.cleaned_data["co_owner"]
        services.add_council_member(co_owner=co_owner, start_date=form.cleaned_data["start_date"], request=request)
        messages.success(request, _("%(name)s fait partie du conseil syndical.") % {"name": co_owner.display_name})
    else:
        errors = " ".join(str(error) for field_errors in form.errors.values() for error in field_errors)
        messages.error(request, _("Membre non ajouté : %(errors)s") % {"errors": errors})
    return redirect("backoffice:documents_council", pk=condominium.pk)


@require_POST
@staff_required(can=Can.MANAGE_COUNCIL)
def documents_council_remove(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    membership = get_object_or_404(
        active_council_memberships(day=today).select_related("co_owner", "condominium"), pk=pk
    )
    condominium = portfolio_condominium(request, membership.condominium_id)
    services.remove_council_member(membership=membership, today=today, request=request)
    messages.success(
        request,
        _("%(name)s ne fait plus partie du conseil syndical.") % {"name": membership.co_owner.display_name},
    )
    return redirect("backoffice:documents_council", pk=condominium.pk)
