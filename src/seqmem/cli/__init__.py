"""The ``seqmem`` command.

Every command accepts ``--json`` (the machine-readable result alone on stdout) and
exits 0 on success, 2 on bad input (one line on stderr, no traceback) and 1 on an
internal error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from seqmem.cli.parser import build_parser
from seqmem.errors import SeqmemError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        args.run(args)
    except SeqmemError as error:
        print(f"seqmem: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("seqmem: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # an internal error: still one line, status 1
        print(f"seqmem: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


__all__ = ["build_parser", "main"]
