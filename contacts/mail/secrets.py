"""Mailbox passwords, encrypted at rest with Fernet (AES in CBC mode with an HMAC).

The key comes from ``CRM_MAILBOX_KEY`` when set (several keys separated by commas: the first
encrypts, every one decrypts, so a key can be rotated), else it is derived from
``SECRET_KEY``. Changing ``SECRET_KEY`` without setting ``CRM_MAILBOX_KEY`` to the old one
means every user types their app password again; the mailbox page says so.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "decrypt_password", "encrypt_password"]


def _fernet_key(secret: str) -> bytes:
    """A Fernet key from any secret: hashed with a purpose, so it is not the secret itself."""
    digest = hashlib.sha256(b"crm.mailbox-password:" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _fernet() -> MultiFernet:
    secrets = [key.strip() for key in settings.CRM_MAILBOX_KEY.split(",") if key.strip()]
    return MultiFernet([Fernet(_fernet_key(secret)) for secret in secrets or [settings.SECRET_KEY]])


def encrypt_password(password: str) -> str:
    return _fernet().encrypt(password.encode()).decode()


def decrypt_password(token: str) -> str:
    """The password; ``InvalidToken`` when the key it was encrypted with is gone."""
    return _fernet().decrypt(token.encode()).decode()
