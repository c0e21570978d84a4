"""Filtering the list: parse on the app's thread, match in a worker, the newest rows first.

The list usually shows the end, so the newest NEWEST_FIRST candidates are
matched first and posted as a partial result (when they give more than a
screenful); the worker then waits briefly for the app to draw them before it
matches the older rows, and posts the whole result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual import work
from textual.worker import get_current_worker

from tracer.filter import Filter, FilterError, parse_filter, without_invalid_terms
from tui.view import FilterResult

NEWEST_FIRST = 1 << 17  # candidate rows a refilter matches first, posted as a partial result
PARTIAL_MIN_ROWS = 200  # ... when they give more than a screenful of matches
PARTIAL_PAINT_WAIT = 0.1  # seconds the worker gives the app to draw a partial result


def match_newest_first(
    store,
    flt: Filter,
    base,
    upto: int,
    generation: int,
    post: Callable[[FilterResult], object],
    cancelled: Callable[[], bool],
) -> None:
    """Match `flt` on `base` (a previous result to refine) or rows < `upto`; post the results."""
    rows = base.rows if base is not None else range(upto)
    if base is not None:
        upto = base.upto
    newest = len(rows) - NEWEST_FIRST
    if newest > 0:
        tail = flt.match_rows(store, rows[newest:], should_stop=cancelled)
        if tail is None or cancelled():
            return
        if len(tail) >= PARTIAL_MIN_ROWS:
            painted = threading.Event()
            post(FilterResult(flt, tail, upto, generation, True, painted))
            # Let the app's thread draw it: matching on would hold the GIL for most
            # of the time the app needs to take the message and paint.
            painted.wait(PARTIAL_PAINT_WAIT)
        matched = flt.match_rows(store, rows[:newest], should_stop=cancelled)
        if matched is None:
            return
        matched.extend(tail)
    else:
        matched = flt.match_rows(store, rows, should_stop=cancelled)
    if matched is None or cancelled():
        return
    post(FilterResult(flt, matched, upto, generation))


class FilterControl:
    """The app's side of filtering (a mixin of TraceApp: the list and the bar are the app's)."""

    def set_filter_text(self, text: str) -> None:
        """Put `text` in the filter bar and apply it (the bar's own edit event then agrees)."""
        self.filter_bar.set_text(text)
        self.apply_filter_text(text)

    def apply_filter_text(self, text: str) -> bool:
        """Parse on the UI thread (fast, gives the inline error), match in a worker.

        Returns False when the text does not parse: the bar says why, and the list shows
        what the valid terms select, as before the bad one was typed (`fd:x` typed key by
        key must not leave the list filtered on the word `fd`).
        """
        try:
            self._apply_filter(text)
        except FilterError as exc:
            self.filter_bar.show_error(exc.message)
            valid = without_invalid_terms(text)
            if valid != self.view.user_text:
                self._apply_filter(valid)
            return False
        self.filter_bar.show_error(None)
        return True

    def _apply_filter(self, text: str) -> None:
        full = self.view.compose_text(text, self.selected_pid)
        flt = parse_filter(full) if full.strip() else None
        self.view.user_text = text
        self.status.filter_text = flt.describe() if flt is not None and text.strip() else ""
        self.status.view_label = f"process {self.selected_pid}" if self.selected_pid else ""
        self.status.matching = flt is not None
        if flt is None:
            self.view.set_all()
            self.syscall_list.set_rows(None, keep_row=self.syscall_list.current_row)
            return
        # The store's length is read here, on the thread that appends to it: the worker
        # could see a batch half appended.
        upto = len(self.store)
        base = self.view.base_for(flt, upto)
        self.refilter(flt, base, upto, self.view.next_generation())

    # A fixed description: by default Textual builds one from repr() of the arguments,
    # which for a refined filter is an array of up to a million rows (100 ms).
    @work(thread=True, exclusive=True, group="filter", exit_on_error=False, description="refilter")
    def refilter(self, flt: Filter, base, upto: int, generation: int) -> None:
        worker = get_current_worker()
        try:
            match_newest_first(
                self.store,
                flt,
                base,
                upto,
                generation,
                self.post_message,
                lambda: worker.is_cancelled,
            )
        except Exception:
            if worker.is_cancelled or generation != self.view.generation:
                return  # the store dropped its oldest rows under it: the result was stale
            self.call_from_thread(setattr, self.status, "matching", False)
            raise

    def on_filter_result(self, result: FilterResult) -> None:
        try:
            if result.partial and not self.syscall_list.following:
                pass  # the user is looking at older rows, which a partial result lacks
            elif self.view.accept(self.store, result):
                self.syscall_list.set_rows(self.view.rows, keep_row=self.syscall_list.current_row)
                self.status.matching = result.partial
        finally:
            if result.painted is not None:
                self.call_after_refresh(result.painted.set)
