"""Stack frames of one syscall; Enter on a frame with a source file asks to show the source."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tracer.events import Frame
from tui.containment import ContainedPump
from tui.messages import FrameChosen
from tui.stack_text import format_frame


class StackView(ContainedPump, OptionList):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.frames: list[Frame] = []

    def with_frames(self, frames: list[Frame] | None) -> StackView:
        self.set_frames(frames)
        return self

    def set_frames(self, frames: list[Frame] | None) -> None:
        self.frames = list(frames or [])
        self.clear_options()
        for i, frame in enumerate(self.frames):
            text = Text(f"#{i:<2} ", style="dim") + Text(format_frame(frame))
            if not frame.file:
                text.stylize("grey62")
            self.add_option(Option(text))
        if self.frames:
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        frame = self.frames[event.option_index]
        if frame.file and frame.line:
            self.post_message(FrameChosen(frame.file, frame.line, format_frame(frame)))
        else:
            self.notify("this frame has no source file (no debug info)", severity="warning")
