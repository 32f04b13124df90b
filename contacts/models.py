"""The customer hub: the one place a customer's data lives, shared by every department."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.accounts.visibility import VisibleQuerySet, visibility_filter

# The names of the relationship types seeded by migration, marked so the catalogue has them;
# names typed in the admin show as typed.
SEEDED_RELATIONSHIP_NAMES = [
    gettext_noop("Prospect"),
    gettext_noop("Customer"),
    gettext_noop("Supplier"),
    gettext_noop("Competitor"),
    gettext_noop("Employee"),
    gettext_noop("Guarantor"),
    gettext_noop("Beneficiary"),
]


class RelationshipType(models.Model):
    """Prospect, customer, supplier...: a customer may be several of these at once."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("relationship type")
        verbose_name_plural = _("relationship types")

    def __str__(self) -> str:
        return gettext(self.name)


class EconomicActivity(models.Model):
    """An economic activity (CIIU code), used to segment customers and their news."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("economic activity")
        verbose_name_plural = _("economic activities")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CustomerQuerySet(VisibleQuerySet):
    def for_list(self) -> Self:
        # The list never shows the long text columns; leaving them out keeps sorts in memory.
        return self.select_related("owner").defer("search_text", "notes")

    def for_detail(self) -> Self:
        return self.select_related("owner", "team", "economic_activity").prefetch_related(
            "relationship_types", "tags"
        )

    def search(self, query: str) -> Self:
        """Match name, trade name, tax id, email, phone and contact names (see ``search_text``)."""
        from contacts.search import search_terms

        terms = search_terms(query)
        if not terms:
            return self
        condition = Q()
        for term in terms:
            condition &= Q(search_text__contains=term)
        return self.filter(condition)


class Customer(models.Model):
    class Segment(models.TextChoices):
        NATURAL_PERSON = "person", _("Natural person")
        LEGAL_ENTITY = "legal_entity", _("Legal entity")
        CORPORATE = "corporate", _("Corporate")

    class Stage(models.TextChoices):
        INTEREST = "interest", _("Interest")
        ACQUISITION = "acquisition", _("Acquisition")
        RETENTION = "retention", _("Retention / expansion")
        LOST = "lost", _("Lost")

    segment = models.CharField(
        _("segment"), max_length=20, choices=Segment.choices, default=Segment.LEGAL_ENTITY
    )
    legal_name = models.CharField(
        _("legal name"), max_length=200, help_text=_("Razón social, or the person's full name.")
    )
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    tax_id = models.CharField(
        _("tax id"),
        max_length=30,
        null=True,
        blank=True,
        unique=True,
        help_text=_("For Colombia, the NIT with its check digit: 900123456-8."),
    )
    economic_activity = models.ForeignKey(
        EconomicActivity,
        verbose_name=_("economic activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    employees = models.PositiveIntegerField(_("number of employees"), null=True, blank=True)
    notes = models.TextField(_("vision / notes"), blank=True)
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="CO", help_text=_("ISO code, e.g. CO."))
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="es",
        help_text=_("The language of the documents we send them (quotes, invoices)."),
    )
    relationship_types = models.ManyToManyField(
        RelationshipType, verbose_name=_("relationship types"), blank=True, related_name="customers"
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=Stage.choices, default=Stage.INTEREST
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    # The customer's id in the system the company used before the CRM; unique when set.
    external_ref = models.CharField(
        _("external reference"),
        max_length=64,
        blank=True,
        help_text=_("The customer's id in a previous system, used to match imported history."),
    )
    is_imported = models.BooleanField(
        _("imported"), default=False, help_text=_("Created by an import of order history.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Bumped on every save; a form that loaded an older version is told, not obeyed.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Lower-cased, accent-free name, tax id, email, phone and contact names, kept by
    # contacts.search so that one trigram index answers the search box.
    search_text = models.TextField(default="", editable=False)

    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"])
    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["legal_name", "pk"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["legal_name", "id"], name="customer_name_idx"),
            models.Index(fields=["owner", "legal_name"], name="customer_owner_idx"),
            models.Index(fields=["team", "legal_name"], name="customer_team_idx"),
            models.Index(fields=["email"], name="customer_email_idx"),
            # Mail filing matches addresses case-insensitively.
            models.Index(Lower("email"), name="customer_email_lower_idx"),
            models.Index(fields=["phone"], name="customer_phone_idx"),
            models.Index(fields=["city"], name="customer_city_idx"),
            models.Index(fields=["-created_at"], name="customer_created_idx"),
            # Rows joined to their customer only to check who may see them (activities and
            # tasks in a calendar) read the owner and team from the index alone.
            models.Index(fields=["id", "owner", "team"], name="customer_visibility_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~Q(external_ref=""),
                name="customer_external_ref_unique",
                violation_error_message=_("Another customer already has this external reference."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("contacts:customer_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.trade_name or self.legal_name

    @property
    def is_company(self) -> bool:
        return self.segment != self.Segment.NATURAL_PERSON


class CustomerValue(models.Model):
    """The customer's current value score (RFM), written only by the scoring job in crm.insights.

    One narrow row per scored customer rather than columns on ``Customer``: the job rewrites
    every row each run, and rewriting 100,000 customer rows (with their search index) takes
    seconds where this table takes a fraction of one. The list filter and marketing segments
    read it as ``value__segment``; the hub never imports the scoring code.
    """

    # A hidden relation (no ``customer.value`` accessor): a merge leaves it to the next run.
    # Not checked row by row in the database: the job inserts only existing customers, and
    # Django deletes the row with its customer.
    customer = models.OneToOneField(
        Customer,
        verbose_name=_("customer"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        related_query_name="value",
        db_constraint=False,
    )
    segment = models.CharField(_("value segment"), max_length=30)
    score = models.DecimalField(_("value score"), max_digits=7, decimal_places=6)
    scored_on = models.DateField(_("scored as of"))

    class Meta:
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")
        indexes = [models.Index(fields=["segment"], name="customer_value_segment_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.segment} {self.score}"


class ContactQuerySet(VisibleQuerySet):
    owner_lookup = "customer__owner"
    team_lookup = "customer__team"


class Contact(models.Model):
    """A person at a company customer. A natural-person customer needs none."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role (cargo)"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_legal_representative = models.BooleanField(_("legal representative"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-is_legal_representative", "name", "pk"]
        indexes = [
            models.Index(fields=["email"]),
            models.Index(fields=["phone"]),
            models.Index(Lower("email"), name="contact_email_lower_idx"),
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class ActivityQuerySet(VisibleQuerySet):
    owner_lookup = "customer__owner"
    team_lookup = "customer__team"

    def for_timeline(self) -> Self:
        return self.select_related("user", "contact").order_by("-occurred_at", "-pk")


class Activity(models.Model):
    """Something that happened with a customer: every department logs here."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("Email")
        NOTE = "note", _("Note")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CALL)
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=100, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    # The record it concerns (an opportunity, a quote, a ticket...), when there is one.
    related_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"], name="activity_timeline_idx"),
            models.Index(fields=["user", "-occurred_at"], name="activity_user_idx"),
            # Reports and calendars read everyone's activities in a period.
            models.Index(fields=["occurred_at", "kind"], name="activity_period_idx"),
            # Calendars: a person's visits and meetings in a period, with the customer their
            # visibility needs, read from the index alone.
            models.Index(
                fields=["user", "occurred_at", "id", "customer"],
                condition=Q(kind__in=["visit", "meeting"]),
                name="activity_appointment_idx",
            ),
            # The activity report: a person's work (not notes) in a period, counted by kind
            # and outcome from the index alone.
            models.Index(
                fields=["user", "occurred_at"],
                include=["kind", "outcome"],
                condition=Q(kind__in=["visit", "call", "meeting", "email"]),
                name="activity_work_idx",
            ),
            models.Index(fields=["related_type", "related_id"], name="activity_related_idx"),
        ]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class TaskQuerySet(VisibleQuerySet):
    owner_lookup = "customer__owner"
    team_lookup = "customer__team"

    def visible_to(self, user) -> Self:
        # A task assigned to someone is theirs to see even on a customer of another team.
        visible = super().visible_to(user)
        condition = visibility_filter(user, owner=self.owner_lookup, team=self.team_lookup)
        if condition is None or visible.query.is_empty():
            return visible
        return self.filter(condition | Q(assignee=user))

    def assigned_visible_to(self, user, assignees: list[int]) -> Self:
        """The tasks of ``assignees`` that ``user`` may see, as ``visible_to`` decides.

        The user's own tasks are visible whatever their customer, so only other people's
        are checked against the customer's owner and team: one's own calendar reads no customers.
        """
        visible = self.visible_to(user)
        condition = visibility_filter(user, owner=self.owner_lookup, team=self.team_lookup)
        if condition is None or visible.query.is_empty():
            return visible.filter(assignee__in=assignees)
        if all(pk == user.pk for pk in assignees):
            return self.filter(assignee__in=assignees)
        return self.filter(Q(assignee=user) | condition, assignee__in=assignees)

    def open(self) -> Self:
        return self.filter(done_at__isnull=True)


class Task(models.Model):
    """A follow-up someone must do for a customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["customer", "done_at", "due_date"], name="task_customer_idx"),
            models.Index(fields=["assignee", "done_at", "due_date"], name="task_assignee_idx"),
            # Calendars: the open tasks of some people due in a period, with what their
            # visibility needs, read from the index alone.
            models.Index(
                fields=["assignee", "due_date", "id", "customer"],
                condition=Q(done_at__isnull=True),
                name="task_open_due_idx",
            ),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.due_date < timezone.localdate()


class CustomerMerge(models.Model):
    """Who folded which duplicate into which survivor, and what moved."""

    survivor = models.ForeignKey(
        Customer, verbose_name=_("survivor"), on_delete=models.CASCADE, related_name="merges"
    )
    merged_customer_id = models.PositiveBigIntegerField(_("merged customer id"))
    merged_name = models.CharField(_("merged customer"), max_length=200)
    merged_data = models.JSONField(_("merged customer's data"), default=dict)
    moved = models.JSONField(_("records moved"), default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")

    def __str__(self) -> str:
        return f"{self.merged_name} → {self.survivor}"


class CustomerImport(models.Model):
    """An uploaded customer CSV: previewed first, then imported once, by whoever uploaded it."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="customer_imports",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    # The decoded file, so that confirming re-validates exactly what was previewed.
    csv_text = models.TextField(_("file contents"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    customer_count = models.PositiveIntegerField(_("new customers"), default=0)
    contact_count = models.PositiveIntegerField(_("new contacts"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicate rows skipped"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    ignored_columns = models.JSONField(_("ignored columns"), default=list, blank=True)
    row_results = models.JSONField(_("row results"), default=list, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")

    def __str__(self) -> str:
        return self.file_name


# Shared files and email live in their own modules; imported here so that Django finds them.
from contacts.documents.models import Document  # noqa: E402, F401
from contacts.mail.models import EmailMessage, Mailbox  # noqa: E402, F401
