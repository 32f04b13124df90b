"""The names of the customer value segments (RFM), which the scoring app supplies at start-up.

``CustomerValue.segment`` holds a segment's code; its name and the list of segments belong
to the scoring rules in ``crm.insights``, which the hub must not import. The insights app
hands over a function that lists them, as departments hand over their customer panels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


class ValueSegmentNames:
    def __init__(self) -> None:
        self._source: Callable[[], Iterable[tuple[str, str]]] | None = None

    def provide(self, source: Callable[[], Iterable[tuple[str, str]]]) -> None:
        self._source = source

    def choices(self) -> list[tuple[str, str]]:
        """(code, name) of every segment, in the rules' order; none before the scoring app starts."""
        return list(self._source()) if self._source else []


value_segments = ValueSegmentNames()
