"""The public satisfaction survey: a customer opens the emailed link and rates, without an account."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.views.decorators.http import require_http_methods

from service import satisfaction
from service.forms import SatisfactionForm
from service.models import Ticket


@require_http_methods(["GET", "POST"])
def satisfaction_survey(request, token: str):
    try:
        ticket_id = satisfaction.read_token(token)
    except signing.SignatureExpired:
        return render(request, "service/satisfaction_invalid.html", {"expired": True}, status=400)
    except signing.BadSignature:
        return render(request, "service/satisfaction_invalid.html", {"expired": False}, status=400)
    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
    if ticket is None:
        return render(request, "service/satisfaction_invalid.html", {"expired": False}, status=400)
    # The page speaks the customer's language, as the email that brought them here did.
    with translation.override(ticket.customer.language or settings.LANGUAGE_CODE):
        context = {"ticket": ticket, "token": token}
        if ticket.satisfaction_rating is not None:
            return render(request, "service/satisfaction_done.html", {**context, "already": True})
        form = SatisfactionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            rated = satisfaction.rate(
                ticket=ticket,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"].strip(),
            )
            return render(request, "service/satisfaction_done.html", {**context, "already": not rated})
        status = 400 if request.method == "POST" else 200
        return render(request, "service/satisfaction_form.html", {**context, "form": form}, status=status)


urlpatterns = [
    path("satisfaction/<str:token>/", satisfaction_survey, name="satisfaction"),
]
