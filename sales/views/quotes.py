"""Quote pages: create, edit lines with live totals, send, decide, revise, clone, PDF."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.accounts.permissions import role_required
from crm.accounts.roles import Role, has_role
from sales.forms.quotes import CloneQuoteForm, QuoteHeaderForm, QuoteLineFormSet
from sales.models import Opportunity, Product, Quote, SalesSettings
from sales.pdf import quote_filename, render_quote_pdf
from sales.services import quotes as services
from sales.services.quotes import QuoteError

# Reading a quote needs any role and sight of the customer; changing one needs a seller.
SELLERS = (Role.SALES_REP, Role.MANAGER, Role.ADMIN)
LINES_PREFIX = "lines"


def _quote(request: HttpRequest, pk: int, *related: str) -> Quote:
    return get_object_or_404(
        Quote.objects.visible_to(request.user).select_related(
            "customer", "opportunity__stage", "created_by", "sent_by", *related
        ),
        pk=pk,
    )


def _line_formset(data, quote: Quote, lines) -> QuoteLineFormSet:
    products = Product.objects.active().only("pk", "code", "name", "unit_price", "unit_cost", "tax_rate")
    return QuoteLineFormSet(data, prefix=LINES_PREFIX, lines=lines, products=products)


def _with_new_row(data: QueryDict) -> QueryDict:
    """The posted rows plus an untouched one, so the form can grow without saving."""
    data = data.copy()
    total = data.get(f"{LINES_PREFIX}-TOTAL_FORMS", "")
    index = min(int(total), QuoteLineFormSet.max_num) if total.isdigit() else 0
    data[f"{LINES_PREFIX}-TOTAL_FORMS"] = str(index + 1)
    # The row's initial values, so that it counts as unchanged and shows no errors.
    data[f"{LINES_PREFIX}-{index}-quantity"] = "1"
    data[f"{LINES_PREFIX}-{index}-discount_percent"] = "0"
    return data


def _totals_context(totals, *, skipped: bool = False) -> dict:
    threshold = SalesSettings.load().margin_warning_percent
    low = totals.margin_percent is not None and totals.margin_percent < threshold
    return {"totals": totals, "margin_threshold": threshold, "low_margin": low, "skipped_rows": skipped}


@role_required(*SELLERS)
def quote_create(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(
        Opportunity.objects.visible_to(request.user).select_related("customer", "stage"), pk=pk
    )
    rules = SalesSettings.load()
    initial = {"valid_until": services.default_valid_until(rules), "terms": rules.default_terms}
    form = QuoteHeaderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            quote = services.create_quote(opportunity=opportunity, by=request.user, **form.cleaned_data)
        except QuoteError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Quote %(number)s created; add its lines.") % {"number": quote.number}
            )
            return redirect("sales:quote_update", quote.pk)
    return render(request, "sales/quote_create.html", {"opportunity": opportunity, "form": form})


@role_required(*SELLERS)
def quote_update(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    if not quote.is_editable:
        messages.error(request, _("Only a draft can be changed; revise the quote to make a new version."))
        return redirect(quote)
    lines = list(quote.lines.select_related("product"))
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_line" in data:
        data = _with_new_row(data)
        formset = _line_formset(data, quote, lines)
        form = QuoteHeaderForm(data, instance=quote)
        template = "sales/quote_update.html#editor" if request.htmx else "sales/quote_update.html"
        return render(request, template, _editor(quote, form, formset, _preview(formset, lines)[0]))
    form = QuoteHeaderForm(data, instance=quote)
    formset = _line_formset(data, quote, lines)
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            services.update_quote(
                quote=quote, by=request.user, lines=formset.line_inputs(), **form.cleaned_data
            )
        except QuoteError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Quote saved."))
            return redirect(quote)
    totals = services.totals_of(lines) if data is None else _preview(formset, lines)[0]
    return render(request, "sales/quote_update.html", _editor(quote, form, formset, totals))


def _editor(quote: Quote, form, formset, totals) -> dict:
    return {"quote": quote, "form": form, "formset": formset, **_totals_context(totals)}


def _preview(formset, lines):
    """Totals of the rows that are valid as typed, and whether some rows were left out."""
    inputs, skipped = formset.valid_line_inputs()
    try:
        built = services.build_lines(existing={line.pk: line for line in lines}, lines=inputs)
    except QuoteError:
        return services.totals_of(lines), True
    return services.totals_of(built), skipped


@require_http_methods(["GET", "POST"])
@role_required()
def quote_totals(request: HttpRequest, pk: int) -> HttpResponse:
    """The totals box: of the unsaved form on POST (live, while editing), else as stored."""
    quote = _quote(request, pk)
    if request.method == "POST" and quote.is_editable:
        lines = list(quote.lines.all())
        totals, skipped = _preview(_line_formset(request.POST, quote, lines), lines)
        context = _totals_context(totals, skipped=skipped)
    else:
        context = _totals_context(quote.totals)
    return render(request, "sales/quote_totals.html", {"quote": quote, **context})


@role_required()
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk, "revision_of", "cloned_from")
    versions = list(
        Quote.objects.filter(number=quote.number).order_by("version").only("pk", "version", "status")
    )
    can_sell = has_role(request.user, *SELLERS)
    context = {
        "quote": quote,
        "lines": quote.lines.select_related("product"),
        "versions": versions,
        "latest_version": versions[-1],
        "revisable": services.REVISABLE,
        "can_sell": can_sell,
        "clone_targets": list(_clone_targets(request, quote).only("pk", "name")) if can_sell else [],
        **_totals_context(quote.totals),
    }
    return render(request, "sales/quote_detail.html", context)


def _clone_targets(request: HttpRequest, quote: Quote):
    return (
        Opportunity.objects.visible_to(request.user)
        .open()
        .filter(customer_id=quote.customer_id)
        .order_by("expected_close_date", "pk")
    )


def _clone_form(request: HttpRequest, quote: Quote, data=None) -> CloneQuoteForm:
    return CloneQuoteForm(
        data, opportunities=_clone_targets(request, quote), initial={"opportunity": quote.opportunity_id}
    )


def _act(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    quote = _quote(request, pk)
    try:
        result = action(quote=quote, by=request.user)
    except QuoteError as error:
        messages.error(request, str(error))
        return redirect(quote)
    messages.success(request, success % {"number": result.number, "version": result.version})
    return redirect(result)


@require_POST
@role_required(*SELLERS)
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.send_quote, _("Quote %(number)s sent."))


@require_POST
@role_required(*SELLERS)
def quote_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.accept_quote, _("Quote %(number)s accepted: the opportunity is won."))


@require_POST
@role_required(*SELLERS)
def quote_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.reject_quote, _("Quote %(number)s marked as rejected."))


@require_POST
@role_required(*SELLERS)
def quote_revise(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    try:
        revision = services.revise_quote(quote=quote, by=request.user)
    except QuoteError as error:
        messages.error(request, str(error))
        return redirect(quote)
    messages.success(
        request, _("Version %(version)s created: change it and send it.") % {"version": revision.version}
    )
    return redirect("sales:quote_update", revision.pk)


@require_POST
@role_required(*SELLERS)
def quote_clone(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    form = _clone_form(request, quote, request.POST)
    if not form.is_valid():
        for error in form.errors.get("opportunity", []):
            messages.error(request, error)
        return redirect(quote)
    try:
        clone = services.clone_quote(
            quote=quote, opportunity=form.cleaned_data["opportunity"], by=request.user
        )
    except QuoteError as error:
        messages.error(request, str(error))
        return redirect(quote)
    messages.success(
        request, _("Quote %(number)s started from %(source)s.") % {"number": clone.number, "source": quote}
    )
    return redirect("sales:quote_update", clone.pk)


@role_required()
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF as sent when it was kept, else rendered now (a draft's preview)."""
    quote = _quote(request, pk)
    filename = quote_filename(quote)
    if quote.pdf and quote.pdf.storage.exists(quote.pdf.name):
        response = FileResponse(
            quote.pdf.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
        )
    else:
        response = HttpResponse(render_quote_pdf(quote), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("opportunities/<int:pk>/quotes/new/", quote_create, name="quote_create"),
    path("quotes/<int:pk>/", quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/edit/", quote_update, name="quote_update"),
    path("quotes/<int:pk>/totals/", quote_totals, name="quote_totals"),
    path("quotes/<int:pk>/send/", quote_send, name="quote_send"),
    path("quotes/<int:pk>/accept/", quote_accept, name="quote_accept"),
    path("quotes/<int:pk>/reject/", quote_reject, name="quote_reject"),
    path("quotes/<int:pk>/revise/", quote_revise, name="quote_revise"),
    path("quotes/<int:pk>/clone/", quote_clone, name="quote_clone"),
    path("quotes/<int:pk>/pdf/", quote_pdf, name="quote_pdf"),
]
