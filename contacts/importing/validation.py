"""Checking every row of a parsed file, in a few queries per file, into a ``Preview``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Lower, Replace, Right
from django.utils import translation
from django.utils.translation import gettext as _

from contacts.forms import ContactForm, CustomerForm
from contacts.importing.preview import PlannedCustomer, Preview, RowResult, RowStatus
from contacts.importing.reading import CONTACT_COLUMNS, CUSTOMER_COLUMNS, ParsedFile
from contacts.models import Customer, EconomicActivity, RelationshipType, Tag
from contacts.search import fold
from contacts.validators import normalize_phone, normalize_tax_id
from crm.accounts.models import User

PHONE_KEY_DIGITS = 10  # Colombian numbers have 10 digits; "+57" in front must still match.

TRUE_WORDS = {"1", "x", "yes", "y", "true", "si", "s", "verdadero"}
FALSE_WORDS = {"", "0", "no", "n", "false", "falso"}
# Resolved from lookups loaded once per file, not by a query per row.
LOOKUP_FIELDS = {"economic_activity", "relationship_types", "tags", "owner", "team"}


class _SharedFields(dict):
    """Form fields that every row's form uses as they are, instead of a deep copy each.

    A form copies its fields so that one instance may change them (querysets, widgets);
    the row forms change nothing, and copying 20 fields for each of 20,000 rows would
    cost seconds. For the same reason the row forms skip the model's own validation
    pass: their fields already carry the model's lengths, choices and validators, the
    customer has no model-level ``clean`` or constraints, and uniqueness is checked for
    the whole file at once.
    """

    def __deepcopy__(self, memo: dict) -> _SharedFields:
        return self


class _CustomerRowForm(CustomerForm):
    """The customer form's rules for the plain columns; lookups are resolved once per file."""

    version = None
    confirm_duplicates = None

    class Meta(CustomerForm.Meta):
        fields = [name for name in CustomerForm.Meta.fields if name not in LOOKUP_FIELDS]

    def __init__(self, data: dict[str, Any]):
        # Skips CustomerForm.__init__, which only prepares the owner field this form leaves out.
        super(CustomerForm, self).__init__(data)

    def _post_clean(self) -> None:
        """No second pass through the model, nor a query per row for the unique tax id: see
        ``_SharedFields``; a tax id already taken is a duplicate, found for the whole file."""


class _ContactRowForm(ContactForm):
    def _post_clean(self) -> None:
        """No second pass through the model: see ``_SharedFields``."""


_CustomerRowForm.base_fields = _SharedFields(_CustomerRowForm.base_fields)
_ContactRowForm.base_fields = _SharedFields(_ContactRowForm.base_fields)


def _choice_map(
    choices: type[Customer.Segment] | type[Customer.Stage], extra: dict[str, str]
) -> dict[str, str]:
    mapping = {fold(key): value for key, value in extra.items()}
    for value, label in zip(choices.values, choices.labels, strict=True):
        mapping[fold(value)] = value
        for language in ("en", "es"):
            with translation.override(language):
                mapping[fold(str(label))] = value
    return mapping


SEGMENTS_EXTRA = {
    "natural person": "person",
    "persona": "person",
    "natural": "person",
    "empresa": "legal_entity",
    "company": "legal_entity",
    "juridica": "legal_entity",
    "corporativa": "corporate",
}


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,|]", value) if part.strip()]


def _phone_key(value: str) -> str:
    digits = normalize_phone(value)
    return digits[-PHONE_KEY_DIGITS:] if len(digits) >= 7 else ""


def _same(left: str, right: str) -> bool:
    return " ".join(fold(left).split()) == " ".join(fold(right).split())


def chunks(values: Iterable[str], *, uses: int = 1) -> Iterator[list[str]]:
    """Distinct values in lists small enough for one ``IN`` query (SQLite caps parameters);
    ``uses`` is how many times the query repeats each list."""
    values = sorted(set(values))
    size = ((connection.features.max_query_params or 20_000) - 50) // uses
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class _Lookups:
    """Everything validation needs from the database, loaded in a few queries per file."""

    activities: dict[str, int]
    relationship_types: dict[str, int]
    tags: dict[str, str]  # lower-cased name → the existing tag's spelling
    users: dict[str, User]
    by_tax_id: dict[str, Customer]
    by_email: dict[str, Customer]
    by_phone: dict[str, Customer]

    @classmethod
    def load(cls, groups: list[PlannedCustomer]) -> _Lookups:
        leads = [group.rows[0].values for group in groups]
        codes = {values.get("economic_activity", "") for values in leads} - {""}
        usernames = {values.get("owner", "").lower() for values in leads} - {""}
        tag_names = {name.lower() for values in leads for name in _split(values.get("tags", ""))}
        keys = [group.match_keys for group in groups]
        relationship_types = {}
        for pk, code, name in RelationshipType.objects.values_list("pk", "code", "name"):
            relationship_types[fold(code)] = pk
            for language in ("en", "es"):
                with translation.override(language):
                    relationship_types[fold(_(name))] = pk
        customers = Customer.objects.only("pk", "legal_name", "tax_id", "email", "phone")
        by_tax_id, by_email, by_phone = {}, {}, {}
        for chunk in chunks(key["tax_id"] for key in keys if key.get("tax_id")):
            by_tax_id.update((c.tax_id, c) for c in customers.filter(tax_id__in=chunk))
        for chunk in chunks(key["email"] for key in keys if key.get("email")):
            matches = customers.annotate(email_key=Lower("email")).filter(email_key__in=chunk)
            by_email.update((c.email_key, c) for c in matches)
        digits = F("phone")
        for char in " -()+./":
            digits = Replace(digits, Value(char), Value(""))
        for chunk in chunks(key["phone"] for key in keys if key.get("phone")):
            matches = customers.annotate(phone_key=Right(digits, PHONE_KEY_DIGITS)).filter(
                phone_key__in=chunk
            )
            by_phone.update((c.phone_key, c) for c in matches)
        return cls(
            activities={
                code: pk
                for chunk in chunks(codes)
                for code, pk in EconomicActivity.objects.filter(code__in=chunk).values_list("code", "pk")
            },
            relationship_types=relationship_types,
            tags={
                name.lower(): name
                for chunk in chunks(tag_names)
                for name in Tag.objects.annotate(key=Lower("name"))
                .filter(key__in=chunk)
                .values_list("name", flat=True)
            },
            users={
                user.username.lower(): user
                for chunk in chunks(usernames)
                for user in User.objects.annotate(key=Lower("username")).filter(key__in=chunk)
            },
            by_tax_id=by_tax_id,
            by_email=by_email,
            by_phone=by_phone,
        )


def _group_rows(parsed: ParsedFile) -> list[PlannedCustomer]:
    """One group per customer: same tax id, else same legal name; a row without a tax id
    joins an earlier customer of the same name, so contact rows need not repeat the tax id."""
    groups: dict[str, PlannedCustomer] = {}
    key_by_name: dict[str, str] = {}
    for number, values in parsed.rows:
        row = RowResult(number, values)
        tax_id = normalize_tax_id(values.get("tax_id", ""))
        name = " ".join(fold(values.get("legal_name", "")).split())
        key = tax_id or key_by_name.get(name) or (f"name:{name}" if name else f"row:{number}")
        if key in groups:
            groups[key].rows.append(row)
            continue
        groups[key] = PlannedCustomer(
            rows=[row],
            match_keys={
                "tax_id": tax_id,
                "email": values.get("email", "").lower(),
                "phone": _phone_key(values.get("phone", "")),
            },
        )
        if name:
            key_by_name.setdefault(name, key)
    return list(groups.values())


def _form_errors(form: forms.Form, prefix: str = "") -> list[tuple[str, str]]:
    return [
        ("" if name == "__all__" else prefix + name, str(message))
        for name, messages in form.errors.items()
        for message in messages
    ]


class _Validator:
    def __init__(self, lookups: _Lookups):
        self.lookups = lookups
        self.segments = _choice_map(Customer.Segment, SEGMENTS_EXTRA)
        self.stages = _choice_map(Customer.Stage, {})

    def customer(self, group: PlannedCustomer) -> None:
        lead = group.rows[0]
        values, errors = lead.values, lead.errors
        data = {name: values.get(name, "") for name in CUSTOMER_COLUMNS if name not in LOOKUP_FIELDS}
        data["country"] = data["country"] or "CO"
        for column, choices, default in (
            ("segment", self.segments, Customer.Segment.LEGAL_ENTITY),
            ("lifecycle_stage", self.stages, Customer.Stage.INTEREST),
        ):
            data[column] = choices.get(fold(data[column]), "") if data[column] else default
            if not data[column]:
                data[column] = default
                errors.append(
                    (
                        column,
                        _("Unknown value %(value)s; use one of: %(choices)s.")
                        % {"value": values[column], "choices": ", ".join(sorted(set(choices.values())))},
                    )
                )
        form = _CustomerRowForm(data)
        if form.is_valid():
            group.data = form.customer_data()
        errors += _form_errors(form)
        self.lookup_columns(group)
        for row in group.rows[1:]:
            for column in CUSTOMER_COLUMNS:
                value = row.values.get(column, "")
                same = (
                    normalize_tax_id(value) == normalize_tax_id(values.get(column, ""))
                    if column == "tax_id"
                    else _same(value, values.get(column, ""))
                )
                if value and not same:
                    message = _("Differs from row %(row)s, the same customer; leave it empty or repeat it.")
                    row.errors.append((column, message % {"row": lead.number}))

    def lookup_columns(self, group: PlannedCustomer) -> None:
        lead = group.rows[0]
        values, errors, lookups = lead.values, lead.errors, self.lookups
        code = values.get("economic_activity", "")
        if code:
            if code in lookups.activities:
                group.data["economic_activity_id"] = lookups.activities[code]
            else:
                errors.append(
                    (
                        "economic_activity",
                        _("No economic activity has the CIIU code %(code)s.") % {"code": code},
                    )
                )
        username = values.get("owner", "")
        if username:
            owner = lookups.users.get(username.lower())
            if owner is None:
                errors.append(("owner", _("No user is called %(username)s.") % {"username": username}))
            elif not owner.is_active:
                errors.append(("owner", _("%(username)s is not an active user.") % {"username": username}))
            else:
                group.owner = owner
        for part in _split(values.get("relationship_types", "")):
            pk = lookups.relationship_types.get(fold(part))
            if pk is None:
                errors.append(
                    ("relationship_types", _("Unknown relationship type %(value)s.") % {"value": part})
                )
            elif pk not in group.relationship_type_ids:
                group.relationship_type_ids.append(pk)
        seen = set()
        for name in _split(values.get("tags", "")):
            if len(name) > Tag._meta.get_field("name").max_length:
                errors.append(("tags", _("The tag %(name)s is longer than 50 characters.") % {"name": name}))
            elif name.lower() not in seen:
                seen.add(name.lower())
                group.tag_names.append(lookups.tags.get(name.lower(), name))

    def contact(self, group: PlannedCustomer, row: RowResult) -> None:
        values = {name: row.values.get(name, "") for name in CONTACT_COLUMNS}
        if not any(values.values()):
            return
        flag = fold(values["contact_is_legal_representative"]).strip(".")
        if flag not in TRUE_WORDS | FALSE_WORDS:
            row.errors.append(("contact_is_legal_representative", _("Write yes or no.")))
        form = _ContactRowForm(
            {
                "name": values["contact_name"],
                "role": values["contact_role"],
                "phone": values["contact_phone"],
                "email": values["contact_email"],
                "is_legal_representative": flag in TRUE_WORDS,
            }
        )
        if form.is_valid():
            group.contacts.append(form.cleaned_data)
        row.errors += _form_errors(form, prefix="contact_")


def _mark_duplicates(groups: list[PlannedCustomer], lookups: _Lookups) -> None:
    reasons = {"tax_id": _("same tax id"), "email": _("same email"), "phone": _("same phone")}
    existing = {"tax_id": lookups.by_tax_id, "email": lookups.by_email, "phone": lookups.by_phone}
    seen: dict[str, dict[str, int]] = {"tax_id": {}, "email": {}, "phone": {}}
    for group in groups:
        note = ""
        for kind, value in group.match_keys.items():
            if value and value in existing[kind]:
                note = _("Already exists: %(name)s (%(reason)s). Skipped; its contacts are not added.") % {
                    "name": existing[kind][value].legal_name,
                    "reason": reasons[kind],
                }
                break
            if value and value in seen[kind]:
                note = _(
                    "Same customer as row %(row)s of this file (%(reason)s). Skipped with its contacts."
                ) % {
                    "row": seen[kind][value],
                    "reason": reasons[kind],
                }
                break
        if note:
            for row in group.rows:
                row.status, row.note = RowStatus.DUPLICATE, note
            continue
        for kind, value in group.match_keys.items():
            if value:
                seen[kind].setdefault(value, group.rows[0].number)


def validate(parsed: ParsedFile) -> Preview:
    """Check every row like the customer form does and find duplicates, with a few queries per file."""
    groups = _group_rows(parsed)
    lookups = _Lookups.load(groups)
    validator = _Validator(lookups)
    for group in groups:
        validator.customer(group)
        for row in group.rows:
            validator.contact(group, row)
        for row in group.rows[1:]:
            row.status = RowStatus.CONTACT
            row.note = _("Same customer as row %(row)s.") % {"row": group.rows[0].number}
    _mark_duplicates(groups, lookups)
    for group in groups:
        for row in group.rows:
            if row.errors:
                row.status = RowStatus.ERROR
    rows = sorted((row for group in groups for row in group.rows), key=lambda row: row.number)
    creatable = [g for g in groups if not g.has_errors and g.rows[0].status == RowStatus.NEW]
    return Preview(parsed=parsed, rows=rows, customers=creatable)
