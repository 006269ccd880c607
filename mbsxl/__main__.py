"""``python -m mbsxl ...`` is the ``mbsxl`` command."""
from .cli import entry

entry()
