"""Reading a purchased list: encodings, delimiters, bad files, and the guessed column mapping."""

from __future__ import annotations

import pytest

from contacts.importing.reading import ImportFileError
from leads.capture.reading import IGNORE, guess_mapping, mapped_rows, read_table


def test_spanish_headers_are_mapped_to_our_fields():
    headers = [
        "Razón Social",
        "NIT",
        "Correo electrónico",
        "Teléfono",
        "Ciudad",
        "Contacto",
        "Cargo",
        "Observaciones",
    ]
    assert guess_mapping(headers) == [
        "legal_name",
        "tax_id",
        "email",
        "phone",
        "city",
        "contact_name",
        "contact_role",
        "notes",
    ]


def test_english_headers_and_contact_columns_are_told_apart():
    headers = ["Company", "VAT number", "E-mail", "Contact email", "Contact phone", "Job title", "Badge id"]
    assert guess_mapping(headers) == [
        "legal_name",
        "tax_id",
        "email",
        "contact_email",
        "contact_phone",
        "contact_role",
        IGNORE,
    ]


def test_a_field_is_guessed_for_one_column_only():
    assert guess_mapping(["Empresa", "Company"]) == ["legal_name", IGNORE]


def test_latin_1_file_with_semicolons_reads_accents():
    data = "Razón social;Ciudad\nCafé Ñandú S.A.S.;Bogotá\n".encode("cp1252")
    table = read_table(data)
    assert table.delimiter == ";"
    assert table.headers == ["Razón social", "Ciudad"]
    assert mapped_rows(table, ["legal_name", "city"]) == [
        (2, {"legal_name": "Café Ñandú S.A.S.", "city": "Bogotá"})
    ]


def test_utf16_and_bom_files_are_read():
    assert read_table("Empresa\tNIT\nAcme\t1\n".encode("utf-16")).headers == ["Empresa", "NIT"]
    assert read_table("\ufeffEmpresa,NIT\nAcme,1\n".encode()).headers == ["Empresa", "NIT"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"PK\x03\x04rest of a workbook", "Excel"),
        (b"\x00\x01\x02\x03binary\x00", "binary"),
        (b"Empresa,NIT\n", "no data rows"),
    ],
)
def test_files_that_cannot_be_used_say_why(data, message):
    with pytest.raises(ImportFileError, match=message):
        read_table(data)
