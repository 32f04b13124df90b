"""Quote pages: who may open them, editing lines with live totals, bad input, actions, queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales.models import Quote, QuoteLine, SalesSettings
from sales.services import quotes as services
from sales.services.quotes import LineInput
from tests.factories import CustomerFactory
from tests.helpers import customer_page, text
from tests.sales.factories import OpportunityFactory, ProductFactory, stage

D = Decimal


@pytest.fixture
def opportunity(customer, rep):
    return OpportunityFactory(customer=customer, owner=rep, name="Renovación de licencias")


@pytest.fixture
def product(db):
    return ProductFactory(
        code="ERP-1",
        name="Licencia ERP",
        unit_price=D("1000000.00"),
        unit_cost=D("400000.00"),
        tax_rate=D(19),
    )


@pytest.fixture
def quote(opportunity, rep, product):
    draft = services.create_quote(opportunity=opportunity, by=rep)
    return services.update_quote(
        quote=draft,
        by=rep,
        valid_until=draft.valid_until,
        notes="",
        terms="",
        lines=[LineInput(product=product, quantity=D(1))],
    )


def url(name: str, quote_or_pk) -> str:
    return reverse(f"sales:{name}", args=[getattr(quote_or_pk, "pk", quote_or_pk)])


def form_data(quote: Quote, rows: list[dict], **header) -> dict:
    """What the edit form posts: the header, the management form and one entry per row."""
    data = {
        "valid_until": quote.valid_until.isoformat(),
        "notes": quote.notes,
        "terms": quote.terms,
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": str(sum(1 for row in rows if row.get("line"))),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **header,
    }
    for index, row in enumerate(rows):
        values = {"quantity": "1", "discount_percent": "0", **row}
        for key, value in values.items():
            data[f"lines-{index}-{key}"] = "" if value is None else str(value)
    return data


def existing_row(line: QuoteLine, **changes) -> dict:
    row = {
        "line": line.pk,
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "discount_percent": line.discount_percent,
    }
    return {**row, **changes}


# --- Who may open what -------------------------------------------------------------------

READ_PAGES = ["quote_detail", "quote_totals", "quote_pdf"]
WRITE_PAGES = ["quote_update"]
ACTIONS = ["quote_send", "quote_accept", "quote_reject", "quote_revise", "quote_clone"]


@pytest.mark.parametrize("persona", ["rep", "teammate", "manager"], indirect=True)
@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES)
def test_the_owner_teammates_and_managers_open_the_quote(client, persona, quote, name):
    client.force_login(persona)
    assert client.get(url(name, quote)).status_code == 200


@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES + ACTIONS)
def test_another_teams_rep_gets_404(client, other_team_rep, quote, name):
    client.force_login(other_team_rep)
    method = client.post if name in ACTIONS else client.get
    assert method(url(name, quote)).status_code == 404


@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES + ACTIONS)
def test_a_user_without_a_role_gets_403(client, no_role, quote, name):
    client.force_login(no_role)
    method = client.post if name in ACTIONS else client.get
    assert method(url(name, quote)).status_code == 403


def test_the_create_page_follows_the_opportunitys_visibility(client, other_team_rep, no_role, opportunity):
    client.force_login(other_team_rep)
    assert client.get(url("quote_create", opportunity)).status_code == 404
    client.force_login(no_role)
    assert client.get(url("quote_create", opportunity)).status_code == 403


def test_readers_without_a_sales_role_see_the_quote_but_cannot_change_it(client, accountant, quote):
    client.force_login(accountant)
    page = client.get(url("quote_detail", quote))
    assert page.status_code == 200
    assert url("quote_send", quote) not in page.text
    assert client.get(url("quote_update", quote)).status_code == 403
    assert client.post(url("quote_send", quote)).status_code == 403


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_only_accept_post(rep_client, quote, name):
    assert rep_client.get(url(name, quote)).status_code == 405


# --- Creating ----------------------------------------------------------------------------


def test_a_rep_creates_a_quote_from_the_opportunity(rep_client, opportunity):
    rules = SalesSettings.load()
    rules.default_terms = "Precios en pesos colombianos."
    rules.save()

    page = rep_client.get(url("quote_create", opportunity))
    assert page.status_code == 200
    assert "Precios en pesos colombianos." in text(page)
    response = rep_client.post(
        url("quote_create", opportunity),
        {
            "valid_until": page.context["form"]["valid_until"].value().isoformat(),
            "notes": "",
            "terms": "Otros",
        },
    )

    quote = Quote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("quote_update", quote)
    assert (quote.opportunity, quote.terms, quote.version) == (opportunity, "Otros", 1)
    assert quote.number.startswith(f"COT-{timezone.localdate().year}-")


def test_a_quote_cannot_expire_before_it_is_issued(rep_client, opportunity):
    response = rep_client.post(url("quote_create", opportunity), {"valid_until": "2000-01-01", "terms": ""})
    assert response.status_code == 200
    assert "A quote cannot expire before the day it is issued." in text(response)
    assert not Quote.objects.exists()


def test_a_closed_opportunity_gets_no_new_quote(rep_client, customer, rep):
    lost = OpportunityFactory(customer=customer, owner=rep, stage=stage("Won"))
    response = rep_client.post(url("quote_create", lost), {"valid_until": "2099-01-01", "terms": ""})
    assert response.status_code == 200
    assert "The opportunity is closed" in text(response)
    assert not Quote.objects.exists()


# --- Editing -----------------------------------------------------------------------------


def test_the_editor_adds_edits_and_removes_lines(rep_client, quote, product):
    second = ProductFactory(
        name="Soporte anual", unit_price=D("200000.00"), unit_cost=D("50000.00"), tax_rate=D(0)
    )
    line = quote.lines.get()

    response = rep_client.post(
        url("quote_update", quote),
        form_data(
            quote,
            [
                existing_row(line, quantity="3", discount_percent="10", unit_price="900000"),
                {"product": second.pk, "quantity": "2", "unit_price": ""},
            ],
            notes="Incluye instalación",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == url("quote_detail", quote)
    first, added = quote.lines.all()
    assert (first.quantity, first.discount_percent, first.unit_price) == (D(3), D(10), D("900000.00"))
    assert (added.description, added.unit_price, added.unit_cost, added.tax_rate) == (
        "Soporte anual",
        D("200000.00"),
        D("50000.00"),
        D(0),
    )
    quote.refresh_from_db()
    # 3 × 900,000 − 10 % = 2,430,000 (+19 % = 461,700); 2 × 200,000 = 400,000 without tax.
    assert quote.total == D("3291700.00")
    assert quote.notes == "Incluye instalación"

    response = rep_client.post(
        url("quote_update", quote),
        form_data(quote, [existing_row(first, DELETE="on"), existing_row(added)]),
    )
    assert response.status_code == 302
    assert list(quote.lines.values_list("description", flat=True)) == ["Soporte anual"]
    quote.refresh_from_db()
    assert quote.total == D("400000.00")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantity": "-2"}, "The quantity must be more than zero."),
        ({"quantity": "0"}, "The quantity must be more than zero."),
        ({"quantity": "muchos"}, "Enter a number."),
        ({"discount_percent": "150"}, "The discount must be between 0 and 100."),
        ({"discount_percent": "-5"}, "The discount must be between 0 and 100."),
        ({"unit_price": "-1"}, "The price cannot be negative."),
        ({"unit_price": "1e400"}, "Ensure that there are no more than 14 digits in total."),
    ],
)
def test_bad_line_input_is_explained_and_nothing_is_saved(rep_client, quote, changes, message):
    line = quote.lines.get()
    response = rep_client.post(
        url("quote_update", quote), form_data(quote, [existing_row(line, **changes)], notes="nuevo")
    )

    assert response.status_code == 200
    body = text(response)
    assert message in body
    assert "nothing was saved yet" in body
    line.refresh_from_db()
    quote.refresh_from_db()
    assert line.quantity == 1
    assert quote.notes == ""
    # What was typed is still in the form.
    assert f'value="{changes[next(iter(changes))]}"' in body


def test_a_new_line_needs_an_active_product(rep_client, quote):
    withdrawn = ProductFactory(is_active=False)
    line = quote.lines.get()
    for row, message in [
        ({"product": "", "quantity": "4"}, "Choose a product for the new line."),
        ({"product": withdrawn.pk}, "That product is not in the active catalogue."),
        ({"product": "999999"}, "That product is not in the active catalogue."),
    ]:
        response = rep_client.post(url("quote_update", quote), form_data(quote, [existing_row(line), row]))
        assert response.status_code == 200
        assert message in text(response)
    assert quote.lines.count() == 1


def test_a_line_of_another_quote_is_refused(rep_client, quote, opportunity, rep, product):
    other = services.create_quote(opportunity=opportunity, by=rep)
    other = services.update_quote(
        quote=other,
        by=rep,
        valid_until=other.valid_until,
        notes="",
        terms="",
        lines=[LineInput(product=product, quantity=D(1))],
    )
    foreign = other.lines.get()

    response = rep_client.post(
        url("quote_update", quote), form_data(quote, [existing_row(foreign, quantity="50")])
    )

    assert response.status_code == 200
    assert "This line was removed meanwhile" in text(response)
    foreign.refresh_from_db()
    assert foreign.quantity == 1


@pytest.mark.parametrize(
    "data",
    [
        {"valid_until": "mañana"},
        {"valid_until": "2099-01-01", "lines-TOTAL_FORMS": "dos", "lines-INITIAL_FORMS": "0"},
        {"add_line": "1", "lines-TOTAL_FORMS": "-3"},
        {"add_line": "1", "lines-TOTAL_FORMS": "99999999999", "lines-INITIAL_FORMS": "0"},
    ],
)
def test_a_damaged_form_gets_a_message_not_an_error_page(rep_client, quote, data):
    response = rep_client.post(url("quote_update", quote), data)
    assert response.status_code == 200
    assert quote.lines.count() == 1
    totals = rep_client.post(url("quote_totals", quote), data)
    assert totals.status_code == 200


def test_add_line_shows_one_more_row_without_saving(rep_client, quote, product):
    line = quote.lines.get()
    data = form_data(quote, [existing_row(line, quantity="7")], add_line="1")

    page = rep_client.post(url("quote_update", quote), data)
    fragment = rep_client.post(url("quote_update", quote), data, headers={"HX-Request": "true"})

    assert page.status_code == fragment.status_code == 200
    assert page.context["formset"].total_form_count() == 2
    assert 'name="lines-1-product"' in page.text
    assert "Please correct the errors" not in page.text
    assert 'value="7"' in page.text  # the unsaved edit is kept
    assert "<html" in page.text
    assert "<html" not in fragment.text
    assert 'id="quote-form"' in fragment.text
    assert 'name="lines-1-product"' in fragment.text
    line.refresh_from_db()
    assert line.quantity == 1


def test_a_sent_quote_cannot_be_edited(rep_client, quote, rep):
    services.send_quote(quote=quote, by=rep)
    line = quote.lines.get()

    page = rep_client.get(url("quote_update", quote), follow=True)
    posted = rep_client.post(url("quote_update", quote), form_data(quote, [existing_row(line, quantity="9")]))

    assert "Only a draft can be changed" in text(page)
    assert posted.status_code == 302
    line.refresh_from_db()
    assert line.quantity == 1


# --- Live totals -------------------------------------------------------------------------


def test_live_totals_follow_the_unsaved_form(rep_client, quote, product):
    line = quote.lines.get()
    response = rep_client.post(
        url("quote_totals", quote),
        form_data(quote, [existing_row(line, quantity="2", discount_percent="50"), {"product": product.pk}]),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    totals = response.context["totals"]
    # Unsaved: 2 × 1,000,000 at −50 % plus a new line of 1,000,000; 19 % tax on 2,000,000.
    assert (totals.subtotal, totals.discount, totals.tax, totals.total) == (
        D("3000000.00"),
        D("1000000.00"),
        D("380000.00"),
        D("2380000.00"),
    )
    assert "2,380,000.00" in response.text
    assert "<html" not in response.text
    line.refresh_from_db()
    assert line.quantity == 1


def test_live_totals_leave_out_rows_with_errors_and_removed_rows(rep_client, quote, product):
    line = quote.lines.get()
    response = rep_client.post(
        url("quote_totals", quote),
        form_data(
            quote,
            [
                existing_row(line, DELETE="on"),
                {"product": product.pk, "quantity": "-1"},
                {"product": product.pk},
            ],
        ),
    )

    assert response.status_code == 200
    assert response.context["totals"].total == D("1190000.00")
    assert "Rows with errors or without a product are left out" in text(response)


def test_live_totals_warn_when_the_margin_is_below_the_threshold(rep_client, quote):
    rules = SalesSettings.load()
    rules.margin_warning_percent = D(30)
    rules.save()
    line = quote.lines.get()

    healthy = rep_client.post(url("quote_totals", quote), form_data(quote, [existing_row(line)]))
    # At 500,000 the cost of 400,000 leaves a 20 % margin.
    thin = rep_client.post(
        url("quote_totals", quote), form_data(quote, [existing_row(line, unit_price="500000")])
    )

    assert healthy.context["totals"].margin_percent == D("60.00")
    assert "below the" not in text(healthy)
    assert thin.context["totals"].margin_percent == D("20.00")
    assert "The margin is 20.00 %, below the 30 % the company asks for." in text(thin)


def test_the_saved_totals_answer_a_plain_get(rep_client, quote):
    response = rep_client.get(url("quote_totals", quote))
    assert response.context["totals"].total == D("1190000.00")


# --- Actions -----------------------------------------------------------------------------


def test_a_rep_sends_a_quote_and_sees_it_sent(rep_client, quote):
    response = rep_client.post(url("quote_send", quote), follow=True)

    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT
    assert f"Quote {quote.number} sent." in text(response)
    assert 'data-testid="quote-status">Sent<' in response.text


def test_sending_an_empty_quote_is_explained(rep_client, opportunity, rep):
    empty = services.create_quote(opportunity=opportunity, by=rep)
    response = rep_client.post(url("quote_send", empty), follow=True)
    assert "Add at least one line before sending the quote." in text(response)
    empty.refresh_from_db()
    assert empty.status == Quote.Status.DRAFT


def test_accept_and_reject_from_the_page(rep_client, quote, rep, opportunity, product):
    services.send_quote(quote=quote, by=rep)
    rep_client.post(url("quote_accept", quote))
    quote.refresh_from_db()
    opportunity.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert opportunity.stage.is_won

    response = rep_client.post(url("quote_reject", quote), follow=True)
    assert "Only a sent quote can be rejected." in text(response)


def test_revising_opens_the_new_version_and_the_page_counts_versions(rep_client, quote, rep):
    services.send_quote(quote=quote, by=rep)

    response = rep_client.post(url("quote_revise", quote))

    revision = Quote.objects.get(number=quote.number, version=2)
    assert response["Location"] == url("quote_update", revision)
    old_page = text(rep_client.get(url("quote_detail", quote)))
    new_page = text(rep_client.get(url("quote_detail", revision)))
    assert "Version 1 of 2" in old_page
    assert "Version 2 of 2" in new_page
    assert url("quote_detail", revision) in old_page
    assert url("quote_detail", quote) in new_page


def test_a_teammate_clones_the_quote_for_their_own_opportunity(client, teammate, quote, customer):
    theirs = OpportunityFactory(customer=customer, owner=teammate, name="Ampliación de sedes")
    client.force_login(teammate)

    page = client.get(url("quote_detail", quote))
    assert "Ampliación de sedes" in text(page)
    response = client.post(url("quote_clone", quote), {"opportunity": theirs.pk})

    clone = Quote.objects.exclude(pk=quote.pk).get()
    assert response["Location"] == url("quote_update", clone)
    assert (clone.opportunity, clone.cloned_from, clone.version, clone.created_by) == (
        theirs,
        quote,
        1,
        teammate,
    )
    assert clone.number != quote.number


def test_cloning_onto_an_opportunity_the_rep_cannot_see_is_refused(client, other_team_rep, quote, manager):
    hidden = OpportunityFactory(customer=CustomerFactory(owner=other_team_rep), owner=other_team_rep)
    client.force_login(manager)
    response = client.post(url("quote_clone", quote), {"opportunity": hidden.pk}, follow=True)
    assert "Choose one of your open opportunities with this customer." in text(response)
    assert Quote.objects.count() == 1


# --- Queries and language ----------------------------------------------------------------


def _count_queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["quote_detail", "quote_update"])
def test_the_quote_pages_cost_the_same_queries_for_5_and_40_lines(rep_client, opportunity, rep, name):
    products = ProductFactory.create_batch(40)
    counts = []
    for size in (5, 40):
        quote = services.create_quote(opportunity=opportunity, by=rep)
        services.update_quote(
            quote=quote,
            by=rep,
            valid_until=quote.valid_until,
            notes="",
            terms="",
            lines=[LineInput(product=product, quantity=D(1)) for product in products[:size]],
        )
        counts.append(_count_queries(rep_client, url(name, quote)))
    assert counts[0] == counts[1]


def test_the_quote_page_speaks_spanish(rep_client, rep, quote):
    rep.language = "es"
    rep.save(update_fields=["language"])
    response = rep_client.get(url("quote_detail", quote))
    assert response.status_code == 200
    assert 'lang="es"' in response.text
    assert "1.190.000,00" in text(response) or "1\xa0190\xa0000,00" in text(response)


def test_the_customer_page_lists_quotes_with_their_sent_pdf(
    rep_client, quote, rep, customer, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        services.send_quote(quote=quote, by=rep)

    page = customer_page(rep_client, customer)

    assert str(quote) in page
    assert url("quote_pdf", quote) in page
