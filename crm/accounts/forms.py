from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.comments import MAX_COMMENT_LENGTH
from crm.accounts.messaging import MAX_MESSAGE_LENGTH
from crm.accounts.models import User
from crm.accounts.roles import Role


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language", "email_frequency"]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_MESSAGE_LENGTH,
        strip=True,
        help_text=_("Type @ and a username to notify someone in this conversation."),
        widget=forms.Textarea(attrs={"rows": 2, "data-mention-input": ""}),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=MAX_COMMENT_LENGTH,
        strip=True,
        help_text=_("Type @ and a username to notify a colleague."),
        widget=forms.Textarea(attrs={"rows": 2, "data-mention-input": ""}),
    )


class StartConversationForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Write to"), queryset=User.objects.none())

    def __init__(self, *args, me: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(is_active=True, groups__name__in=Role.values).exclude(pk=me.pk).distinct()
        )
