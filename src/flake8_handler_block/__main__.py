"""``python -m flake8_handler_block ...``: the same command as ``flake8-handler-block``."""

from .cli import main

raise SystemExit(main())
