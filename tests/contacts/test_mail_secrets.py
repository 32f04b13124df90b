"""App passwords at rest: encrypted, readable with the key, and the key can be rotated."""

from __future__ import annotations

import pytest

from contacts.mail.secrets import InvalidToken, decrypt_password, encrypt_password


def test_a_password_is_encrypted_and_read_back(settings):
    settings.CRM_MAILBOX_KEY = ""
    token = encrypt_password("app-pass-ñ-123")
    assert "app-pass" not in token
    assert token != encrypt_password("app-pass-ñ-123")  # a fresh nonce every time
    assert decrypt_password(token) == "app-pass-ñ-123"


def test_without_its_own_key_it_follows_secret_key(settings):
    settings.CRM_MAILBOX_KEY = ""
    token = encrypt_password("secreto")
    settings.SECRET_KEY = "another-secret-key-entirely-for-this-test-0123456789"
    with pytest.raises(InvalidToken):
        decrypt_password(token)


def test_a_key_is_rotated_by_putting_the_new_one_first(settings):
    settings.CRM_MAILBOX_KEY = "old-key"
    token = encrypt_password("secreto")
    settings.CRM_MAILBOX_KEY = "new-key, old-key"
    assert decrypt_password(token) == "secreto"
    settings.CRM_MAILBOX_KEY = "new-key"
    with pytest.raises(InvalidToken):
        decrypt_password(token)
