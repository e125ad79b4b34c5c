"""Provider credentials encrypted at rest: Fernet with a key derived from SECRET_KEY (HKDF-SHA256).

SECRET_KEY_FALLBACKS are tried for decryption, so rotating SECRET_KEY keeps the stored keys
readable until they are saved again. Never log what `decrypt_credentials` returns.
"""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"tantieme.payments.credentials.v1"


def _fernet_for(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def _multi() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(secret) for secret in secrets])


def encrypt_credentials(credentials: dict[str, str]) -> str:
    return _multi().encrypt(json.dumps(credentials, sort_keys=True).encode("utf-8")).decode("ascii")


def decrypt_credentials(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        data = json.loads(_multi().decrypt(token.encode("ascii")))
    except InvalidToken as error:
        raise ValueError("Identifiants de paiement illisibles (SECRET_KEY changée ?).") from error
    return {str(key): str(value) for key, value in data.items()}
