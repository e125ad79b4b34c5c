from typing import Any

from django.http import HttpRequest


def firm(request: HttpRequest) -> dict[str, Any]:
    return {"firm": getattr(request, "firm", None)}
