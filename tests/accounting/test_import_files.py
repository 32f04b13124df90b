"""Whatever file is uploaded to the order history import, the answer is a clear message, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounting.importing import reading
from accounting.models import Order
from contacts.models import Customer
from tests.accounting.test_import_pages import HEADER, URL, confirm, token_of, upload
from tests.helpers import text


@pytest.fixture
def signed_in(client, accountant):
    client.force_login(accountant)
    return client


def form_error(response) -> str:
    assert response.status_code == 200
    return " ".join(response.context["form"].errors.get("file", []))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\n\n  \n", "The file is empty."),
        (HEADER.encode(), "The file has a header row but no orders."),
        (
            b"legal_name,tax_id\nAndina,900123456-8\n",
            "The file lacks the columns customer_ref, customer_name, order_date, total",
        ),
        (b"customer_ref,customer_name,total\nC-1,Ana,10\n", "The file lacks the columns order_date."),
        (b"C-1,Ana,2024-01-01,A-1,10\n", "The file lacks the columns"),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is an Excel workbook, not a CSV file."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This does not look like a CSV file"),
        (
            (HEADER + 'C-1,"' + "x" * 200_000 + '",2024-01-01,,1\n').encode(),
            "could not be read as CSV near line 2",
        ),
    ],
    ids=[
        "empty",
        "blank-lines",
        "header-only",
        "wrong-columns",
        "missing-column",
        "no-header",
        "xlsx",
        "binary",
        "huge-cell",
    ],
)
def test_a_bad_file_gets_a_clear_message(signed_in, content, message):
    response = upload(signed_in, content)

    assert message in form_error(response)
    assert not Order.objects.exists()


def test_no_file_at_all(signed_in):
    response = signed_in.post(URL, {})

    assert "This field is required." in form_error(response)


def test_a_file_over_the_size_limit_is_refused(signed_in, settings):
    settings.CRM_IMPORT_MAX_BYTES = 1024

    response = upload(signed_in, HEADER + "C-1,Ana,2024-01-01,,10\n" * 100)

    assert "The file is too large (2 KB); the limit is 1 KB. Split it into smaller files." in form_error(
        response
    )


def test_a_file_with_too_many_rows_is_refused(signed_in, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 5)

    response = upload(signed_in, HEADER + "C-1,Ana,2024-01-01,,10\n" * 6)

    assert "The file has more than 5 orders. Split it into smaller files." in form_error(response)


def imported(client, content: str | bytes, **kwargs) -> list[tuple]:
    done = confirm(client, token_of(upload(client, content, **kwargs)))
    assert "Imported" in text(done), text(done)[:3000]
    return list(Order.objects.order_by("pk").values_list("customer__legal_name", "total"))


def test_excel_latin_encoding_keeps_accents(signed_in):
    """A file that is not UTF-8 is read as Excel writes it (Windows-1252), accents and all."""
    rows = imported(signed_in, HEADER + "C-1,Panadería Ñandú,2024-01-01,,10\n", encoding="cp1252")

    assert rows == [("Panadería Ñandú", 10)]


def test_utf8_with_bom_and_spanish_semicolon_file(signed_in):
    content = (
        "\ufeffCustomer_Ref;Customer Name;Order date;Order number;Total;Vendedor\n"
        "C-1;Café Ñandú;2024-01-01;A-1;1250,75;Ana\n"
    )

    token = token_of(upload(signed_in, content))
    page = text(signed_in.get(f"{URL}?id={token}"))
    done = confirm(signed_in, token)

    assert "These columns are not known and are ignored: Vendedor" in page
    assert "Imported 1 order." in text(done)
    assert list(Order.objects.values_list("number", "total")) == [("HIS-A-1", 1250.75)]
    assert Customer.objects.get().legal_name == "Café Ñandú"


def test_excel_sep_line_tabs_and_utf16(signed_in):
    tabbed = HEADER.replace(",", "\t") + "C-1\tAna\t2024-01-01\t\t10\n"
    declared = "sep=;\n" + HEADER.replace(",", ";") + "C-2;Beto;2024-01-01;;20\n"

    assert imported(signed_in, tabbed.encode("utf-16")) == [("Ana", 10)]
    assert imported(signed_in, declared)[-1] == ("Beto", 20)


def test_spanish_headers_are_understood(signed_in):
    content = "Código cliente,Nombre cliente,Fecha,Número pedido,Valor\nC-1,Ana,2024-01-01,P-9,10\n"

    assert imported(signed_in, content) == [("Ana", 10)]
    assert Order.objects.get().number == "HIS-P-9"


def test_a_bad_file_on_the_page_keeps_the_upload_form(signed_in):
    response = upload(signed_in, b"\n")

    assert 'data-testid="upload-form"' in response.text
    assert reverse("accounting:order_import") in response.text
