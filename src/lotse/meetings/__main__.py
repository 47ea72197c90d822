"""``python -m lotse.meetings solve INPUT.json -o OUTPUT.json``."""

import sys

from .cli import main

sys.exit(main())
