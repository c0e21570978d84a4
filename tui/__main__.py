"""`python -m tui`: the tracetui command."""

import sys

from tui.launch import main

sys.exit(main())
