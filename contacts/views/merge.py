from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from contacts.duplicates import find_duplicates
from contacts.forms import MergeForm
from contacts.merging import MergeError, merge_customers
from contacts.models import Customer
from crm.accounts.permissions import role_required
from crm.accounts.roles import Role


@role_required(Role.MANAGER, Role.ADMIN)
def customer_merge(request, pk: int):
    visible = Customer.objects.visible_to(request.user)
    survivor = get_object_or_404(visible, pk=pk)
    form = MergeForm(
        request.POST or None,
        survivor=survivor,
        queryset=visible,
        initial={"duplicate": request.GET.get("duplicate")},
    )
    if request.method == "POST" and form.is_valid():
        duplicate = form.cleaned_data["duplicate"]
        try:
            merge = merge_customers(survivor=survivor, duplicate=duplicate, by=request.user)
        except MergeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(merged)s was merged into %(survivor)s.")
                % {"merged": merge.merged_name, "survivor": survivor},
            )
            return redirect(survivor)
    candidates = find_duplicates(
        {
            "tax_id": survivor.tax_id,
            "email": survivor.email,
            "phone": survivor.phone,
            "legal_name": survivor.legal_name,
        },
        visible_to=request.user,
        exclude_pk=survivor.pk,
    )
    return render(
        request,
        "contacts/customer_merge.html",
        {"customer": survivor, "form": form, "candidates": candidates},
    )
