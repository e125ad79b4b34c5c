"""Back office: set up or update a condominium from a spreadsheet, previewed before it is applied.

The uploaded file waits between the preview and the confirmation in a file under
VAR_DIR/imports, named by a random token that only the uploader's session knows (with the firm
and the user it was uploaded for). Confirming reads that file again, checks it again and applies
it: nothing the browser sends back but the token is trusted.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tantieme.backoffice.policy import Can, portfolio_condominiums
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.importing import (
    MAX_REPORTED_ISSUES,
    BooksSetUp,
    ImportIssue,
    ImportPlan,
    ImportRefusedError,
    ImportSummary,
    apply_import,
    prepare_import,
)
from tantieme.condominiums.models import Condominium
from tantieme.ledger.services import set_up_books
from tantieme.users.models import PortfolioCondominium

MAX_FILE_BYTES = 5 * 1024 * 1024
PENDING_SECONDS = 2 * 60 * 60  # an upload not confirmed within two hours is dropped
MAX_SHOWN_CHANGES = 300
SESSION_KEY = "condominium_imports"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{40,64}$")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV ou XLSX"),
        help_text=gettext_lazy("Format décrit dans la documentation « Import d'une copropriété » ; 5 Mo au plus."),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in {".csv", ".xlsx"}:
            raise ValidationError(_("Déposez un fichier .csv ou .xlsx."))
        if (upload.size or 0) > MAX_FILE_BYTES:
            raise ValidationError(_("Le fichier dépasse 5 Mo."))
        return upload


# --- Files waiting for confirmation ------------------------------------------------------------


def _pending_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def _pending_path(token: str) -> Path:
    return _pending_dir() / f"{token}.upload"


def _purge_stale() -> None:
    directory = _pending_dir()
    if not directory.is_dir():
        return
    limit = time.time() - PENDING_SECONDS
    for path in directory.glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            continue


def _keep(request: HttpRequest, name: str, content: bytes) -> str:
    _purge_stale()
    token = secrets.token_urlsafe(32)
    directory = _pending_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _pending_path(token).write_bytes(content)
    pending = {
        key: entry
        for key, entry in request.session.get(SESSION_KEY, {}).items()
        if entry.get("at", 0) > time.time() - PENDING_SECONDS
    }
    firm = request.firm  # type: ignore[attr-defined]
    pending[token] = {"name": name, "firm": firm.pk, "user": request.user.pk, "at": time.time()}
    request.session[SESSION_KEY] = pending
    return token


def _pending(request: HttpRequest, token: str) -> tuple[str, bytes]:
    """The file behind a token of this session, firm and user; anything else is a 404."""
    if not _TOKEN.match(token):
        raise Http404
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if (
        entry is None
        or entry.get("firm") != request.firm.pk  # type: ignore[attr-defined]
        or entry.get("user") != request.user.pk
        or entry.get("at", 0) < time.time() - PENDING_SECONDS
    ):
        raise Http404
    try:
        return str(entry["name"]), _pending_path(token).read_bytes()
    except FileNotFoundError:
        raise Http404 from None


def _forget(request: HttpRequest, token: str) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    _pending_path(token).unlink(missing_ok=True)


def _books_for(request: HttpRequest) -> BooksSetUp:
    """The ledger's set-up of a new condominium (chart, journals, first fiscal year), in the import's transaction."""

    user = staff_user(request)

    def set_up(condominium: Condominium) -> str:
        # A staff member limited to a portfolio keeps sight of the condominium they create.
        if PortfolioCondominium.objects.filter(user=user).exists():
            PortfolioCondominium.objects.get_or_create(firm=condominium.firm, user=user, condominium=condominium)
        year = set_up_books(condominium=condominium, actor=request.user)
        if year is None:
            return ""
        return _("Comptabilité : plan comptable, journaux et exercice du %(year)s ouverts.") % {"year": year}

    return set_up


def _outside_portfolio_refused(request: HttpRequest, plan: ImportPlan) -> ImportPlan:
    """The plan, refused when its code is that of a condominium of the firm outside the staff
    member's portfolio: an import may not change what its author may not see."""
    code = plan.condominium_code
    if not code or not Condominium.objects.filter(code=code).exists():
        return plan
    if portfolio_condominiums(staff_user(request)).filter(code=code).exists():
        return plan
    issue = ImportIssue(
        None,
        None,
        _("La copropriété %(code)s n'est pas dans votre portefeuille : cet import ne peut pas la modifier.")
        % {"code": code},
    )
    return ImportPlan(plan.filename, plan.data, [*plan.issues, issue])


# --- Views -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.IMPORT_CONDOMINIUMS)
def upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload: UploadedFile = form.cleaned_data["file"]
            content = b"".join(upload.chunks())
            token = _keep(request, Path(upload.name or "import").name, content)
            return redirect(f"{reverse('backoffice:import_preview')}?{urlencode({'jeton': token})}")
    else:
        form = ImportUploadForm()
    return render(request, "backoffice/import_upload.html", {"form": form, "menu": "import"})


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.IMPORT_CONDOMINIUMS)
def preview(request: HttpRequest) -> HttpResponse:
    """GET: what the file would create or change, or what is wrong with it. POST: apply it."""
    token = (request.POST if request.method == "POST" else request.GET).get("jeton", "")
    name, content = _pending(request, token)
    firm = request.firm  # type: ignore[attr-defined]
    plan = _outside_portfolio_refused(request, prepare_import(name, content, firm))
    summary: ImportSummary | None = None
    if plan.ok:
        try:
            if request.method == "POST":
                summary = apply_import(plan, firm, request=request, set_up_books=_books_for(request))
            else:
                summary = apply_import(plan, firm, dry_run=True, set_up_books=_books_for(request))
        except ImportRefusedError as refused:
            plan = ImportPlan(plan.filename, plan.data, refused.issues)
            summary = None
    if request.method == "POST" and summary is not None:
        _forget(request, token)
        if summary.has_changes:
            messages.success(
                request,
                " ".join(
                    filter(
                        None,
                        [
                            _("Import de la copropriété %(code)s %(name)s terminé.")
                            % {"code": summary.condominium_code, "name": summary.condominium_name},
                            summary.books,
                        ],
                    )
                ),
            )
        else:
            messages.info(request, _("Rien n'a changé : la copropriété était déjà à jour."))
        return redirect("backoffice:home")
    context = {
        "menu": "import",
        "token": token,
        "filename": name,
        "plan": plan,
        "issues": plan.issues[:MAX_REPORTED_ISSUES],
        "more_issues": max(0, len(plan.issues) - MAX_REPORTED_ISSUES),
        "summary": summary,
        "changes": summary.changes[:MAX_SHOWN_CHANGES] if summary else [],
        "more_changes": max(0, len(summary.changes) - MAX_SHOWN_CHANGES) if summary else 0,
    }
    return render(request, "backoffice/import_preview.html", context, status=200)
