"""Flag and constant name tables (strace's xlat/*.in as Python data).

Flag tables are ordered lists of `(bit, name)` in strace's printing order;
enumerations are `{value: name}` dicts.
"""
