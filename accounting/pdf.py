"""Invoice PDFs, through the same static-only renderer as quotes (sales.pdf).

An invoice's figures never change after it is issued, but its payments and credit notes do,
so the PDF is rendered at each download and always shows the balance of the day.
"""

from __future__ import annotations

from accounting.models import Invoice
from sales import pricing
from sales.pdf import PrintedLine, html_to_pdf, render_document_html


def _printed_lines(invoice: Invoice) -> list[PrintedLine]:
    return [
        PrintedLine(
            line=line,
            amount=pricing.Line(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
            ).amount,
        )
        for line in invoice.order.lines.all()
    ]


def render_invoice_html(invoice: Invoice) -> str:
    """The invoice as HTML for print, in the customer's language."""
    customer = invoice.order.customer
    return render_document_html(
        "accounting/pdf/invoice.html",
        {
            "invoice": invoice,
            "document": invoice,
            "customer": customer,
            "lines": _printed_lines(invoice),
            "payments": list(invoice.payments.all()),
            "credit_notes": list(invoice.credit_notes.all()),
        },
        language=customer.language,
    )


def render_invoice_pdf(invoice: Invoice, *, url_fetcher=None) -> bytes:
    return html_to_pdf(render_invoice_html(invoice), url_fetcher=url_fetcher)


def invoice_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"
