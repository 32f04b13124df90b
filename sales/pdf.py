"""Quote and invoice PDFs, rendered with WeasyPrint, which may read our own static files only.

WeasyPrint is imported inside the functions, so the web server starts on a machine without
Pango; only rendering needs it. Every URL a document mentions goes through
``StaticOnlyFetcher``: ``/static/...`` is served from the static files finders, ``data:``
is decoded, and anything else (http, https, file, ftp) is refused without being opened.
User text is escaped by the template, so it cannot add elements that fetch in any case.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

if TYPE_CHECKING:
    from sales.models import Quote

# Relative URLs in the document resolve against this origin; ".invalid" never resolves,
# and the fetcher never goes to the network anyway.
PDF_BASE_URL = "https://crm.invalid/"


class RefusedURL(ValueError):
    """WeasyPrint asked for something other than our static files."""


def static_file(url: str) -> Path | None:
    """The static file ``url`` names (``/static/css/x.css`` against the base), else None."""
    parts = urlsplit(url)
    prefix = urlsplit(urljoin(PDF_BASE_URL, settings.STATIC_URL))
    if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc):
        return None
    if not parts.path.startswith(prefix.path):
        return None
    name = unquote(parts.path[len(prefix.path) :])
    segments = name.split("/")
    if not name or "\\" in name or any(segment in {"", ".", ".."} for segment in segments):
        return None
    found = finders.find(name)
    return Path(found) if found else None


@cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves our static files and ``data:`` URLs; refuses everything else."""

        def __init__(self) -> None:
            # data: is the only protocol the parent class may open, and it never redirects.
            super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=1)
            self.served: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            path = static_file(url)
            if path is None:
                self.refused.append(url)
                raise RefusedURL(f"not one of our static files: {url[:200]}")
            self.served.append(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher


def static_only_fetcher():
    """A new fetcher; it records what it served and refused, in ``served`` and ``refused``."""
    return _fetcher_class()()


def html_to_pdf(html: str, *, url_fetcher=None) -> bytes:
    import weasyprint

    fetcher = url_fetcher or static_only_fetcher()
    return weasyprint.HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).write_pdf()


def company_details() -> dict[str, str]:
    return {
        "name": settings.CRM_COMPANY_NAME,
        "tax_id": settings.CRM_COMPANY_TAX_ID,
        "address": settings.CRM_COMPANY_ADDRESS,
        "phone": settings.CRM_COMPANY_PHONE,
        "email": settings.CRM_COMPANY_EMAIL,
        "website": settings.CRM_COMPANY_WEBSITE,
    }


def render_document_html(template_name: str, context: dict[str, Any], *, language: str) -> str:
    """A printable document in ``language`` (the customer's), with our company's details."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return render_to_string(template_name, {"company": company_details(), **context})


@dataclass(frozen=True)
class PrintedLine:
    """A line of a printed document (``sales/pdf/document.html``)."""

    line: Any  # a quote's or an order's line: description, quantity, prices, discount, tax
    # Net after discount, before tax: unrounded, the template prints it to cents.
    amount: Decimal


def render_quote_html(quote: Quote) -> str:
    """The quote as HTML for print, in the customer's language."""
    lines = [PrintedLine(line=line, amount=line.priced.amount) for line in quote.lines.all()]
    return render_document_html(
        "sales/pdf/quote.html",
        {"quote": quote, "document": quote, "customer": quote.customer, "lines": lines},
        language=quote.customer.language,
    )


def render_quote_pdf(quote: Quote, *, url_fetcher=None) -> bytes:
    return html_to_pdf(render_quote_html(quote), url_fetcher=url_fetcher)


def quote_filename(quote: Quote) -> str:
    return f"{quote.number}-v{quote.version}.pdf"
