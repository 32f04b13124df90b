"""Importing a purchased list into a campaign: upload, mapping, preview, background import, result."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import Contact, Customer
from crm.accounts.roles import Role
from leads.models import Lead, LeadImport
from leads.tasks import run_lead_import_task
from marketing.models import CampaignMember
from tests.factories import CustomerFactory, user_with_role
from tests.leads.factories import LeadCampaignFactory, csv_upload

FILE = (
    "Razón social,NIT,Correo,Teléfono,Ciudad,Contacto,Cargo,Notas\n"
    "Andina Renombrada,900123456-8,,,,Pedro Pérez,Compras,Vino a la feria\n"
    "Nueva Uno S.A.S.,800111222-7,uno@nueva.co,3001112233,Cali,Ana Ruiz,Gerente,\n"
    "Nueva Uno Otra Vez,800111222-7,,,,,,\n"
    "Nueva Dos,,dos@nueva.co,,Medellín,,,\n"
    "NIT Malo,900123456-1,,,,,,\n"
    ",,sin@nombre.co,,,,,\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def campaign(north):
    return LeadCampaignFactory(team=north)


def upload(client, campaign, text=FILE, **kwargs):
    return client.post(
        reverse("leads:import_start", args=[campaign.pk]), {"file": csv_upload(text, **kwargs)}
    )


def map_columns(client, record, fields):
    data = {"map": "1", **{f"column_{index}": field for index, field in enumerate(fields)}}
    return client.post(reverse("leads:import_detail", args=[record.pk]), data)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("marketer", 200),
        ("manager", 200),
        ("admin_user", 200),
        ("rep", 403),
        ("telemarketer", 403),
        ("no_role", 403),
    ],
    indirect=["persona"],
)
def test_only_marketing_managers_and_admins_import(client, persona, status, campaign):
    client.force_login(persona)
    assert client.get(reverse("leads:import_start", args=[campaign.pk])).status_code == status


def test_an_unknown_campaign_is_404(client, marketer):
    client.force_login(marketer)
    assert client.get(reverse("leads:import_start", args=[999999])).status_code == 404


def test_upload_stores_the_file_and_guesses_the_mapping(client, marketer, campaign, north):
    client.force_login(marketer)
    response = upload(client, campaign)
    record = LeadImport.objects.get()
    assert response.url == reverse("leads:import_detail", args=[record.pk])
    assert record.file.name.startswith("lead_imports/")
    assert record.distribute_to_team == north
    assert record.mapping["fields"] == [
        "legal_name",
        "tax_id",
        "email",
        "phone",
        "city",
        "contact_name",
        "contact_role",
        "notes",
    ]
    page = client.get(response.url).content.decode()
    assert 'data-testid="mapping-form"' in page
    assert "Razón social" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "The submitted file is empty"), (b"\x00\x01\x02binary\x00\x00", "binary data")],
)
def test_bad_files_get_a_clear_message(client, marketer, campaign, data, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(marketer)
    response = client.post(
        reverse("leads:import_start", args=[campaign.pk]), {"file": SimpleUploadedFile("x.csv", data)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LeadImport.objects.exists()


def test_mapping_without_the_name_column_is_refused(client, marketer, campaign):
    client.force_login(marketer)
    upload(client, campaign)
    record = LeadImport.objects.get()
    response = map_columns(client, record, ["", "tax_id", "email", "", "", "", "", ""])
    assert response.status_code == 200
    assert "company or person&#x27;s name" in response.content.decode()
    record.refresh_from_db()
    assert record.status == LeadImport.Status.UPLOADED


def test_preview_then_import_matches_existing_customers_and_skips_bad_rows(
    client, marketer, campaign, customer, telemarketer, north, django_capture_on_commit_callbacks
):
    user_with_role(Role.TELEMARKETER, team=north, username="second")
    client.force_login(marketer)
    upload(client, campaign)
    record = LeadImport.objects.get()
    map_columns(client, record, record.mapping["fields"])
    record.refresh_from_db()
    assert record.status == LeadImport.Status.PREVIEWED
    assert record.result["counts"] == {"new": 2, "existing": 1, "duplicate": 1, "error": 2}
    page = client.get(reverse("leads:import_detail", args=[record.pk])).content.decode()
    assert "2 rows have errors and will be skipped; the other rows import." in page
    assert "The check digit of NIT 900123456 should be 8." in page
    assert "Confirm: import 3 leads" in page

    customers_before = Customer.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("leads:import_detail", args=[record.pk]), {"confirm": "1"})
    record.refresh_from_db()
    assert record.status == LeadImport.Status.DONE
    assert (record.processed_rows, record.total_rows) == (6, 6)
    assert (record.created_leads, record.matched_customers) == (3, 1)
    assert record.result["summary"] == {
        "created_customers": 2,
        "existing_customers": 1,
        "contacts": 2,
        "skipped": 3,
    }

    # The existing customer got a lead, not a twin.
    assert Customer.objects.count() == customers_before + 2
    assert Customer.objects.filter(tax_id="900123456-8").count() == 1
    lead = Lead.objects.get(customer=customer)
    assert (lead.source, lead.status, lead.campaign, lead.team) == ("import", "new", campaign, north)
    assert lead.notes == "Vino a la feria"
    assert lead.contact.name == "Pedro Pérez"
    prospect = Customer.objects.get(tax_id="800111222-7")
    assert prospect.lifecycle_stage == Customer.Stage.INTEREST
    assert list(prospect.relationship_types.values_list("code", flat=True)) == ["prospect"]
    assert Contact.objects.get(customer=prospect).name == "Ana Ruiz"
    assert CampaignMember.objects.filter(campaign=campaign).count() == 3
    # Spread over the team's telemarketers, round-robin from the first in line.
    assigned = sorted(Lead.objects.values_list("assigned_to__username", flat=True))
    assert assigned == ["second", "telemarketer", "telemarketer"]

    page = client.get(reverse("leads:import_detail", args=[record.pk])).content.decode()
    assert 'data-testid="import-done"' in page
    assert "Rows skipped: 3" in page
    assert "Skipped rows" in page

    # Running the task again changes nothing.
    run_lead_import_task.delay(lead_import_id=record.pk)
    assert Lead.objects.count() == 3


def test_the_progress_fragment_polls_while_importing(client, marketer, campaign):
    client.force_login(marketer)
    upload(client, campaign)
    record = LeadImport.objects.get()
    map_columns(client, record, record.mapping["fields"])
    LeadImport.objects.filter(pk=record.pk).update(status=LeadImport.Status.IMPORTING, processed_rows=3)
    url = reverse("leads:import_progress", args=[record.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert "Importing: 3 of 6 rows" in body
    assert 'value="50"' in body
    assert "<html" not in body
    LeadImport.objects.filter(pk=record.pk).update(status=LeadImport.Status.DONE)
    response = client.get(url, headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"


def test_the_import_resumes_after_the_last_chunk_written(client, marketer, campaign, monkeypatch):
    from leads.capture import importer

    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    client.force_login(marketer)
    upload(client, campaign)
    record = LeadImport.objects.get()
    map_columns(client, record, record.mapping["fields"])
    record.refresh_from_db()
    record.status, record.result["summary"], record.result["skipped"] = LeadImport.Status.IMPORTING, {}, []
    record.save()
    importer._import_chunk(
        record,
        importer.build_preview(
            importer.load_table(record), record.mapping["fields"], campaign_id=campaign.pk
        ).rows[:2],
        expected=0,
    )
    assert Lead.objects.count() == 2
    run_lead_import_task.delay(lead_import_id=record.pk)
    record.refresh_from_db()
    assert record.status == LeadImport.Status.DONE
    assert Lead.objects.count() == 3
    assert Customer.objects.filter(tax_id="800111222-7").count() == 1


def test_latin_1_file_imports_with_its_accents(
    client, marketer, campaign, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    upload(client, campaign, "Empresa;Ciudad\nCafé Ñandú;Bogotá\n", encoding="cp1252")
    record = LeadImport.objects.get()
    map_columns(client, record, ["legal_name", "city"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("leads:import_detail", args=[record.pk]), {"confirm": "1"})
    assert Customer.objects.get(legal_name="Café Ñandú").city == "Bogotá"


def test_the_preview_page_costs_the_same_queries_for_few_or_many_rows(
    client, marketer, campaign, django_assert_max_num_queries
):
    client.force_login(marketer)
    for count in (3, 200):
        rows = "".join(f"Empresa {n},e{n}@x.co\n" for n in range(count))
        upload(client, campaign, "Empresa,Correo\n" + rows)
        record = LeadImport.objects.latest("pk")
        with django_assert_max_num_queries(14):
            map_columns(client, record, ["legal_name", "email"])
        with django_assert_max_num_queries(8):
            client.get(reverse("leads:import_detail", args=[record.pk]))


def test_existing_customers_make_no_duplicates_when_created_after_the_preview(
    client, marketer, campaign, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    upload(client, campaign, "Empresa,NIT\nTardía,800111222-7\n")
    record = LeadImport.objects.get()
    map_columns(client, record, ["legal_name", "tax_id"])
    late = CustomerFactory(tax_id="800111222-7")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("leads:import_detail", args=[record.pk]), {"confirm": "1"})
    assert Customer.objects.filter(tax_id="800111222-7").count() == 1
    assert Lead.objects.get().customer == late


def test_the_import_pages_render_in_spanish(client, marketer, campaign, settings):
    settings.LANGUAGE_CODE = "es"
    client.force_login(marketer)
    start = client.get(reverse("leads:import_start", args=[campaign.pk]), headers={"Accept-Language": "es"})
    assert start.status_code == 200
    assert 'lang="es"' in start.content.decode()
    upload(client, campaign)
    record = LeadImport.objects.get()
    detail = client.get(reverse("leads:import_detail", args=[record.pk]), headers={"Accept-Language": "es"})
    assert detail.status_code == 200


def test_wrong_methods_are_405(client, marketer, campaign):
    client.force_login(marketer)
    assert client.put(reverse("leads:import_start", args=[campaign.pk])).status_code == 405
    upload(client, campaign)
    record = LeadImport.objects.get()
    assert client.post(reverse("leads:import_progress", args=[record.pk])).status_code == 405
