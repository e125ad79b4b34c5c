"""Authenticate within the firm of the host: credentials of firm A never work on firm B."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from tantieme.users.enums import UserKind
from tantieme.users.models import User, normalize_login


def find_user_for_login(firm_id: int | None, identifier: str) -> User | None:
    """The user of this firm (or the operator, firm None) named by an identifier or an e-mail."""
    if firm_id is None:
        users = User.objects.filter(firm__isnull=True, kind=UserKind.OPERATOR)
    else:
        users = User.objects.filter(firm_id=firm_id)
    if "@" in identifier:
        match = users.filter(email__iexact=identifier.strip()).first()
        if match is not None:
            return match
    return users.filter(login=normalize_login(identifier)).first()


class FirmBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if request is None or not hasattr(request, "firm") or not username or password is None:
            return None
        firm = request.firm
        user = find_user_for_login(firm.pk if firm is not None else None, username)
        if user is None:
            # Hash anyway so that a wrong identifier takes as long as a wrong password.
            User().set_password(password)
            return None
        if not user.has_usable_password():
            # Invited but not yet activated: same cost, same answer as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
