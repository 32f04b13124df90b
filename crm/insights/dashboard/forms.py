"""The page where people choose their cards: a tick to show each card, a number for its place."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.insights.dashboard.board import Card

MAX_POSITION = 99


class LayoutForm(forms.Form):
    def __init__(self, data=None, *, cards: list[Card], chosen: list[str]):
        super().__init__(data)
        self.cards = cards
        # Chosen cards first, in their order; the others after them, in the registry's.
        order = {slug: index for index, slug in enumerate(chosen)}
        self.ordered = sorted(cards, key=lambda card: order.get(card.slug, len(order)))
        for position, card in enumerate(self.ordered, start=1):
            self.fields[f"show_{card.slug}"] = forms.BooleanField(
                label=card.title, required=False, initial=card.slug in order
            )
            self.fields[f"position_{card.slug}"] = forms.IntegerField(
                label=_("Place of %(card)s") % {"card": card.title},
                min_value=1,
                max_value=MAX_POSITION,
                initial=position,
                required=False,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm js-card-position"}),
            )
            self.fields[f"show_{card.slug}"].widget.attrs["class"] = "form-check-input"

    def rows(self) -> list[tuple[Card, forms.BoundField, forms.BoundField]]:
        return [(card, self[f"show_{card.slug}"], self[f"position_{card.slug}"]) for card in self.ordered]

    def chosen_slugs(self) -> list[str]:
        """The ticked cards by the place given (a card without a place goes last), ties in page order."""
        data = self.cleaned_data
        shown = [
            (data.get(f"position_{card.slug}") or MAX_POSITION + 1, index, card.slug)
            for index, card in enumerate(self.ordered)
            if data.get(f"show_{card.slug}")
        ]
        return [slug for _position, _index, slug in sorted(shown)]
