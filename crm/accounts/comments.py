"""Comments with @mentions on any record a department shows (customer, opportunity, quote, ticket...).

This app knows no department: a record is commentable when its model's queryset has
``visible_to(user)`` (every department queryset inherits ``VisibleQuerySet``) and the model
has a page (``get_absolute_url``). Visibility is asked of that queryset, for the writer and
for everyone mentioned: only those who may see the record are notified.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from crm.accounts.mentions import named_people
from crm.accounts.models import Comment, Mention, User
from crm.accounts.roles import has_any_role
from crm.accounts.services import notify
from crm.accounts.visibility import VisibleQuerySet

MAX_COMMENT_LENGTH = 4000


def commentable_model(app_label: str, model_name: str) -> type[models.Model] | None:
    """The model behind ``app_label.model_name`` if its records take comments, else None."""
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None
    if not isinstance(model._default_manager.all(), VisibleQuerySet):
        return None
    return model if hasattr(model, "get_absolute_url") else None


def visible_record(model: type[models.Model], pk: int, user: User) -> models.Model | None:
    return model._default_manager.visible_to(user).filter(pk=pk).first()


def may_see(record: models.Model, user: User) -> bool:
    return (
        user.is_active
        and has_any_role(user)
        and type(record)._default_manager.visible_to(user).filter(pk=record.pk).exists()
    )


def comments_on(record: models.Model) -> QuerySet[Comment]:
    """The record's comments, newest first, with what their rendering reads."""
    return (
        Comment.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
        .select_related("author")
        .prefetch_related("mentioned")
    )


@dataclass
class PostedComment:
    comment: Comment
    notified: list[User] = field(default_factory=list)
    # Named, but may not see the record: told to the writer, not notified.
    cannot_see: list[User] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


@transaction.atomic
def post_comment(*, record: models.Model, author: User, body: str) -> PostedComment:
    """Save a comment and notify the people it mentions who may see the record.

    The notification honours each person's email preference (at once, daily digest, never).
    """
    comment = Comment.objects.create(record=record, author=author, body=body.strip())
    people, unknown = named_people(comment.body)
    posted = PostedComment(comment=comment, unknown=unknown)
    for person in people:
        if person.pk == author.pk:
            continue
        if may_see(record, person):
            posted.notified.append(person)
        else:
            posted.cannot_see.append(person)
    Mention.objects.bulk_create(
        [Mention(comment=comment, user=person, notified=True) for person in posted.notified]
        + [Mention(comment=comment, user=person, notified=False) for person in posted.cannot_see]
    )
    url = f"{record.get_absolute_url()}#comment-{comment.pk}"
    for person in posted.notified:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            message = _("%(author)s mentioned you on %(record)s: “%(excerpt)s”") % {
                "author": author,
                "record": record,
                "excerpt": Truncator(comment.body).chars(120),
            }
        notify(recipient=person, message=message, url=url)
    return posted
