"""``python -m seqmem`` runs the command line."""

import sys

from seqmem.cli import main

sys.exit(main())
