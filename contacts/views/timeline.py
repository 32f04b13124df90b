"""Logging activities and tasks from the customer page without leaving it (htmx)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts import services
from contacts.forms import ActivityForm, TaskForm
from contacts.models import Customer, Task
from contacts.timeline import timeline_page
from crm.accounts.permissions import role_required


def _render_form(request, template: str, slot: str, customer: Customer, form):
    """The full page without htmx; with htmx, only the form, swapped into its slot."""
    if not request.htmx:
        return render(request, template, {"customer": customer, "form": form})
    response = render(request, f"{template}#form", {"customer": customer, "form": form})
    # A form with errors goes back into its slot, not into the list it would have updated.
    response["HX-Retarget"] = slot
    response["HX-Reswap"] = "innerHTML"
    return response


def _customer(request, pk: int) -> Customer:
    return get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)


@role_required()
def activity_create(request, pk: int):
    customer = _customer(request, pk)
    form = ActivityForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        services.log_activity(customer=customer, by=request.user, **form.cleaned_data)
        if request.htmx:
            response = render(
                request,
                "contacts/customer_detail.html#timeline",
                {"customer": customer, "timeline": timeline_page(customer, None)},
            )
            response["HX-Trigger"] = "activity-logged"
            return response
        messages.success(request, _("Activity logged."))
        return redirect(customer)
    return _render_form(request, "contacts/activity_form.html", "#activity-form", customer, form)


@role_required()
def timeline(request, pk: int):
    customer = _customer(request, pk)
    return render(
        request,
        "contacts/customer_detail.html#timeline",
        {"customer": customer, "timeline": timeline_page(customer, request.GET.get("page"))},
    )


def _open_tasks(request, customer: Customer):
    # Someone given a task on another team's customer sees only their own tasks there.
    return Task.objects.visible_to(request.user).filter(customer=customer).open().select_related("assignee")


@role_required()
def task_create(request, pk: int):
    customer = _customer(request, pk)
    form = TaskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.add_task(customer=customer, by=request.user, **form.cleaned_data)
        if request.htmx:
            return render(
                request,
                "contacts/customer_detail.html#tasks",
                {"customer": customer, "open_tasks": _open_tasks(request, customer)},
            )
        messages.success(request, _("Task added."))
        return redirect(customer)
    return _render_form(request, "contacts/task_form.html", "#task-form-slot", customer, form)


@require_POST
@role_required()
def task_complete(request, pk: int):
    task = get_object_or_404(Task.objects.visible_to(request.user).select_related("customer"), pk=pk)
    services.complete_task(task=task, by=request.user)
    if request.htmx:
        return render(
            request,
            "contacts/customer_detail.html#tasks",
            {"customer": task.customer, "open_tasks": _open_tasks(request, task.customer)},
        )
    messages.success(request, _("Task done."))
    if not Customer.objects.visible_to(request.user).filter(pk=task.customer_id).exists():
        return redirect("home")
    return redirect(task.customer)
