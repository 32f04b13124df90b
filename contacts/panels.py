"""Panels on the customer page, registered by each department from its AppConfig.ready().

The hub never imports a department: ``sales`` registers its quotes panel here and the
customer page renders whatever is registered, in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from contacts.models import Customer


class CustomerPanel:
    """Subclass, set ``title`` and ``template_name``, and return the context in ``get_context``."""

    title: str = ""
    template_name: str = ""

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

    def render_context(self, request: HttpRequest, customer: Customer) -> list[dict[str, Any]]:
        rendered = []
        for panel_class in self.panel_classes():
            panel = panel_class()
            if panel.is_shown(request, customer):
                rendered.append(
                    {
                        "title": panel.title,
                        "template_name": panel.template_name,
                        "context": panel.get_context(request, customer),
                    }
                )
        return rendered


customer_panels = PanelRegistry()
