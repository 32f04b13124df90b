"""Reading a report page as a person does: its tables' rows, figures and links."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

from django.urls import reverse


def report_url(slug: str) -> str:
    return reverse("insights:reports:report", args=[slug])


class _Tables(HTMLParser):
    """Collects every ``report-table``: {table key: [(label, [(text, href)...])...]}."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
        self.current: str | None = None
        self.row: list[tuple[str, str]] | None = None
        self.cell: list[str] | None = None
        self.href = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "report-table" in (attrs.get("class") or ""):
            self.current = attrs["data-table"]
            self.tables[self.current] = []
        elif self.current and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell, self.href = [], ""
        elif self.cell is not None and tag == "a":
            self.href = html.unescape(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif self.row is not None and tag in ("td", "th") and self.cell is not None:
            self.row.append((" ".join("".join(self.cell).split()), self.href))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.row:
                self.tables[self.current].append((self.row[0][0], self.row[1:]))
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables(response) -> dict[str, list[tuple[str, list[tuple[str, str]]]]]:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


def figures(response, table: str) -> dict[str, list[str]]:
    """{row label: [each figure as shown]}, the header row under its first column's heading."""
    return {label: [text for text, _href in cells] for label, cells in tables(response)[table]}


def links(response, table: str) -> dict[str, list[str]]:
    """{row label: [each figure's drill-down link, "" where there is none]}."""
    return {label: [href for _text, href in cells] for label, cells in tables(response)[table]}


def chart(response) -> dict:
    page = response.content.decode()
    return json.loads(
        re.search(r'id="report-chart-data" type="application/json">(.*?)</script>', page, re.S)[1]
    )


def records_totals(response) -> str:
    page = html.unescape(response.content.decode())
    block = re.search(r'id="records-totals">(.*?)</p>', page, re.S)[1]
    return " ".join(re.sub(r"<[^>]+>", "", block).split())


def record_names(response) -> list[str]:
    """The first column of the drill-down table, as shown."""
    page = html.unescape(response.content.decode())
    body = page[page.index('id="records-table"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return [
        " ".join(re.sub(r"<[^>]+>", "", cell).split())
        for cell in re.findall(r"<tr>\s*<td[^>]*>(.*?)</td>", body, re.S)
    ]
