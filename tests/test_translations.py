"""The Spanish catalogue is complete, compiled, and what Spanish-speaking users see."""

from __future__ import annotations

import gettext as gnu_gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

MESSAGES_DIR = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|%%")


@dataclass
class Entry:
    line: int
    flags: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def translations(self) -> list[str]:
        return [value for key, value in self.fields.items() if key.startswith("msgstr")]


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """A minimal reader for the PO files gettext writes: one entry per blank-line block."""
    entries: list[Entry] = []
    entry: Entry | None = None
    key = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry = None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry.fields[key] += _unquote(line)
        else:
            key, _, value = line.partition(" ")
            entry.fields[key] = _unquote(value.strip())
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    entries = parse_po(MESSAGES_DIR / "django.po")
    assert entries[0].msgid == "", "the catalogue starts with its header"
    return entries


def test_every_message_is_translated_and_checked(catalogue):
    header, *messages = catalogue
    assert len(messages) > 100
    untranslated = [f"line {e.line}: {e.msgid!r}" for e in messages if not all(e.translations)]
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in messages if "fuzzy" in e.flags]
    assert untranslated == [], "untranslated messages"
    assert fuzzy == [], "translations still marked fuzzy"
    assert "Language: es\\n" in header.fields["msgstr"].replace("\n", "\\n")
    assert "nplurals=2; plural=(n != 1);" in header.fields["msgstr"]


def test_translations_keep_their_placeholders(catalogue):
    """A lost or renamed %(name)s would break the page in Spanish only."""
    broken = []
    for entry in catalogue[1:]:
        if "msgid_plural" in entry.fields:
            # A singular form may spell the number out, so it only must not invent names.
            allowed = set(PLACEHOLDER.findall(entry.msgid + entry.fields["msgid_plural"]))
            ok = all(set(PLACEHOLDER.findall(text)) <= allowed for text in entry.translations)
        else:
            expected = sorted(PLACEHOLDER.findall(entry.msgid))
            ok = sorted(PLACEHOLDER.findall(entry.fields["msgstr"])) == expected
        if not ok:
            broken.append(f"line {entry.line}: {entry.msgid!r}")
    assert broken == []


def test_compiled_catalogue_matches_the_po_file(catalogue):
    """Forgetting compilemessages after an edit would ship stale or missing Spanish."""
    with (MESSAGES_DIR / "django.mo").open("rb") as compiled:
        mo = gnu_gettext.GNUTranslations(compiled)
    stale = []
    for entry in catalogue[1:]:
        context = entry.fields.get("msgctxt")
        if "msgid_plural" in entry.fields:
            plural = entry.fields["msgid_plural"]
            if context is not None:
                got = [mo.npgettext(context, entry.msgid, plural, n) for n in (1, 2)]
            else:
                got = [mo.ngettext(entry.msgid, plural, n) for n in (1, 2)]
            want = [entry.fields["msgstr[0]"], entry.fields["msgstr[1]"]]
        elif context is not None:
            got, want = mo.pgettext(context, entry.msgid), entry.fields["msgstr"]
        else:
            got, want = mo.gettext(entry.msgid), entry.fields["msgstr"]
        if got != want:
            stale.append(entry.msgid)
    assert stale == [], "run compilemessages: the .mo file is out of date"


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("Customers", "Clientes"),
        ("Log out", "Cerrar sesión"),
        ("Sales rep", "Asesor comercial"),
        ("Telemarketer", "Televendedor"),
        ("Timeline", "Historial de actividades"),
        ("Tax id", "NIT"),
    ],
)
def test_django_uses_the_spanish_catalogue(english, spanish):
    with translation.override("es"):
        assert translation.gettext(english) == spanish
    with translation.override("en"):
        assert translation.gettext(english) == english


def test_plural_forms_follow_the_count():
    with translation.override("es"):
        one = translation.ngettext("%(counter)s customer", "%(counter)s customers", 1) % {"counter": 1}
        many = translation.ngettext("%(counter)s customer", "%(counter)s customers", 3) % {"counter": 3}
    assert (one, many) == ("1 cliente", "3 clientes")


def test_a_literal_percent_sign_survives_translation():
    template = Template('{% load i18n %}{% translate "Margin %" %}')
    with translation.override("es"):
        assert template.render(Context()) == "Margen %"


def test_model_labels_are_spanish():
    from contacts.models import Customer

    with translation.override("es"):
        assert str(Customer._meta.verbose_name_plural) == "clientes"
        assert str(Customer._meta.get_field("legal_name").verbose_name) == "razón social"


@pytest.mark.django_db
def test_login_page_speaks_the_browsers_language(client):
    spanish = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es")
    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")

    assert spanish.status_code == english.status_code == 200
    assert 'lang="es"' in spanish.text
    assert "Iniciar sesión" in spanish.text
    assert "¿Olvidó su contraseña?" in spanish.text
    assert "Log in" not in spanish.text
    assert "Iniciar sesión" not in english.text
    assert "Forgot your password?" in english.text


def test_signed_in_users_language_wins_over_the_browser(client, rep):
    rep.language = "es"
    rep.save(update_fields=["language"])
    client.force_login(rep)

    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Cerrar sesión" in response.text
    assert "Log out" not in response.text
