"""Small helpers shared by the page tests."""

from __future__ import annotations

import html


def text(response) -> str:
    """The response body as a person reads it: decoded, with HTML entities resolved."""
    return html.unescape(response.content.decode())
