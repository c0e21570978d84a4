"""How long a widget spends drawing its lines: the app paces its refreshes by it.

Textual redraws every visible line of a widget whose content changed; a table pane of a
thousand processes cost ~100 ms a refresh. The app asks what the drawing since its last
refresh cost (`take_drawing_time`) and spaces the next refreshes (tui/data_road.py).
"""

from __future__ import annotations

import time

from textual.geometry import Region
from textual.strip import Strip


class DrawingTime:
    """A mixin before the widget class: times `render_lines` (Textual's entry to a
    widget's drawing: its lines, styled, for the region the compositor asks for)."""

    drawing_seconds = 0.0  # since the app last took the figure

    def render_lines(self, crop: Region) -> list[Strip]:
        started = time.perf_counter()
        try:
            return super().render_lines(crop)  # type: ignore[misc]
        finally:
            self.drawing_seconds += time.perf_counter() - started

    def take_drawing_time(self) -> float:
        spent, self.drawing_seconds = self.drawing_seconds, 0.0
        return spent
