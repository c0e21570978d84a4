"""The one error of steering's command-line specs, apart from the parsers (rules.py),
so that a command line without them need not import those."""


class SteerSpecError(ValueError):
    """An injection or breakpoint spec that does not parse; the message is one line."""
