"""Panels on the customer page, registered by each department from its AppConfig.ready().

The hub never imports a department: ``sales`` registers its quotes panel here and the
customer page shows whatever is registered, in order. The page itself only asks each panel
whether it is shown; the panel's content comes from its own URL, loaded by htmx as soon as
the page is on screen (a plain link without JavaScript), so six departments' queries and
templates do not slow down the page a rep opens most.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from contacts.models import Customer


class CustomerPanel:
    """Subclass, set ``title`` and ``template_name``, and return the context in ``get_context``.

    ``name`` is the panel's part of its URL; by default the class name without "Panel",
    in kebab case: ``InstalledBasePanel`` is ``installed-base``.
    """

    name: str = ""
    title: str = ""
    template_name: str = ""

    @classmethod
    def slug(cls) -> str:
        if cls.name:
            return cls.name
        words = re.findall(r"[A-Z][a-z0-9]*", cls.__name__.removesuffix("Panel"))
        return "-".join(words).lower() or cls.__name__.lower()

    def is_shown(self, request: HttpRequest, customer: Customer) -> bool:
        return True

    def get_context(self, request: HttpRequest, customer: Customer) -> dict[str, Any]:
        return {}


@dataclass
class PanelRegistry:
    _panels: list[tuple[int, type[CustomerPanel]]] = field(default_factory=list)

    def register(self, panel: type[CustomerPanel], *, order: int = 50) -> type[CustomerPanel]:
        if panel not in self.panel_classes():
            self._panels.append((order, panel))
            self._panels.sort(key=lambda item: item[0])
        return panel

    def unregister(self, panel: type[CustomerPanel]) -> None:
        self._panels = [(order, p) for order, p in self._panels if p is not panel]

    def panel_classes(self) -> list[type[CustomerPanel]]:
        return [panel for _order, panel in self._panels]

    @contextmanager
    def register_temporarily(self, panel: type[CustomerPanel], *, order: int = 50) -> Iterator[None]:
        self.register(panel, order=order)
        try:
            yield
        finally:
            self.unregister(panel)

    def shown(self, request: HttpRequest, customer: Customer) -> list[CustomerPanel]:
        """The panels this user sees on this customer's page, in order, not yet rendered."""
        panels = [panel_class() for panel_class in self.panel_classes()]
        return [panel for panel in panels if panel.is_shown(request, customer)]

    def get(self, slug: str) -> CustomerPanel | None:
        for panel_class in self.panel_classes():
            if panel_class.slug() == slug:
                return panel_class()
        return None


customer_panels = PanelRegistry()
