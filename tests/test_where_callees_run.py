"""How a call runs what it calls (project/summary.py ``Edge.teardown``, ``Edge.awaited`` and the
loop a coroutine is sent to): HB602 leaves alone a helper that only runs as teardown; HB601 does
not put on the handler's loop a coroutine sent to another thread's loop, nor run a sync override
for an awaited call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from flake8_handler_block.engine import check_source
from project_helpers import write_project

STREAMS = (
    "import asyncio\n\n\n"
    "async def close_upstream(stream):\n"
    "    try:\n"
    "        await stream.aclose()\n"
    "    except BaseException:\n"
    "        pass\n"
)

VIEWS_HEAD = (
    "import asyncio\n"
    "import anyio\n"
    "from fastapi import FastAPI\n"
    "from app.streams import close_upstream\n\n"
    "app = FastAPI()\n\n\n"
)

CALLERS = {
    "in a finally": (
        "@app.get('/relay')\nasync def relay(stream):\n"
        "    try:\n        return await stream.read()\n    finally:\n        await close_upstream(stream)\n",
        [],
    ),
    "in an except clause that re-raises": (
        "@app.get('/relay')\nasync def relay(stream):\n"
        "    try:\n        return await stream.read()\n"
        "    except asyncio.CancelledError:\n        await close_upstream(stream)\n        raise\n",
        [],
    ),
    "in an except clause that raises the caught name": (
        "@app.get('/relay')\nasync def relay(stream):\n"
        "    try:\n        return await stream.read()\n"
        "    except (asyncio.CancelledError, GeneratorExit) as cancellation:\n"
        "        await close_upstream(stream)\n        raise cancellation\n",
        [],
    ),
    "in an except clause that raises another name": (
        "@app.get('/relay')\nasync def relay(stream, failure):\n"
        "    try:\n        return await stream.read()\n"
        "    except asyncio.CancelledError as cancellation:\n"
        "        await close_upstream(stream)\n        raise failure\n",
        ["HB602"],
    ),
    "in a shielded scope": (
        "@app.get('/relay')\nasync def relay(stream):\n"
        "    data = await stream.read()\n"
        "    with anyio.CancelScope(shield=True):\n        await close_upstream(stream)\n"
        "    return data\n",
        [],
    ),
    "through a helper only a finally calls": (
        "async def _cleanup(stream):\n    await close_upstream(stream)\n\n\n"
        "@app.get('/relay')\nasync def relay(stream):\n"
        "    try:\n        return await stream.read()\n    finally:\n        await _cleanup(stream)\n",
        [],
    ),
    "in the request's own flow": (
        "@app.get('/relay')\nasync def relay(stream):\n"
        "    data = await stream.read()\n    await close_upstream(stream)\n    return data\n",
        ["HB602"],
    ),
    "in an except clause that returns": (
        "@app.get('/relay')\nasync def relay(stream):\n"
        "    try:\n        return await stream.read()\n"
        "    except asyncio.CancelledError:\n        await close_upstream(stream)\n        return None\n",
        ["HB602"],
    ),
    "one caller in a finally, one not": (
        "@app.get('/relay')\nasync def relay(stream):\n"
        "    try:\n        return await stream.read()\n    finally:\n        await close_upstream(stream)\n\n\n"
        "@app.get('/drop')\nasync def drop(stream):\n    await close_upstream(stream)\n",
        ["HB602"],
    ),
}


def _codes(files: Dict[str, str], root: Path, target: str) -> List[str]:
    root = write_project(root, {"pyproject.toml": "", "app/__init__.py": "", **files})
    path = root / target
    return [message[:5] for _line, _col, message in check_source(path.read_text(), str(path))]


@pytest.mark.parametrize("case", sorted(CALLERS))
def test_hb602_leaves_teardown_helpers_alone(tmp_path: Path, case: str) -> None:
    views, expected = CALLERS[case]
    files = {"app/streams.py": STREAMS, "app/views.py": VIEWS_HEAD + views}
    assert _codes(files, tmp_path, "app/streams.py") == expected


SESSION = (
    "import asyncio\n"
    "import threading\n"
    "import time\n\n\n"
    "class AgentSession:\n"
    "    def __init__(self):\n"
    "        self.loop = asyncio.new_event_loop()\n"
    "        threading.Thread(target=self.loop.run_forever, daemon=True).start()\n\n"
    "    async def start(self):\n"
    "{start}\n\n"
    "    async def _start(self):\n"
    "        time.sleep(1)\n"
)

STARTS = {
    "bound, then sent to the session's loop": (
        "        coro = self._start()\n        asyncio.run_coroutine_threadsafe(coro, self.loop)", []
    ),
    "sent to the session's loop": ("        asyncio.run_coroutine_threadsafe(self._start(), self.loop)", []),
    "awaited on the handler's loop": ("        await self._start()", ["HB601"]),
}

VIEWS = (
    "from fastapi import FastAPI\nfrom app.session import AgentSession\n\napp = FastAPI()\n\n\n"
    "@app.websocket('/ws')\nasync def ws(socket):\n    await AgentSession().start()\n"
)


@pytest.mark.parametrize("case", sorted(STARTS))
def test_hb601_stops_at_a_coroutine_sent_to_another_loop(tmp_path: Path, case: str) -> None:
    start, expected = STARTS[case]
    files = {"app/session.py": SESSION.format(start=start), "app/views.py": VIEWS}
    assert _codes(files, tmp_path, "app/session.py") == expected


ONE_MODULE = (
    "import asyncio\n"
    "import threading\n"
    "import time\n\n"
    "from fastapi import FastAPI\n\n"
    "app = FastAPI()\n"
    "LOOP = asyncio.new_event_loop()\n"
    "threading.Thread(target=LOOP.run_forever, daemon=True).start()\n\n\n"
    "async def _start():\n"
    "    time.sleep(1)\n\n\n"
    "@app.websocket('/ws')\n"
    "async def ws(socket):\n"
    "{start}\n"
)


@pytest.mark.parametrize("case", sorted(STARTS))
def test_hb601_stops_there_within_one_module(tmp_path: Path, case: str) -> None:
    start, expected = STARTS[case]
    start = start.replace("self._start", "_start").replace("self.loop", "LOOP").replace("        ", "    ")
    assert _codes({"app/session.py": ONE_MODULE.format(start=start)}, tmp_path, "app/session.py") == expected


TOOLKITS = (
    "import time\n\n\n"
    "class Toolkit:\n"
    "    def connect(self):\n        pass\n\n\n"
    "class McpTools(Toolkit):\n"
    "    async def connect(self):\n        pass\n\n\n"
    "class PostgresTools(Toolkit):\n"
    "    def connect(self):\n        time.sleep(1)\n"
)

CONNECTS = {
    "awaited: only a coroutine function can be what runs": ("await tool.connect()", []),
    "called in place: the sync override may run": ("tool.connect()", ["HB601"]),
}


@pytest.mark.parametrize("case", sorted(CONNECTS))
def test_hb601_an_awaited_call_runs_no_sync_override(tmp_path: Path, case: str) -> None:
    call, expected = CONNECTS[case]
    views = (
        "from fastapi import FastAPI\nfrom app.tools import Toolkit\n\napp = FastAPI()\n\n\n"
        f"@app.get('/tools')\nasync def connect_all(tool: Toolkit):\n    {call}\n"
    )
    files = {"app/tools.py": TOOLKITS, "app/views.py": views}
    assert _codes(files, tmp_path, "app/views.py") == expected
    # nor is the sync override taken for code on the loop, where its own sleep would be reported
    assert _codes(files, tmp_path, "app/tools.py") == expected


MODELS = (
    "import time\n\n\n"
    "class Model:\n"
    "    def count_tokens(self, text):\n        return len(text)\n\n"
    "    async def acount_tokens(self, text):\n        return self.count_tokens(text)\n\n\n"
    "class Claude(Model):\n"
    "    def count_tokens(self, text):\n        time.sleep(1)\n        return 0\n\n"
    "    async def acount_tokens(self, text):\n        return 0\n\n\n"
    "class Gemini(Model):\n"
    "    def count_tokens(self, text):\n{gemini}\n\n\n"
    "class Groq(Model):\n"
    "    def count_tokens(self, text):\n{groq}\n\n"
    "    async def acount_tokens(self, text):\n"
    "        try:\n            return await self.client.count(text)\n"
    "        except ValueError:\n            return await super().acount_tokens(text)\n"
)

GEMINIS = {
    "the only override that blocks has its own async counter": (("        return 1", "        return 2"), []),
    "an override that inherits the async counter blocks": (
        ("        time.sleep(1)\n        return 1", "        return 2"), ["HB601", "HB601"]
    ),
    "an override whose async counter falls back to the base's blocks": (
        ("        return 1", "        time.sleep(1)\n        return 2"), ["HB601", "HB601"]
    ),
}


@pytest.mark.parametrize("case", sorted(GEMINIS))
def test_hb601_self_call_reaches_overrides_of_subclasses_that_run_it(tmp_path: Path, case: str) -> None:
    (gemini, groq), expected = GEMINIS[case]
    views = (
        "from fastapi import FastAPI\nfrom app.models import Model\n\napp = FastAPI()\n\n\n"
        "@app.get('/count')\nasync def count(model: Model, text: str):\n    return await model.acount_tokens(text)\n"
    )
    files = {"app/models.py": MODELS.format(gemini=gemini, groq=groq), "app/views.py": views}
    assert _codes(files, tmp_path, "app/models.py") == expected
