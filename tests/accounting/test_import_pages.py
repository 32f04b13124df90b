"""The order history import page: upload, preview with per-row errors, confirm once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounting.importing import pending
from accounting.models import Order
from contacts.models import Customer
from tests.factories import CustomerFactory
from tests.helpers import text

URL = reverse("accounting:order_import")
HEADER = "customer_ref,customer_name,order_date,order_number,total\n"
GOOD = HEADER + "C-1,,2024-01-01,A-1,10\nX-1,Nueva S.A.S.,2024-01-02,,20.5\n"


def upload(client, content: str | bytes, name: str = "orders.csv", encoding: str = "utf-8"):
    data = content.encode(encoding) if isinstance(content, str) else content
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def token_of(response) -> str:
    assert response.status_code == 302, text(response)[:2000]
    return response["Location"].split("id=")[1]


def confirm(client, token: str):
    return client.post(URL, {"confirm": token}, follow=True)


@pytest.fixture
def linked(db):
    return CustomerFactory(legal_name="Ferretería El Tornillo S.A.S.", external_ref="C-1")


def test_upload_preview_confirm_imports_the_file(client, accountant, linked):
    client.force_login(accountant)

    token = token_of(upload(client, GOOD))
    page = client.get(f"{URL}?id={token}")

    assert page.status_code == 200
    body = text(page)
    assert "Confirm: import 2 orders" in body
    assert "New customer Nueva S.A.S." in body and "Customer Ferretería El Tornillo S.A.S." in body
    assert "1 order has no order number" in body
    assert not Order.objects.exists(), "nothing is saved before confirming"

    done = confirm(client, token)

    assert "Imported 2 orders." in text(done)
    assert 'data-testid="import-done"' in done.text
    assert Order.objects.filter(is_history=True).count() == 2
    assert Customer.objects.get(external_ref="X-1").owner == accountant
    assert not any(name.endswith(".csv") for name in _stored()), "the file goes once imported"


def _stored() -> list[str]:
    from django.core.files.storage import default_storage

    return default_storage.listdir(pending.FOLDER)[1] if default_storage.exists(pending.FOLDER) else []


def test_confirming_twice_imports_once(client, accountant, linked):
    client.force_login(accountant)
    token = token_of(upload(client, GOOD))
    confirm(client, token)

    again = confirm(client, token)

    assert "already handled; nothing was imported again" in text(again)
    assert Order.objects.count() == 2


def test_a_file_imported_before_shows_its_orders_as_skipped_and_cannot_be_confirmed(client, manager, linked):
    client.force_login(manager)
    content = HEADER + "C-1,,2024-01-01,A-1,10\n"
    confirm(client, token_of(upload(client, content)))

    page = client.get(f"{URL}?id={token_of(upload(client, content))}")

    body = text(page)
    assert "Already imported as order HIS-A-1; skipped." in body
    assert "nothing new to import" in body
    assert 'data-testid="confirm"' in body and "disabled" in body.split('data-testid="confirm"')[0][-120:]


def test_a_file_without_numbers_imported_again_is_pointed_out(client, accountant, linked):
    client.force_login(accountant)
    content = HEADER + "C-1,,2024-01-01,,10\n"
    confirm(client, token_of(upload(client, content)))

    page = client.get(f"{URL}?id={token_of(upload(client, content))}")

    body = text(page)
    assert 'data-testid="look-alikes"' in body and "Was this file imported already?" in body
    assert 'class="table-warning" data-row="2"' in body


def test_rows_with_errors_block_the_import_and_say_why(client, accountant, linked):
    client.force_login(accountant)
    token = token_of(upload(client, HEADER + "C-1,,2024-01-01,A-1,10\nC-2,,2024-13-01,A-2,-3\n"))

    page = client.get(f"{URL}?id={token}")
    forced = confirm(client, token)

    body = text(page)
    assert 'data-row="3" data-status="error"' in body
    assert "not a real date" in body and "cannot be negative" in body
    assert "No customer has the reference C-2" in body
    assert "Nothing can be imported while any row has an error" in body
    assert "1 row has errors. Nothing was imported" in text(forced)
    assert not Order.objects.exists()


def test_orders_imported_meanwhile_are_skipped_at_confirmation(client, accountant, linked):
    client.force_login(accountant)
    token = token_of(upload(client, GOOD))
    confirm(client, token_of(upload(client, HEADER + "C-1,,2024-01-01,A-1,10\n")))

    done = confirm(client, token)

    assert "Imported 1 order." in text(done)
    assert Order.objects.filter(number="HIS-A-1").count() == 1
    assert "A-1" in done.text.split('data-testid="skipped-numbers"')[1][:20]


def test_the_template_names_the_columns(client, accountant):
    client.force_login(accountant)

    response = client.get(f"{URL}?template=1")

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").startswith(
        "customer_ref,customer_name,order_date,order_number,total"
    )


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["accountant", "manager", "admin_user"], indirect=True)
def test_accounting_managers_and_admins_may_import(client, persona):
    client.force_login(persona)

    response = client.get(URL)

    assert response.status_code == 200
    assert reverse("accounting:order_import") in response.text, "the Accounting menu links to it"


@pytest.mark.parametrize(
    "persona", ["rep", "telemarketer", "marketer", "service_agent", "no_role"], indirect=True
)
def test_other_roles_may_not(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert reverse("accounting:order_import") not in client.get(reverse("home")).text


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_only_the_uploader_sees_or_confirms_an_import(client, accountant, manager, linked):
    client.force_login(accountant)
    token = token_of(upload(client, GOOD))
    client.force_login(manager)

    assert client.get(f"{URL}?id={token}").status_code == 404
    assert client.post(URL, {"confirm": token}).status_code == 404
    assert client.get(f"{URL}?id=../../etc/passwd").status_code == 404
    assert client.get(f"{URL}?id=").status_code == 404
    assert not Order.objects.exists()


def test_other_methods_are_refused(client, accountant):
    client.force_login(accountant)

    assert client.put(URL).status_code == 405


def test_the_preview_costs_the_same_queries_for_10_and_100_rows(
    client, accountant, django_assert_max_num_queries
):
    client.force_login(accountant)
    few = token_of(
        upload(client, HEADER + "".join(f"C-{n},Cliente {n},2024-01-01,,{n}\n" for n in range(10)))
    )
    many = token_of(
        upload(client, HEADER + "".join(f"C-{n},Cliente {n},2024-01-01,,{n}\n" for n in range(100)))
    )

    with django_assert_max_num_queries(6) as small:
        client.get(f"{URL}?id={few}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(f"{URL}?id={many}")


def test_the_page_renders_in_spanish(client, accountant, linked, settings):
    settings.LANGUAGE_CODE = "es"
    client.force_login(accountant)
    token = token_of(upload(client, GOOD))

    for url in (URL, f"{URL}?id={token}"):
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="es").status_code == 200
