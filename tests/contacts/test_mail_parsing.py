"""Reading raw email as it comes from the world: malformed, incomplete, in odd encodings."""

from __future__ import annotations

import datetime

from contacts.mail.parsing import parse_email


def test_addresses_are_lower_cased_with_the_senders_name_kept():
    email = parse_email(
        b"From: =?utf-8?q?Ana_P=C3=A9rez?= <Ana.Perez@Andina.Example>\r\n"
        b"To: Yo <YO@empresa.example>, otro@empresa.example\r\n"
        b"Cc: Compras <COMPRAS@andina.example>\r\n"
        b"Subject: =?utf-8?q?Cotizaci=C3=B3n?=\r\n"
        b"Message-ID: <abc@andina.example>\r\n"
        b"Date: Tue, 03 Mar 2026 10:15:00 -0500\r\n\r\nHola\r\n"
    )
    assert (email.from_name, email.from_address) == ("Ana Pérez", "ana.perez@andina.example")
    assert email.to == ["yo@empresa.example", "otro@empresa.example"]
    assert email.cc == ["compras@andina.example"]
    assert email.addresses[0] == "ana.perez@andina.example"
    assert email.subject == "Cotización"
    assert email.message_id == "<abc@andina.example>"
    assert email.sent_at == datetime.datetime(2026, 3, 3, 15, 15, tzinfo=datetime.UTC)


def test_nul_characters_and_bad_dates_do_not_break_anything():
    email = parse_email(b"From: x@y.example\r\nDate: not a date\r\nSubject: a\x00b\r\n\r\nuno\x00dos\r\n")
    assert email.subject == "ab"
    assert email.body_text == "unodos"
    assert email.sent_at.tzinfo is not None


def test_a_missing_or_huge_message_id_gets_a_stable_one():
    raw = b"From: x@y.example\r\nSubject: sin id\r\n\r\nhola\r\n"
    assert parse_email(raw).message_id == parse_email(raw).message_id
    assert parse_email(raw).message_id.endswith("@crm.generated>")
    huge = b"Message-ID: <" + b"a" * 400 + b"@y.example>\r\n" + raw
    assert len(parse_email(huge).message_id) < 255


def test_an_unknown_charset_and_garbage_headers_are_survived():
    raw = (
        b"From: =?x-unknown?q?zz?= <x@y.example>\r\nTo: ;;;,,,\r\nSubject: \xff\xfe\r\n"
        b"Content-Type: text/plain; charset=x-unknown\r\n\r\n\xe9t\xe9\r\n"
    )
    email = parse_email(raw)
    assert email.from_address == "x@y.example"
    assert email.to == []
    assert email.body_text
