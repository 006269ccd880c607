"""``python -m mbsxl ...`` is the ``mbsxl`` command."""
import sys

from .cli import main

sys.exit(main())
