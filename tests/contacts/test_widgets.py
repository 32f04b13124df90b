"""The quick <select> renders the same HTML as Django's own."""

from __future__ import annotations

from django import forms
from django.test import SimpleTestCase

from contacts.widgets import QuickCSVSelect, QuickSelect

CHOICES = [("", "---------"), ("a", "Café & Té"), ("b", "<Bogotá>")]
GROUPED = [("Norte", [("1", "Uno")]), ("Sur", [("2", "Dos"), ("3", "Tres")])]


class QuickSelectTests(SimpleTestCase):
    def test_same_html_as_djangos_select(self):
        attrs = {"class": "form-select", "id": "id_city"}
        for value in ("", "a", "b", None):
            self.assertHTMLEqual(
                QuickSelect(attrs=attrs, choices=CHOICES).render("city", value),
                forms.Select(attrs=attrs, choices=CHOICES).render("city", value),
            )

    def test_same_html_with_option_groups(self):
        self.assertHTMLEqual(
            QuickSelect(choices=GROUPED).render("zone", "2"),
            forms.Select(choices=GROUPED).render("zone", "2"),
        )

    def test_labels_are_escaped(self):
        html = QuickSelect(choices=CHOICES).render("city", "b")
        assert "&lt;Bogotá&gt;" in html
        assert "<Bogotá>" not in html


class QuickCSVSelectTests(SimpleTestCase):
    def test_same_html_as_django_filters_sort_widget(self):
        from contacts.filters import CustomerFilter

        for data in ({}, {"sort": "-city"}, {"sort": "city"}):
            form = CustomerFilter.base_filters["sort"].field
            original = form.widget
            assert not isinstance(original, QuickCSVSelect)
            quick = QuickCSVSelect(choices=form.choices)
            value = data.get("sort", "")
            self.assertHTMLEqual(quick.render("sort", [value]), original.render("sort", [value]))

    def test_reads_several_comma_separated_values(self):
        widget = QuickCSVSelect(choices=[("a", "A")])
        assert widget.value_from_datadict({"sort": "a,-b"}, {}, "sort") == ["a", "-b"]
