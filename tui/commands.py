"""Names of the app's actions for the command palette and the help screen.

The bindings live on the classes; this adds the words: every action gets a
palette entry (Textual's system commands) and a line in the `?` screen.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import SystemCommand
from textual.binding import Binding

PANES = ("processes", "files", "errors", "stack", "output", "inflight", "summary")

ACTION_TITLES = {
    "open_filter": ("Filter", "Open the filter bar (/)"),
    "toggle_pause": ("Pause / resume", "Stop or continue the traced processes (p)"),
    "toggle_stacks": (
        "Stack traces on / off",
        "Capture the user stack of every syscall traced from now on (k)",
    ),
    "inspect": ("Inspect syscall", "Open the detail of the syscall under the cursor (Enter)"),
    "errors_only": ("Errors only", "Filter the list to failed syscalls (e)"),
    "show_all": ("All processes", "Stop narrowing the list to one process (a)"),
    "focus_output": ("Program terminal", "Type into the program's terminal (o)"),
    "focus_list": ("Syscall list", "Focus the syscall list (l, Esc)"),
    "toggle_side": (
        "Side pane on / off",
        "Hide the side pane for a full-width list, or show it (s)",
    ),
    "follow": ("Follow", "Jump to the newest event and follow (f / End)"),
    "open_dump": (
        "Open the last flight recorder dump",
        "Open the ring written by the last trigger in another explorer (d)",
    ),
    "add_breakpoint": (
        "Breakpoint",
        "Hold a thread at the entry of a call matching a filter (b)",
    ),
    "steering": ("Breakpoints and injections", "List, toggle, delete; held threads (B)"),
    "inject_like": ("Inject on calls like this", "Fail the next calls like the selected one (i)"),
    "help": ("Keys", "Show every key (?)"),
    "quit_trace": ("Quit", "Quit; launched programs are killed, attached ones detached (q)"),
}

# Textual's own palette entries that ours replace (same titles, other actions).
REPLACED_SYSTEM_COMMANDS = frozenset({"Quit", "Keys"})

# Actions with an argument: (title, help, action, argument).
ARGUMENT_COMMANDS = (
    ("Wider side pane", "Give the side pane more of the screen (>)", "resize_side", 1),
    ("Narrower side pane", "Give the syscall list more of the screen (<)", "resize_side", -1),
)

# Syscall list actions in the palette too (their keys work while the list has focus).
LIST_COMMANDS = (
    ("Scroll right", "Show more of long lines; time and pid stay (Right)", "scroll_columns", 1),
    ("Scroll left", "Scroll long lines back (Left)", "scroll_columns", -1),
    ("Line start", "Scroll the list back to the start of the lines (Shift+Left)", "first_column"),
    ("Line end", "Scroll to the end of the longest line shown (Shift+Right)", "last_column"),
)

# Actions of the main view, disabled while a detail, source or help screen is on top.
MAIN_VIEW_ACTIONS = frozenset(
    {
        "open_filter",
        "inspect",
        "errors_only",
        "show_all",
        "show_pane",
        "focus_output",
        "focus_list",
        "follow",
        "focus_next_region",
        "help",
        "toggle_side",
        "resize_side",
        "add_breakpoint",
        "steering",
        "inject_like",
    }
)

_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "less_than_sign": "<",
    "greater_than_sign": ">",
    "l,escape": "l / Esc",
}


def key_help(bindings: Iterable[Binding | tuple]) -> list[tuple[str, str]]:
    """(key, description) for each binding, first binding of a key wins."""
    out = []
    seen = set()
    for binding in bindings:
        assert isinstance(binding, Binding)
        if binding.key in seen:
            continue
        seen.add(binding.key)
        action = binding.action.split("(")[0]
        desc = ACTION_TITLES.get(action, (binding.description,))[-1]
        if action == "resize_side":
            desc = binding.description
        if action == "show_pane":
            desc = f"Show the {binding.description} pane"
        out.append((_KEY_NAMES.get(binding.key, binding.key), desc))
    return out


def palette_commands(app) -> Iterable[SystemCommand]:
    """One palette entry per action, plus one per side pane."""
    for action, (title, help_text) in ACTION_TITLES.items():
        yield SystemCommand(title, help_text, getattr(app, f"action_{action}"))
    for title, help_text, action, arg in ARGUMENT_COMMANDS:
        yield SystemCommand(
            title, help_text, lambda a=action, x=arg: getattr(app, f"action_{a}")(x)
        )
    for title, help_text, action, *args in LIST_COMMANDS:
        yield SystemCommand(
            title,
            help_text,
            lambda a=action, x=args: getattr(app.syscall_list, f"action_{a}")(*x),
        )
    for pane in PANES:
        yield SystemCommand(
            f"Show {pane}", f"Show the {pane} pane", lambda p=pane: app.action_show_pane(p)
        )
