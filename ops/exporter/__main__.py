"""`python -m exporter`: see `exporter.cli`."""

import sys

from .cli import main

sys.exit(main())
