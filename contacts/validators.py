"""Validation of Colombian tax ids (NIT) and the normalisation used for matching."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# DIAN's weights, applied from the rightmost digit of the NIT body.
NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)


def nit_check_digit(body: str) -> int:
    total = sum(int(digit) * weight for digit, weight in zip(reversed(body), NIT_WEIGHTS, strict=False))
    remainder = total % 11
    return remainder if remainder in (0, 1) else 11 - remainder


def normalize_tax_id(value: str) -> str:
    """``900.123.456 - 8`` becomes ``900123456-8``: spaces and dots go, for every country."""
    return re.sub(r"[\s.]", "", (value or "").strip().upper())


def validate_nit(value: str) -> None:
    """Accept ``900123456-8`` style NITs whose check digit is right."""
    match = re.fullmatch(r"(\d{5,15})-(\d)", value)
    if not match:
        raise ValidationError(
            _("Enter the NIT as digits, a hyphen and the check digit, e.g. 900123456-8."),
            code="nit_format",
        )
    body, digit = match.groups()
    expected = nit_check_digit(body)
    if int(digit) != expected:
        raise ValidationError(
            _("The check digit of NIT %(body)s should be %(expected)s."),
            code="nit_check_digit",
            params={"body": body, "expected": expected},
        )


def normalize_phone(value: str) -> str:
    """Digits only, for matching; ``+57 (300) 123-4567`` and ``3001234567`` compare by their tail."""
    return re.sub(r"\D", "", value or "")
