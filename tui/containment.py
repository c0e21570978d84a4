"""A bug in a message handler is reported, never fatal: the trace outlives our mistakes.

Textual ends the app on any exception a handler raises, and ending the app
kills the launched program: a user would lose the run they were debugging to
a slip in a side pane. So an exception while one message is handled (by the
app, its screens or its widgets: `ContainedPump`), or in a timer, callback or
worker (`TraceApp._handle_exception`), goes to `ErrorContainment.contain`: it
is kept with its traceback, shown as a notification, and the next message is
handled as usual. The tracebacks are printed to stderr when the app exits.
Errors before the app is up (compose, CSS) or while it shuts down still end it.
"""

from __future__ import annotations

import asyncio
import traceback


class ErrorContainment:
    """The app's record of contained errors; `armed` once the main screen is up."""

    def __init__(self) -> None:
        self.armed = False
        self.errors: list[str] = []  # formatted tracebacks, oldest first

    def contain(self, app, error: BaseException) -> bool:
        """Keep and report `error`; False when it must end the app (not armed, or exiting)."""
        if not self.armed or app._exit or not app.is_running:
            return False
        self.errors.append("".join(traceback.format_exception(error)))
        app.log.error(self.errors[-1])
        try:
            app.notify(
                f"internal error (the trace goes on): {type(error).__name__}: {error}",
                severity="error",
                timeout=8,
            )
        except Exception:  # reporting must not raise in its turn
            pass
        return True


class ContainedPump:
    """Mixin for the app, screens and widgets: one message's exception is contained."""

    async def _dispatch_message(self, message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except asyncio.CancelledError:
            raise
        except Exception as error:
            app = self.app  # type: ignore[attr-defined]
            containment = getattr(app, "containment", None)
            if containment is None or not containment.contain(app, error):
                raise


def report_contained(errors: list[str], while_: str = "") -> None:
    """At exit: the errors the app contained, on stderr (they are our bugs: say so)."""
    import sys

    if not errors:
        return
    print(
        f"tracetui: {len(errors)} internal error(s) were contained{while_}; please report:",
        file=sys.stderr,
    )
    for text in errors:
        print(text, file=sys.stderr)
