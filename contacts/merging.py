"""Folding a duplicate customer into the one that survives."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _

from contacts.models import Contact, Customer, CustomerMerge
from contacts.search import refresh_search_text
from crm.accounts.models import User

# Fields the survivor takes from the duplicate when its own are empty.
FILLABLE_FIELDS = [
    "trade_name",
    "tax_id",
    "economic_activity",
    "employees",
    "website",
    "phone",
    "email",
    "address",
    "city",
    "notes",
    "owner",
    "team",
]


class MergeError(ValueError):
    pass


def _snapshot(customer: Customer) -> dict[str, Any]:
    """The duplicate's own values as plain JSON, kept for reference after it is deleted."""
    values = {
        field.attname: field.value_from_object(customer)
        for field in Customer._meta.concrete_fields
        if field.name != "search_text"
    }
    values["relationship_types"] = list(customer.relationship_types.values_list("code", flat=True))
    values["tags"] = list(customer.tags.values_list("name", flat=True))
    return json.loads(DjangoJSONEncoder().encode(values))


@transaction.atomic
def merge_customers(*, survivor: Customer, duplicate: Customer, by: User | None) -> CustomerMerge:
    """Move every record of ``duplicate`` to ``survivor``, fill the survivor's blanks, delete the duplicate.

    Relations are discovered from the model, so records of departments the hub does not
    know (quotes, tickets...) move as well.
    """
    if survivor.pk == duplicate.pk:
        raise MergeError(_("A customer cannot be merged into itself."))
    survivor = Customer.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Customer.objects.select_for_update().get(pk=duplicate.pk)
    snapshot = _snapshot(duplicate)
    moved: dict[str, int] = {}

    for contact in Contact.objects.filter(customer=duplicate):
        contact.customer = survivor
        contact._history_user = by
        contact._change_reason = _("moved by merge")
        contact.save()
        moved["contacts.contact"] = moved.get("contacts.contact", 0) + 1

    for relation in Customer._meta.related_objects:
        model = relation.related_model
        if model is Contact:
            continue
        if relation.many_to_many:
            # A department's many-to-many to customers (campaign members, say).
            through = relation.through
            source = relation.field.m2m_reverse_field_name()
            already = set(
                through.objects.filter(**{source: survivor}).values_list(
                    relation.field.m2m_field_name(), flat=True
                )
            )
            rows = through.objects.filter(**{source: duplicate})
            rows.exclude(**{f"{relation.field.m2m_field_name()}__in": already}).update(**{source: survivor})
            rows.delete()
            continue
        count = model._base_manager.filter(**{relation.field.name: duplicate}).update(
            **{relation.field.name: survivor}
        )
        if count:
            moved[model._meta.label_lower] = count

    survivor.relationship_types.add(*duplicate.relationship_types.all())
    survivor.tags.add(*duplicate.tags.all())
    filled = []
    duplicate_tax_id = duplicate.tax_id
    for name in FILLABLE_FIELDS:
        field = Customer._meta.get_field(name)
        if not getattr(survivor, field.attname) and getattr(duplicate, field.attname):
            setattr(survivor, field.attname, getattr(duplicate, field.attname))
            filled.append(name)
    if "tax_id" in filled:
        # The tax id is unique: free it on the duplicate before the survivor takes it.
        Customer.objects.filter(pk=duplicate.pk).update(tax_id=None)

    merge = CustomerMerge.objects.create(
        survivor=survivor,
        merged_customer_id=duplicate.pk,
        merged_name=duplicate.legal_name,
        merged_data={"customer": snapshot, "filled": filled, "tax_id": duplicate_tax_id},
        moved=moved,
        merged_by=by,
    )
    duplicate._history_user = by
    duplicate._change_reason = _("merged into #%(pk)s") % {"pk": survivor.pk}
    duplicate.delete()

    survivor.version += 1
    survivor._history_user = by
    survivor._change_reason = _("merged #%(pk)s %(name)s into this customer") % {
        "pk": merge.merged_customer_id,
        "name": merge.merged_name,
    }
    survivor.save()
    refresh_search_text([survivor.pk])
    return merge
