"""Small helpers shared by the page tests."""

from __future__ import annotations

import html
import re


def text(response) -> str:
    """The response body as a person reads it: decoded, with HTML entities resolved."""
    return html.unescape(response.content.decode())


LAZY_PANEL = re.compile(r'<div [^>]*data-lazy-panel [^>]*hx-get="(?P<url>[^"]+)"[^>]*>.*?</div>', re.DOTALL)


def customer_page(client, customer, **params) -> str:
    """The customer page as a browser shows it once htmx has loaded every department panel.

    Each lazy panel's placeholder is replaced by what its URL answers to an htmx request.
    """
    response = client.get(customer.get_absolute_url(), params)
    assert response.status_code == 200, response.status_code

    def load(match: re.Match) -> str:
        panel = client.get(html.unescape(match["url"]), headers={"HX-Request": "true"})
        assert panel.status_code == 200, (match["url"], panel.status_code)
        return panel.content.decode()

    return html.unescape(LAZY_PANEL.sub(load, response.content.decode()))
