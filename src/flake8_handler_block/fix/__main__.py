"""``python -m flake8_handler_block.fix``."""

from __future__ import annotations

from . import main

if __name__ == "__main__":
    raise SystemExit(main())
