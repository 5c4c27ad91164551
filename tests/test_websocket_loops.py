"""HB304 and loops that talk to a WebSocket client: they end with the connection only when the
module's WebSocket library raises on a closed one (``catalog.SYNC_WEBSOCKET_PACKAGES``)."""

from __future__ import annotations

from typing import List

import pytest

from flake8_handler_block.engine import check_source

ROUTE = (
    "import time\n\n"
    "{imports}\n\n"
    "@sock.route('/feed')\n"
    "def feed(ws):\n"
    "    while True:\n"
    "        ws.send('tick')\n"
    "        time.sleep(1)\n"
)


def _hb304_lines(imports: str) -> List[int]:
    text = ROUTE.format(imports=imports)
    return [line for line, _, message in check_source(text, "views.py") if message.startswith("HB304")]


@pytest.mark.parametrize("imports", [
    "from flask_sock import Sock\nsock = Sock()", "import simple_websocket\nsock = app",
])
def test_a_websocket_that_raises_when_closed_ends_the_loop(imports: str) -> None:
    assert _hb304_lines(imports) == []


def test_imported_below_the_handler_still_counts() -> None:
    text = ROUTE.format(imports="sock = object()") + "\nfrom flask_sock import Sock\n"
    assert [message for _, _, message in check_source(text, "views.py") if message.startswith("HB304")] == []


@pytest.mark.parametrize("imports", ["from websocket import create_connection\nsock = app", "sock = app"])
def test_other_connections_are_not_known_to_raise(imports: str) -> None:
    # websocket-client, or no library at all: the send may as well return on a closed socket
    loop = ROUTE.format(imports=imports).splitlines().index("    while True:") + 1
    assert _hb304_lines(imports) == [loop]
