from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts import services
from contacts.counts import scope_count
from contacts.duplicates import find_duplicates
from contacts.filters import CustomerFilter
from contacts.forms import AssignOwnerForm, CustomerForm
from contacts.history import customer_changes
from contacts.models import Customer
from contacts.pagination import EitherEndPaginator
from contacts.panels import customer_panels
from contacts.timeline import timeline_page
from crm.accounts.permissions import role_required
from crm.accounts.roles import Role


@role_required()
def customer_list(request):
    customers = Customer.objects.visible_to(request.user).for_list()
    filterset = CustomerFilter(request.GET or None, queryset=customers)
    count = None if filterset.narrows() else scope_count(customers)
    paginator = EitherEndPaginator(filterset.qs, settings.CRM_LIST_PAGE_SIZE, count=count)
    page_obj = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    unsorted = query.copy()
    unsorted.pop("sort", None)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "query_string": query.urlencode(),
        # For the column headers: the same filters, sorted by the clicked column.
        "unsorted_query_string": unsorted.urlencode(),
        "current_sort": request.GET.get("sort", ""),
    }
    template = "contacts/customer_list.html#results" if request.htmx else "contacts/customer_list.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@role_required()
def customer_detail(request, pk: int):
    customer = get_object_or_404(Customer.objects.visible_to(request.user).for_detail(), pk=pk)
    context = {
        "customer": customer,
        "contacts": customer.contacts.all(),
        "timeline": timeline_page(customer, request.GET.get("page")),
        "open_tasks": customer.tasks.open().select_related("assignee"),
        "changes": customer_changes(customer, limit=10),
        "panels": customer_panels.shown(request, customer),
        "assign_form": AssignOwnerForm(initial={"owner": customer.owner_id}),
    }
    return render(request, "contacts/customer_detail.html", context)


def _relations(form: CustomerForm) -> dict:
    return {
        "relationship_types": form.cleaned_data["relationship_types"],
        "tags": form.cleaned_data["tags"],
    }


@role_required()
def customer_create(request):
    form = CustomerForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        duplicates = find_duplicates(form.cleaned_data, visible_to=request.user)
        if not duplicates or form.cleaned_data.get("confirm_duplicates"):
            try:
                customer = services.create_customer(
                    data=form.customer_data(), by=request.user, **_relations(form)
                )
            except IntegrityError:
                # Someone saved the same tax id between our check and our save.
                form.add_error("tax_id", _("A customer with this tax id already exists."))
            else:
                messages.success(request, _("Customer %(name)s created.") % {"name": customer})
                return redirect(customer)
    return render(request, "contacts/customer_form.html", {"form": form, "duplicates": duplicates})


@role_required()
def customer_update(request, pk: int):
    customer = get_object_or_404(Customer.objects.visible_to(request.user).for_detail(), pk=pk)
    form = CustomerForm(request.POST or None, instance=customer)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.update_customer(
                customer=customer,
                data=form.customer_data(),
                expected_version=form.cleaned_data.get("version") or 0,
                by=request.user,
                **_relations(form),
            )
        except services.StaleCustomerError as error:
            conflict = error
            form.add_error(
                None,
                _(
                    "Someone saved this customer while you were editing it. Review their changes "
                    "below; your edits are kept in the form. Save again to overwrite."
                ),
            )
            # Saving again is a deliberate overwrite of the version now shown.
            form.data = form.data.copy()
            form.data["version"] = error.current.version
        except IntegrityError:
            form.add_error("tax_id", _("A customer with this tax id already exists."))
        else:
            messages.success(request, _("Customer %(name)s saved.") % {"name": customer})
            return redirect(customer)
    return render(
        request,
        "contacts/customer_form.html",
        {"form": form, "customer": customer, "conflict": conflict},
    )


@require_POST
@role_required()
def customer_assign(request, pk: int):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    form = AssignOwnerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an active user as the new owner."))
        return redirect(customer)
    services.assign_owner(customer=customer, owner=form.cleaned_data["owner"], by=request.user)
    messages.success(request, _("%(owner)s now owns this customer.") % {"owner": form.cleaned_data["owner"]})
    # Given to another team, the customer may no longer be visible to the one who gave it away.
    if not Customer.objects.visible_to(request.user).filter(pk=customer.pk).exists():
        return redirect("contacts:customer_list")
    return redirect(customer)


@role_required(Role.MANAGER, Role.ADMIN)
def customer_delete(request, pk: int):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    if request.method == "POST":
        name = str(customer)
        try:
            services.delete_customer(customer=customer, by=request.user)
        except services.CustomerInUseError:
            messages.error(
                request,
                _(
                    "%(name)s cannot be deleted: other departments hold records about it "
                    "(orders, invoices...). Merge it into another customer instead."
                )
                % {"name": name},
            )
            return redirect(customer)
        messages.success(request, _("Customer %(name)s deleted.") % {"name": name})
        return redirect("contacts:customer_list")
    return render(request, "contacts/customer_confirm_delete.html", {"customer": customer})
