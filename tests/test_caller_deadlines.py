"""A caller's deadline carried down awaited calls and awaited tasks (project/callers.py,
``Callers.cancelled_by_callers``): HB203 leaves alone an async client's ``timeout=None``
request when every caller awaits the coroutine under ``asyncio.wait_for`` or
``asyncio.timeout()``, and keeps it when any path runs it without one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from flake8_handler_block.engine import check_source
from project_helpers import write_project

WALLET = (
    "import httpx\n\n\n"
    "class Wallet:\n"
    "    def __init__(self):\n"
    "        self.client = httpx.AsyncClient(base_url='https://node.example')\n\n"
    "    async def pay(self, invoice):\n"
    "        r = await self.client.post('/pay', json={'invoice': invoice}, timeout=None)\n"
    "        return r.json()\n"
)

VIEWS_HEAD = (
    "import asyncio\n"
    "from fastapi import FastAPI\n"
    "from app.wallet import Wallet\n\n"
    "app = FastAPI()\n"
    "wallet = Wallet()\n\n\n"
    "async def _send(invoice):\n"
    "    return await wallet.pay(invoice)\n\n\n"
)

CALLERS = {
    "wait_for on the coroutine": (
        "@app.post('/pay')\nasync def pay(invoice: str):\n"
        "    return await asyncio.wait_for(_send(invoice), timeout=30)\n",
        [],
    ),
    "timeout block": (
        "@app.post('/pay')\nasync def pay(invoice: str):\n"
        "    async with asyncio.timeout(30):\n        return await _send(invoice)\n",
        [],
    ),
    "task awaited under wait_for": (
        "@app.post('/pay')\nasync def pay(invoice: str):\n"
        "    task = asyncio.create_task(_send(invoice))\n"
        "    try:\n        return await asyncio.wait_for(task, 30)\n"
        "    except asyncio.TimeoutError:\n        return {'status': 'pending'}\n",
        [],
    ),
    "no deadline": (
        "@app.post('/pay')\nasync def pay(invoice: str):\n    return await _send(invoice)\n",
        ["HB203"],
    ),
    "wait_for with timeout None": (
        "@app.post('/pay')\nasync def pay(invoice: str):\n"
        "    return await asyncio.wait_for(_send(invoice), None)\n",
        ["HB203"],
    ),
    "shielded from the deadline": (
        "@app.post('/pay')\nasync def pay(invoice: str):\n"
        "    return await asyncio.wait_for(asyncio.shield(_send(invoice)), 30)\n",
        ["HB203"],
    ),
    "a task nobody waits for": (
        "tasks = set()\n\n\n"
        "@app.post('/pay')\nasync def pay(invoice: str):\n"
        "    task = asyncio.create_task(_send(invoice))\n    tasks.add(task)\n    return {'status': 'pending'}\n",
        ["HB203"],
    ),
    "one caller with, one without": (
        "@app.post('/pay')\nasync def pay(invoice: str):\n"
        "    return await asyncio.wait_for(_send(invoice), 30)\n\n\n"
        "@app.post('/retry')\nasync def retry(invoice: str):\n    return await _send(invoice)\n",
        ["HB203"],
    ),
}


def _codes(files: Dict[str, str], root: Path) -> List[str]:
    root = write_project(root, {"pyproject.toml": "", "app/__init__.py": "", **files})
    path = root / "app/wallet.py"
    return [message[:5] for _line, _col, message in check_source(path.read_text(), str(path))]


@pytest.mark.parametrize("case", sorted(CALLERS))
def test_hb203_follows_the_callers_deadline(tmp_path: Path, case: str) -> None:
    views, expected = CALLERS[case]
    assert _codes({"app/wallet.py": WALLET, "app/views.py": VIEWS_HEAD + views}, tmp_path) == expected


def test_a_handler_itself_has_no_callers_deadline(tmp_path: Path) -> None:
    """The framework awaits a handler under no deadline of the project's."""
    handler = (
        "import httpx\nfrom fastapi import FastAPI\n\napp = FastAPI()\nclient = httpx.AsyncClient()\n\n\n"
        "@app.get('/proxy')\nasync def proxy():\n"
        "    return (await client.get('https://up.example', timeout=None)).text\n\n\n"
        "async def warm():\n    import asyncio\n    await asyncio.wait_for(proxy(), 5)\n"
    )
    root = write_project(tmp_path, {"pyproject.toml": "", "app/__init__.py": "", "app/wallet.py": handler})
    path = root / "app/wallet.py"
    assert [m[:5] for _l, _c, m in check_source(handler, str(path))] == ["HB203"]


def test_a_sync_client_is_not_cancelled_by_a_deadline(tmp_path: Path) -> None:
    """A deadline cancels awaits only: a sync client's request in a thread runs on."""
    sync_wallet = WALLET.replace("AsyncClient", "Client").replace("await self.client", "self.client")
    views = VIEWS_HEAD.replace("return await wallet.pay(invoice)",
                               "return await asyncio.to_thread(wallet.pay, invoice)")
    views += (
        "@app.post('/pay')\nasync def pay(invoice: str):\n"
        "    return await asyncio.wait_for(_send(invoice), timeout=30)\n"
    )
    assert _codes({"app/wallet.py": sync_wallet, "app/views.py": views}, tmp_path) == ["HB203"]


SYSTEMD = (
    "import asyncio\n\n\n"
    "async def reset_service(unit):\n"
    "    proc = await asyncio.create_subprocess_exec('systemctl', 'reset-failed', unit)\n"
    "    return await proc.wait()\n"
)

SPAWNER = (
    "from jupyterhub.spawner import {base}\n"
    "from app import systemd\n\n\n"
    "class UnitSpawner({base}):\n"
    "    async def {method}(self):\n"
    "        await systemd.reset_service(self.unit)\n"
)


@pytest.mark.parametrize("base, method, expected", [
    ("Spawner", "start", []),
    ("LocalProcessSpawner", "start", []),
    ("Spawner", "stop", ["HB204"]),
    ("Spawner", "poll", ["HB204"]),
])
def test_the_hub_runs_a_spawners_start_under_its_start_timeout(
    tmp_path: Path, base: str, method: str, expected: List[str]
) -> None:
    """JupyterHub awaits ``start()`` in ``asyncio.wait_for(..., spawner.start_timeout)``, which
    cancels the child's wait; ``stop()`` and ``poll()`` it awaits under no deadline."""
    root = write_project(tmp_path, {
        "pyproject.toml": "", "app/__init__.py": "", "app/systemd.py": SYSTEMD,
        "app/spawner.py": SPAWNER.format(base=base, method=method),
    })
    path = root / "app/systemd.py"
    assert [m[:5] for _l, _c, m in check_source(SYSTEMD, str(path))] == expected


def test_a_spawner_start_called_by_the_project_too_keeps_the_finding(tmp_path: Path) -> None:
    """The Hub's deadline holds for its own call of ``start()``; another caller's need not
    (here ``poll()``, which the Hub awaits with none)."""
    spawner = SPAWNER.format(base="Spawner", method="start") + (
        "\n    async def poll(self):\n        await self.start()\n"
    )
    root = write_project(tmp_path, {
        "pyproject.toml": "", "app/__init__.py": "", "app/systemd.py": SYSTEMD, "app/spawner.py": spawner,
    })
    path = root / "app/systemd.py"
    assert [m[:5] for _l, _c, m in check_source(SYSTEMD, str(path))] == ["HB204"]
