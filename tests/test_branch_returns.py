"""A helper whose returns a parameter test picks (``if async_client: return AsyncAnthropic()``, then
``return Anthropic()``) makes, for one call, what the literal that call passes (or the parameter's
literal default) picks: letta's and jl-ecms-server's ``_get_anthropic_client(async_client=True)``."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CLIENTS = '''\
import anthropic
import httpx
from fastapi import FastAPI

app = FastAPI()


class AnthropicClient:
    def _get_client(self, async_client: bool = False):
        if async_client:
            return anthropic.AsyncAnthropic()
        return anthropic.Anthropic()

    def _http(self, use_async=False):
        return httpx.AsyncClient() if use_async else httpx.Client()

    def _either(self, async_client: bool = False):
        if async_client:
            return anthropic.AsyncAnthropic()
        else:
            return anthropic.Anthropic()

    def _negated(self, sync=True):
        if not sync:
            return httpx.AsyncClient()
        elif sync is None:
            raise ValueError("say which")
        return httpx.Client()

    async def request(self, data: dict) -> dict:
        client = self._get_client(async_client=True)  # expect: HB103 "self._get_client() client" "`async with`"
        response = await client.messages.create(**data)
        return response.model_dump()

    def request_sync(self, data: dict) -> dict:
        client = self._get_client()  # expect: HB103 "self._get_client() client" "use `with`"
        return client.messages.create(**data).model_dump()  # expect: HB601 "client.messages.create() blocks"

    async def fetch(self, url: str) -> str:
        client = self._http(True)  # expect: HB103 "self._http() client" "`async with`"
        return (await client.get(url)).text

    def fetch_sync(self, url: str) -> str:
        client = self._http(use_async=False)  # expect: HB103 "self._http() client" "use `with`"
        return client.get(url).text  # expect: HB601 "client.get() blocks"

    async def request_else(self, data: dict) -> dict:
        client = self._either(async_client=True)  # expect: HB103 "self._either() client"
        return (await client.messages.create(**data)).model_dump()

    async def negated(self, url: str) -> str:
        client = self._negated(sync=False)  # expect: HB103 "self._negated() client" "`async with`"
        return (await client.get(url)).text

    async def request_unknown(self, data: dict, flag: bool) -> dict:
        client = self._get_client(async_client=flag)  # ok: HB103 which client is not known: both kinds are made
        return await client.messages.create(**data)

    async def request_closed(self, data: dict) -> dict:
        client = self._get_client(async_client=True)  # ok: HB103 closed in finally
        try:
            return (await client.messages.create(**data)).model_dump()
        finally:
            await client.close()


@app.post("/ask")
async def ask(data: dict) -> dict:
    store = AnthropicClient()
    await store.request(data)
    store.request_sync(data)
    await store.fetch("https://example.com")
    store.fetch_sync("https://example.com")
    await store.request_else(data)
    await store.request_closed(data)
    await store.negated("https://example.com")
    return await store.request_unknown(data, bool(data))
'''


def test_a_call_whose_literal_arguments_pick_the_returned_client(tmp_path: Path) -> None:
    markers_hold(tmp_path, {"app/__init__.py": "", "app/clients.py": CLIENTS}, "app/clients.py")
