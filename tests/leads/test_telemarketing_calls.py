"""The call screen: each outcome's effect on the lead, the timeline and where the caller goes next."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity
from crm.accounts.roles import Role
from leads.models import Lead
from tests.factories import user_with_role
from tests.helpers import text
from tests.leads.factories import LeadCampaignFactory, LeadFactory, reason


@pytest.fixture
def lead(telemarketer):
    return LeadFactory(assigned_to=telemarketer, customer__legal_name="Ferretería Los Andes S.A.S.")


@pytest.fixture
def caller(client, telemarketer):
    client.force_login(telemarketer)
    return client


def call_url(lead: Lead) -> str:
    return reverse("leads:call", args=[lead.pk])


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_call_screen_shows_the_prospect_the_script_and_every_outcome(caller, telemarketer):
    campaign = LeadCampaignFactory(description="Ofrezca la demostración gratuita de la feria.")
    lead = LeadFactory(assigned_to=telemarketer, campaign=campaign, customer__phone="6015551234")

    page = text(caller.get(call_url(lead)))

    assert lead.customer.legal_name in page
    assert "6015551234" in page
    assert "Ofrezca la demostración gratuita de la feria." in page
    for label in ("No answer", "Busy", "Wrong number", "Call back at…", "Interested", "Not interested"):
        assert f">{label}</button>" in page
    assert ">Sold by phone</button>" in page


@pytest.mark.parametrize(("outcome", "label"), [("no_answer", "No answer"), ("busy", "Busy")])
def test_a_call_without_result_is_logged_and_the_next_lead_follows(
    caller, lead, telemarketer, outcome, label
):
    response = caller.post(
        call_url(lead), {"outcome": outcome, "notes": "Sonó 10 veces", "duration_minutes": "2"}
    )

    assert response.status_code == 302
    assert response.url == reverse("leads:queue")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONTACTING
    assert lead.call_count == 1
    assert lead.last_called_at is not None
    call = Activity.objects.get(customer=lead.customer)
    assert (call.kind, call.outcome, call.duration_minutes, call.notes) == ("call", label, 2, "Sonó 10 veces")
    assert call.related == lead
    assert call.user == telemarketer


def test_the_queue_moves_on_to_the_next_lead_after_an_outcome(caller, lead, telemarketer):
    second = LeadFactory(assigned_to=telemarketer, score=10)
    lead.score = 90
    lead.save()

    # A callback an hour away takes the called lead out of the way for now.
    response = caller.post(
        call_url(lead),
        {"outcome": "callback", "callback_at": local_input(timezone.now() + timedelta(hours=1))},
    )
    assert response.status_code == 302
    assert caller.get(reverse("leads:queue")).url == call_url(second)


def test_a_callback_puts_the_lead_back_at_that_time(caller, lead):
    when = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)

    response = caller.post(call_url(lead), {"outcome": "callback", "callback_at": local_input(when)})

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.callback_at == when
    assert caller.get(reverse("leads:queue")).status_code == 200  # nothing due now


@pytest.mark.parametrize(
    ("outcome", "retry"), [("no_answer", timedelta(hours=2)), ("busy", timedelta(minutes=30))]
)
def test_an_unanswered_call_is_retried_later_and_the_next_lead_comes_first(
    caller, telemarketer, outcome, retry
):
    lead = LeadFactory(assigned_to=telemarketer, score=90)
    other = LeadFactory(assigned_to=telemarketer, score=10)
    before = timezone.now()

    caller.post(call_url(lead), {"outcome": outcome})

    lead.refresh_from_db()
    assert before + retry <= lead.callback_at <= timezone.now() + retry
    assert caller.get(reverse("leads:queue")).url == call_url(other)


def test_another_outcome_clears_a_pending_callback(caller, telemarketer):
    lead = LeadFactory(assigned_to=telemarketer, callback_at=timezone.now() - timedelta(minutes=1))

    caller.post(call_url(lead), {"outcome": "wrong_number"})

    lead.refresh_from_db()
    assert lead.callback_at is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "callback"}, "Say when to call back."),
        (
            {"outcome": "callback", "callback_at": "2001-01-01T10:00"},
            "Choose a time in the future to call back.",
        ),
        ({"outcome": "callback", "callback_at": "mañana"}, "Enter a valid date/time."),
        ({"outcome": "shouted"}, "Choose one of the outcomes."),
        ({"outcome": "busy", "duration_minutes": "-3"}, "greater than or equal to 0"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_logged(caller, lead, data, message):
    response = caller.post(call_url(lead), {"notes": "Se cortó", **data})

    assert response.status_code == 400
    assert message in text(response)
    assert "Se cortó" in text(response)  # what was typed is kept
    lead.refresh_from_db()
    assert lead.call_count == 0
    assert not Activity.objects.filter(customer=lead.customer).exists()


@pytest.mark.parametrize(
    ("outcome", "reason_name"), [("wrong_number", "Wrong contact data"), ("not_interested", "No need")]
)
def test_a_dead_end_leads_to_disqualify_with_a_reason_chosen(caller, lead, outcome, reason_name):
    response = caller.post(call_url(lead), {"outcome": outcome})

    expected = reason(reason_name)
    assert response.url == reverse("leads:disqualify", args=[lead.pk]) + f"?reason={expected.pk}"
    assert Activity.objects.filter(customer=lead.customer, kind="call").count() == 1
    form = caller.get(response.url)
    assert f'<option value="{expected.pk}" selected>' in form.content.decode()

    done = caller.post(reverse("leads:disqualify", args=[lead.pk]), {"reason": expected.pk})

    assert done.url == reverse("leads:queue")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.DISQUALIFIED
    assert lead.disqualification_reason == expected


def test_disqualify_needs_a_reason(caller, lead):
    response = caller.post(reverse("leads:disqualify", args=[lead.pk]), {"notes": "no"})

    assert response.status_code == 400
    assert "Say why the lead is disqualified." in text(response)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW


def test_a_disqualified_lead_leaves_the_queue(caller, lead, telemarketer):
    caller.post(reverse("leads:disqualify", args=[lead.pk]), {"reason": reason("No budget").pk})

    assert caller.get(reverse("leads:queue")).status_code == 200
    assert caller.get(call_url(lead)).status_code == 302  # closed: back to the lead's page


def test_interested_goes_to_the_qualify_screen(caller, lead):
    response = caller.post(call_url(lead), {"outcome": "interested"})

    assert response.url == reverse("leads:qualify", args=[lead.pk])
    assert caller.get(response.url).url == reverse("sales:lead_convert", args=[lead.pk])


def test_sold_by_phone_goes_to_the_qualify_screen_for_a_won_sale(caller, lead):
    response = caller.post(call_url(lead), {"outcome": "sold"})

    convert = caller.get(response.url)
    assert convert.url == reverse("sales:lead_convert", args=[lead.pk]) + "?won=1"
    assert "Record the sale" in text(caller.get(convert.url))


def test_a_telemarketer_of_another_team_cannot_call_the_lead(client, lead, south):
    stranger = user_with_role(Role.TELEMARKETER, team=south, username="tm_south")
    client.force_login(stranger)

    assert client.get(call_url(lead)).status_code == 404
    assert client.post(call_url(lead), {"outcome": "busy"}).status_code == 404
    assert (
        client.post(reverse("leads:disqualify", args=[lead.pk]), {"reason": reason("No need").pk}).status_code
        == 404
    )
