"""Colombian NITs and the normalisation used to match tax ids and phones."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from contacts.validators import nit_check_digit, normalize_phone, normalize_tax_id, validate_nit


@pytest.mark.parametrize(
    ("body", "digit"),
    [
        ("890900608", 9),  # Almacenes Éxito
        ("860002964", 4),  # Banco de Bogotá
        ("900123456", 8),
        ("800197268", 4),  # DIAN
    ],
)
def test_check_digit_of_known_nits(body, digit):
    assert nit_check_digit(body) == digit


@pytest.mark.parametrize("nit", ["890900608-9", "860002964-4", "900123456-8", "800197268-4"])
def test_valid_nits_pass(nit):
    validate_nit(nit)


def test_a_wrong_check_digit_says_which_digit_is_right():
    with pytest.raises(ValidationError) as error:
        validate_nit("900123456-7")
    assert error.value.code == "nit_check_digit"
    assert "should be 8" in error.value.messages[0]


@pytest.mark.parametrize("value", ["9001234568", "ABC123456-8", "900123456-", "1234-5", "900123456-88"])
def test_a_nit_without_its_hyphenated_check_digit_is_a_format_error(value):
    with pytest.raises(ValidationError) as error:
        validate_nit(value)
    assert error.value.code == "nit_format"


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("900.123.456-8", "900123456-8"),
        (" 900 123 456 - 8 ", "900123456-8"),
        ("ab-123", "AB-123"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_tax_id_strips_dots_and_spaces(typed, normalized):
    assert normalize_tax_id(typed) == normalized


def test_normalize_phone_keeps_only_digits():
    assert normalize_phone("+57 (300) 123-4567") == "573001234567"
    assert normalize_phone("") == ""
