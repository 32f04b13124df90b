"""Customer CSV import: upload, preview with per-row errors and duplicates, confirm once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Contact, Customer, CustomerImport, EconomicActivity, Tag
from contacts.validators import nit_check_digit
from tests.factories import ContactFactory, CustomerFactory

URL = reverse("contacts:customer_import")
HEADER = (
    "legal_name,trade_name,segment,tax_id,economic_activity,phone,email,city,"
    "relationship_types,tags,owner,contact_name,contact_role,contact_email,contact_is_legal_representative\n"
)


def nit(body: str) -> str:
    return f"{body}-{nit_check_digit(body)}"


def upload(client, content: str | bytes, name: str = "customers.csv", encoding: str = "utf-8"):
    data = content.encode(encoding) if isinstance(content, str) else content
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def preview_of(client, content, **kwargs) -> CustomerImport:
    response = upload(client, content, **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    return CustomerImport.objects.latest("pk")


def confirm(client, record: CustomerImport):
    return client.post(URL, {"confirm": record.pk}, follow=True)


def form_errors(response) -> str:
    assert response.status_code == 200
    return " ".join(response.context["form"].errors.get("file", []))


@pytest.fixture
def activity(db):
    return EconomicActivity.objects.create(code="4711", name="Comercio al por menor")


@pytest.fixture
def good_file(teammate, activity):
    return HEADER + (
        f"Ferretería El Tornillo S.A.S.,El Tornillo,legal_entity,{nit('800765432')},4711,"
        '+57 601 555 0101,ventas@tornillo.co,Bogotá,"prospect;customer",VIP;Ferretería,teammate,'
        "Ana Gómez,Gerente,ana@tornillo.co,sí\n"
        f",,,{nit('800765432')},,,,,,,,Luis Pérez,Compras,luis@tornillo.co,no\n"
        "Juan Rodríguez,,persona natural,,,3001234567,juan@example.com,Cali,customer,,,,,,\n"
    )


def test_good_file_imports_customers_with_contacts_and_history(client, rep, teammate, good_file):
    Tag.objects.create(name="vip")
    client.force_login(rep)

    record = preview_of(client, good_file)
    page = client.get(f"{URL}?id={record.pk}")

    assert (record.customer_count, record.contact_count, record.error_count) == (2, 2, 0)
    assert (
        'data-testid="confirm"' in page.text
        and "disabled" not in page.text.split('data-testid="confirm"')[0][-200:]
    )
    assert not Customer.objects.exists(), "nothing is saved before confirming"

    response = confirm(client, record)

    assert "Imported 2 customers and 2 contacts." in response.text
    shop = Customer.objects.get(tax_id=nit("800765432"))
    assert shop.trade_name == "El Tornillo"
    assert shop.economic_activity.code == "4711"
    assert (shop.owner, shop.team) == (teammate, teammate.team)
    assert sorted(shop.relationship_types.values_list("code", flat=True)) == ["customer", "prospect"]
    assert sorted(shop.tags.values_list("name", flat=True)) == ["Ferretería", "vip"], "existing tag reused"
    assert Tag.objects.count() == 2
    contacts = {contact.name: contact for contact in shop.contacts.all()}
    assert set(contacts) == {"Ana Gómez", "Luis Pérez"}
    assert (
        contacts["Ana Gómez"].is_legal_representative and not contacts["Luis Pérez"].is_legal_representative
    )
    person = Customer.objects.get(legal_name="Juan Rodríguez")
    assert person.segment == Customer.Segment.NATURAL_PERSON
    assert (person.owner, person.team) == (rep, rep.team), "the importer owns rows that name no owner"
    assert person.country == "CO"
    assert list(Customer.objects.search("luis perez")) == [shop], "contacts are searchable at once"

    history = shop.history.get()
    assert history.history_user == rep
    assert history.history_change_reason == "Imported from customers.csv"
    assert Contact.history.filter(customer_id=shop.pk, history_user=rep).count() == 2
    record.refresh_from_db()
    assert record.status == CustomerImport.Status.IMPORTED
    assert teammate.notifications.count() == 1, "the new owner hears once, not once per customer"


def test_rows_with_errors_are_shown_and_nothing_is_imported(client, rep, activity):
    client.force_login(rep)
    content = HEADER + (
        "Buena S.A.S.,,,,,,buena@example.com,,,,,,,,\n"
        "Mala S.A.S.,,robot,,9999,,not-an-email,,friend,,nobody,,,,quizás\n"
        ",,,,,,,,,,,Sin Empresa,,,\n"
    )

    record = preview_of(client, content)
    page = client.get(f"{URL}?id={record.pk}")

    assert record.error_count == 2
    errors = {row["row"]: row["errors"] for row in record.row_results if row["status"] == "error"}
    assert set(errors) == {3, 4}
    columns = {column for column, _message in errors[3]}
    assert columns == {
        "segment",
        "economic_activity",
        "email",
        "relationship_types",
        "owner",
        "contact_is_legal_representative",
        "contact_name",  # a contact column is filled, so the contact needs a name
    }
    assert any(column == "legal_name" for column, _message in errors[4])
    assert "No user is called nobody." in page.text
    assert 'data-testid="confirm-blocked"' in page.text

    confirm(client, record)  # even if someone posts the disabled button

    assert not Customer.objects.exists()
    record.refresh_from_db()
    assert record.status == CustomerImport.Status.FAILED


def test_rows_follow_the_customer_form_rules(client, rep):
    client.force_login(rep)
    content = "legal_name,website,employees,country\nUno SAS,not a site,-3,Colombia\n"

    [row] = preview_of(client, content).row_results

    assert {column for column, _message in row["errors"]} == {"website", "employees", "country"}
    assert ["country", "Use the two-letter ISO country code, e.g. CO."] in row["errors"]


def test_spanish_headers_and_labels_are_understood(client, rep):
    client.force_login(rep)
    content = (
        "Razón Social,NIT,Segmento,Etapa,Teléfono,Correo\n"
        "Andes Ltda,900123456-8,Persona natural,Adquisición,3001112233,a@b.co\n"
    )

    record = preview_of(client, content)
    confirm(client, record)

    customer = Customer.objects.get()
    assert (customer.segment, customer.lifecycle_stage) == ("person", "acquisition")
    assert (customer.tax_id, customer.phone, customer.email) == ("900123456-8", "3001112233", "a@b.co")


def test_a_wrong_nit_check_digit_is_an_error_of_its_row(client, rep):
    client.force_login(rep)
    record = preview_of(client, "legal_name,tax_id\nAndes Ltda,900123456-1\n")

    [row] = record.row_results
    assert row["status"] == "error"
    assert row["errors"] == [["tax_id", "The check digit of NIT 900123456 should be 8."]]


def test_existing_customer_is_marked_and_skipped_with_its_contacts(client, rep, customer):
    ContactFactory(customer=customer, name="Original Contact")
    client.force_login(rep)
    content = HEADER + (
        "Distribuidora Andina,,,900.123.456-8,,,,,,,,Nueva Persona,,nueva@example.com,\n"
        "Otra Empresa,,,,,,otra@example.com,,,,,,,,\n"
    )

    record = preview_of(client, content)
    page = client.get(f"{URL}?id={record.pk}")
    confirm(client, record)

    assert (record.customer_count, record.duplicate_count) == (1, 1)
    assert "Already exists: Distribuidora Andina S.A.S. (same tax id)" in page.text
    assert "its contacts are not added" in page.text
    assert Customer.objects.count() == 2
    assert list(customer.contacts.values_list("name", flat=True)) == ["Original Contact"]


def test_existing_customer_found_by_email_or_phone(client, rep):
    CustomerFactory(legal_name="Por Correo", email="Info@Correo.co")
    CustomerFactory(legal_name="Por Teléfono", phone="(601) 555-0199")
    client.force_login(rep)
    content = (
        "legal_name,email,phone\nCorreo SAS,info@correo.co,\nTeléfono SAS,,+57 601 5550199\nNueva SAS,,\n"
    )

    record = preview_of(client, content)

    notes = {row["row"]: row["note"] for row in record.row_results if row["status"] == "duplicate"}
    assert notes[2].startswith("Already exists: Por Correo (same email)")
    assert notes[3].startswith("Already exists: Por Teléfono (same phone)")
    assert record.customer_count == 1


def test_duplicate_inside_the_file_is_skipped(client, rep):
    client.force_login(rep)
    content = "legal_name,email\nPrimera SAS,compras@uno.co\nSegunda SAS,COMPRAS@uno.co\n"

    record = preview_of(client, content)
    confirm(client, record)

    [duplicate] = [row for row in record.row_results if row["status"] == "duplicate"]
    assert duplicate["row"] == 3
    assert "row 2 of this file (same email)" in duplicate["note"]
    assert list(Customer.objects.values_list("legal_name", flat=True)) == ["Primera SAS"]


def test_contact_rows_may_repeat_only_the_legal_name(client, rep):
    client.force_login(rep)
    content = (
        "legal_name,tax_id,city,contact_name\n"
        f"Grupo Norte S.A.,{nit('901111222')},Medellín,Marta\n"
        "grupo  norte s.a.,,,Pedro\n"
        f"Grupo Norte S.A.,{nit('901111222')},Cali,Rosa\n"
    )

    record = preview_of(client, content)

    statuses = {row["row"]: row["status"] for row in record.row_results}
    assert statuses == {2: "new", 3: "contact", 4: "error"}, (
        "a different city for the same customer is refused"
    )
    assert record.error_count == 1


def test_latin1_file_from_excel_keeps_its_accents(client, rep):
    client.force_login(rep)
    content = "Razón social;Ciudad;Segmento\nCafé Ñandú Ltda;Bogotá;Persona jurídica\n"

    record = preview_of(client, content, encoding="cp1252")
    confirm(client, record)

    customer = Customer.objects.get()
    assert (customer.legal_name, customer.city) == ("Café Ñandú Ltda", "Bogotá")
    assert customer.segment == Customer.Segment.LEGAL_ENTITY


def test_semicolon_delimiter_and_bom(client, rep):
    client.force_login(rep)
    content = "\ufefflegal_name;relationship_types;tags\nUno SAS;prospect,supplier;a;b\n"

    record = preview_of(client, content)
    confirm(client, record)

    customer = Customer.objects.get()
    assert customer.legal_name == "Uno SAS"
    assert sorted(customer.relationship_types.values_list("code", flat=True)) == ["prospect", "supplier"]
    assert record.ignored_columns == [], "the extra ';' cell is not a column"


@pytest.mark.parametrize(
    "content",
    [
        "legal_name\tcity\r\nUno SAS\tCali\r\n",
        "sep=;\nlegal_name;city\nUno SAS;Cali\n",
        '"legal_name","city"\r"Uno SAS","Cali"\r',
    ],
    ids=["tab", "excel-sep-line", "old-mac-line-ends"],
)
def test_other_delimiters_and_line_ends(client, rep, content):
    client.force_login(rep)

    confirm(client, preview_of(client, content))

    assert list(Customer.objects.values_list("legal_name", "city")) == [("Uno SAS", "Cali")]


def test_excel_unicode_text_export_is_read(client, rep):
    """Excel's "Unicode text" is UTF-16 with tabs."""
    client.force_login(rep)

    confirm(client, preview_of(client, "legal_name\tcity\r\nÑandú SAS\tBogotá\r\n", encoding="utf-16"))

    assert list(Customer.objects.values_list("legal_name", "city")) == [("Ñandú SAS", "Bogotá")]


def test_unknown_columns_are_reported_as_ignored(client, rep):
    client.force_login(rep)
    record = preview_of(client, "legal_name,favourite colour\nUno SAS,blue\n")

    page = client.get(f"{URL}?id={record.pk}")

    assert record.ignored_columns == ["favourite colour"]
    assert "favourite colour" in page.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),  # Django's own check comes first
        (b"   \n\n", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary data"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel workbook"),
        (bytes(range(1, 32)) * 40, "binary data"),
        (b"name_of_company,city\nUno,Cali\n", "must be legal_name"),
        (b"legal_name,city\n", "no customers"),
    ],
)
def test_unreadable_files_get_a_clear_message(client, rep, content, message):
    client.force_login(rep)

    response = upload(client, content)

    assert message in form_errors(response)
    assert not CustomerImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, rep, settings):
    settings.CRM_IMPORT_MAX_BYTES = 100
    client.force_login(rep)

    response = upload(client, "legal_name\n" + "Empresa SAS\n" * 20)

    assert "too large" in form_errors(response)


def test_too_many_rows_is_refused(client, rep, monkeypatch):
    monkeypatch.setattr("contacts.importing.reading.MAX_ROWS", 3)
    client.force_login(rep)

    response = upload(client, "legal_name\n" + "".join(f"Empresa {n}\n" for n in range(4)))

    assert "more than 3 rows" in form_errors(response)


def test_confirming_twice_imports_once(client, rep):
    client.force_login(rep)
    record = preview_of(client, "legal_name\nUno SAS\nDos SAS\n")

    confirm(client, record)
    again = confirm(client, record)

    assert Customer.objects.count() == 2
    assert "already handled" in again.text


def test_only_the_uploader_sees_and_confirms_an_import(client, rep, teammate, manager):
    client.force_login(rep)
    record = preview_of(client, "legal_name\nUno SAS\n")

    for other in (teammate, manager):
        client.force_login(other)
        assert client.get(f"{URL}?id={record.pk}").status_code == 404
        assert client.post(URL, {"confirm": record.pk}).status_code == 404
    assert not Customer.objects.exists()
    assert client.get(f"{URL}?id=abc").status_code == 404


def test_confirm_revalidates_what_changed_since_the_preview(client, rep, teammate):
    client.force_login(rep)
    record = preview_of(
        client, "legal_name,tax_id,owner\nUno SAS,,\nDos SAS,900123456-8,\nTres SAS,,teammate\n"
    )
    CustomerFactory(legal_name="Dos creada entretanto", tax_id="900123456-8")
    teammate.is_active = False
    teammate.save()

    response = confirm(client, record)

    record.refresh_from_db()
    assert record.status == CustomerImport.Status.FAILED
    assert "Some rows have errors now" in response.text
    assert Customer.objects.count() == 1, "nothing of the file was written"


def test_new_duplicates_found_at_confirm_are_skipped(client, rep):
    client.force_login(rep)
    record = preview_of(client, "legal_name,tax_id\nUno SAS,\nDos SAS,900123456-8\n")
    CustomerFactory(legal_name="Dos creada entretanto", tax_id="900123456-8")

    confirm(client, record)

    record.refresh_from_db()
    assert record.status == CustomerImport.Status.IMPORTED
    assert (record.customer_count, record.duplicate_count) == (1, 1)
    assert Customer.objects.count() == 2


ALLOWED = {"rep": 200, "marketer": 200, "manager": 200, "admin_user": 200}
REFUSED = {"service_agent": 403, "accountant": 403, "telemarketer": 403, "no_role": 403}


@pytest.mark.parametrize(("persona", "status"), {**ALLOWED, **REFUSED}.items(), indirect=["persona"])
def test_who_may_import(client, persona, status):
    client.force_login(persona)

    assert client.get(URL).status_code == status
    assert upload(client, "legal_name\nUno SAS\n").status_code == (302 if status == 200 else 403)


def test_import_answers_only_get_and_post(client, rep):
    client.force_login(rep)
    assert client.put(URL).status_code == 405


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _numbered_file(count: int) -> str:
    rows = [
        f"Empresa {n} SAS,,{nit(str(800000000 + n))},4711,+57 300 {n:07d},e{n}@example.com,"
        f'"prospect;customer",tag{n % 1000};común,teammate,Contacto {n},,c{n}@example.com,no\n'
        for n in range(count)
    ]
    header = (
        "legal_name,segment,tax_id,economic_activity,phone,email,relationship_types,tags,owner,"
        "contact_name,contact_role,contact_email,contact_is_legal_representative\n"
    )
    return header + "".join(rows)


def _queries(client, action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_queries_do_not_grow_with_the_rows(client, rep, teammate, activity):
    client.force_login(rep)
    CustomerFactory(phone="3000000001", email="someone@example.com")

    counts = {}
    # Both sizes fit in one bulk insert batch (SQLite allows 999 parameters per statement).
    for size in (3, 30):
        Customer.objects.exclude(email="someone@example.com").delete()
        Tag.objects.all().delete()
        upload_queries = _queries(client, lambda size=size: upload(client, _numbered_file(size)))
        record = CustomerImport.objects.latest("pk")
        page_queries = _queries(client, lambda record=record: client.get(f"{URL}?id={record.pk}"))
        confirm_queries = _queries(client, lambda record=record: client.post(URL, {"confirm": record.pk}))
        record.refresh_from_db()
        assert record.status == CustomerImport.Status.IMPORTED, record.failure
        assert record.duplicate_count == 1, "row 1's phone matches the existing customer"
        counts[size] = (upload_queries, page_queries, confirm_queries)

    assert counts[3] == counts[30]
    assert Contact.objects.count() == 29


def test_a_large_file_imports_in_one_go(client, rep, teammate, activity):
    """More distinct values than SQLite takes in one query: lookups and inserts are batched."""
    client.force_login(rep)
    content = _numbered_file(2_500).replace(";común", "")

    record = preview_of(client, content)
    confirm(client, record)

    record.refresh_from_db()
    assert record.status == CustomerImport.Status.IMPORTED, record.failure
    assert Customer.objects.count() == Contact.objects.count() == 2_500
    assert Customer.tags.through.objects.count() == 2_500


def test_template_lists_the_columns(client, rep):
    client.force_login(rep)

    response = client.get(f"{URL}?template=1")

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").startswith("legal_name,trade_name,segment,tax_id")


def test_pages_render_in_spanish(client, rep):
    client.force_login(rep)
    record = preview_of(client, "legal_name,tax_id\nAndes Ltda,900123456-1\n")

    upload_page = client.get(URL, HTTP_ACCEPT_LANGUAGE="es")
    preview_page = client.get(f"{URL}?id={record.pk}", HTTP_ACCEPT_LANGUAGE="es")

    assert upload_page.status_code == preview_page.status_code == 200
    assert 'lang="es"' in upload_page.text
