"""Contacts (people at a company customer)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from contacts import services
from contacts.forms import ContactForm
from contacts.models import Contact, Customer
from crm.accounts.permissions import role_required


@role_required()
def contact_create(request, pk: int):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    form = ContactForm(request.POST or None, instance=Contact(customer=customer))
    if request.method == "POST" and form.is_valid():
        services.save_contact(contact=form.instance, by=request.user)
        messages.success(request, _("Contact %(name)s added.") % {"name": form.instance})
        return redirect(customer)
    return render(request, "contacts/contact_form.html", {"form": form, "customer": customer})


@role_required()
def contact_update(request, pk: int):
    contact = get_object_or_404(Contact.objects.visible_to(request.user).select_related("customer"), pk=pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.save_contact(contact=form.instance, by=request.user)
        messages.success(request, _("Contact %(name)s saved.") % {"name": contact})
        return redirect(contact.customer)
    return render(
        request,
        "contacts/contact_form.html",
        {"form": form, "customer": contact.customer, "contact": contact},
    )


@role_required()
def contact_delete(request, pk: int):
    contact = get_object_or_404(Contact.objects.visible_to(request.user).select_related("customer"), pk=pk)
    if request.method == "POST":
        services.delete_contact(contact=contact, by=request.user)
        messages.success(request, _("Contact %(name)s removed.") % {"name": contact})
        return redirect(contact.customer)
    return render(request, "contacts/contact_confirm_delete.html", {"contact": contact})
