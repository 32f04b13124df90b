"""The preview: per-row errors, matching to existing customers, and duplicates in the file."""

from __future__ import annotations

from leads.capture.reading import read_table
from leads.capture.validation import Outcome, build_preview
from tests.factories import CustomerFactory
from tests.leads.factories import LeadCampaignFactory, LeadFactory

MAPPING = ["legal_name", "tax_id", "email", "phone", "contact_name"]
HEADER = "Empresa,NIT,Correo,Telefono,Contacto\n"


def preview(text: str, campaign):
    return build_preview(read_table((HEADER + text).encode()), MAPPING, campaign_id=campaign.pk)


def by_row(result):
    return {row.number: row for row in result.rows}


def test_rows_with_errors_are_reported_per_column(db):
    campaign = LeadCampaignFactory()
    result = preview(
        "Buena S.A.S.,900123456-8,ventas@buena.co,3001234567,Ana\n"
        "Mala NIT,900123456-1,,,\n"
        ",,sin@nombre.co,,\n"
        "Correo Malo,,no-es-correo,,\n"
        "Telefono Malo,,,12ab,\n",
        campaign,
    )
    rows = by_row(result)
    assert rows[2].status == Outcome.NEW
    assert rows[3].status == Outcome.ERROR
    assert rows[3].errors == [("tax_id", "The check digit of NIT 900123456 should be 8.")]
    assert rows[4].errors[0][0] == "legal_name"
    assert rows[5].errors == [("email", "Enter a valid email address.")]
    assert rows[6].errors[0][0] == "phone"
    assert result.counts() == {"new": 1, "existing": 0, "duplicate": 0, "error": 4}


def test_rows_match_existing_customers_by_tax_id_then_email_then_phone(db):
    campaign = LeadCampaignFactory()
    by_tax = CustomerFactory(tax_id="900123456-8", email="otro@andina.co")
    by_email = CustomerFactory(email="Compras@Bolivar.co")
    by_phone = CustomerFactory(phone="+57 (601) 555-1234")
    result = preview(
        "Andina,900.123.456-8,,,\n"
        "Bolívar,,compras@bolivar.co,,\n"
        "Caribe,,,601 555 1234,\n"
        "Nueva,800111222-7,nueva@x.co,3110000000,\n",
        campaign,
    )
    rows = by_row(result)
    assert (rows[2].status, rows[2].customer_id) == (Outcome.EXISTING, by_tax.pk)
    assert (rows[3].status, rows[3].customer_id) == (Outcome.EXISTING, by_email.pk)
    assert (rows[4].status, rows[4].customer_id) == (Outcome.EXISTING, by_phone.pk)
    assert (rows[5].status, rows[5].customer_id) == (Outcome.NEW, None)


def test_duplicates_in_the_file_collapse_to_the_first_row(db):
    campaign = LeadCampaignFactory()
    result = preview(
        "Uno,800111222-7,uno@x.co,,\n"
        "Uno otra vez,800111222-7,,,\n"
        "Dos,,dos@x.co,3001112233,\n"
        "Dos por telefono,,,300 111 2233,\n",
        campaign,
    )
    rows = by_row(result)
    assert [rows[n].status for n in (2, 3, 4, 5)] == [
        Outcome.NEW,
        Outcome.DUPLICATE,
        Outcome.NEW,
        Outcome.DUPLICATE,
    ]
    assert "row 2" in rows[3].note
    assert "row 4" in rows[5].note


def test_a_customer_already_in_the_campaign_is_not_given_a_second_lead(db):
    campaign = LeadCampaignFactory()
    customer = CustomerFactory(tax_id="900123456-8")
    LeadFactory(customer=customer, campaign=campaign)
    rows = by_row(preview("Andina,900123456-8,,,\n", campaign))
    assert rows[2].status == Outcome.DUPLICATE
    assert "already has a lead in this campaign" in rows[2].note


def test_matching_costs_the_same_queries_for_few_or_many_rows(db, django_assert_max_num_queries):
    campaign = LeadCampaignFactory()
    CustomerFactory(tax_id="900123456-8", email="a@x.co", phone="3001234567")
    few = "".join(f"Empresa {n},,e{n}@x.co,300{n:07d},\n" for n in range(3))
    many = "".join(f"Empresa {n},,e{n}@x.co,300{n:07d},\n" for n in range(300))
    with django_assert_max_num_queries(5):
        preview(few, campaign)
    with django_assert_max_num_queries(5):
        preview(many, campaign)
