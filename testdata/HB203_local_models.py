"""A self-hosted assistant: chat and embeddings served by a local Ollama (ollama, langchain-ollama), with
hosted models as a fallback through LangChain and Google's Gemini SDK."""
import asyncio
import os

import httpx
import ollama
from fastapi import FastAPI
from google import genai
from google.genai import types
from langchain_anthropic import ChatAnthropic
from langchain_ollama import ChatOllama, OllamaEmbeddings
from langchain_openai import AzureChatOpenAI, ChatOpenAI
from openai import OpenAI
from ollama import AsyncClient, Client

from assistant.models import Client as AccountClient

app = FastAPI()
OLLAMA_URL = os.environ.get("OLLAMA_URL", "http://127.0.0.1:11434")
MODEL_TIMEOUT = httpx.Timeout(connect=5.0, read=120.0, write=30.0, pool=5.0)
CLIENT_SETTINGS = {"timeout": 60}

chat_client = ollama.Client(host=OLLAMA_URL)  # expect: HB203 "ollama.Client() has no timeout" "module-level code"
bounded_client = ollama.Client(host=OLLAMA_URL, timeout=MODEL_TIMEOUT)  # ok: timeout given (a name)
configured_client = Client(OLLAMA_URL, **CLIENT_SETTINGS)  # ok: the dict holds "timeout"
tuple_client = Client(host=OLLAMA_URL, timeout=(5, 120))  # ok: timeout given as a tuple
accounts = AccountClient(OLLAMA_URL)  # ok: the project's own Client, not ollama's


class EmbeddingProvider:
    def __init__(self, base_url=OLLAMA_URL):
        self.client = Client(host=base_url)  # expect: HB203 "Client() has no timeout" "ollama gives it to the httpx client"
        self.aclient = AsyncClient(host=base_url, timeout=None)  # expect: HB203 "AsyncClient() passes timeout=None"
        self.bounded = AsyncClient(host=base_url, timeout=30)  # ok: timeout given

    async def embed(self, texts):
        return await self.aclient.embed(model="nomic-embed-text", input=texts)


def chat_model(options):
    if options.get("local"):
        return ChatOllama(model="llama3.2", base_url=OLLAMA_URL)  # expect: HB203 "ChatOllama() has no timeout" "client_kwargs"
    return ChatOllama(model="llama3.2", base_url=OLLAMA_URL, client_kwargs={"timeout": 60})  # ok: client_kwargs given


def hosted_model(options):
    if options.get("provider") == "anthropic":
        return ChatAnthropic(model="claude-sonnet-4-5", max_tokens=512)  # expect: HB203 "ChatAnthropic() has no timeout" "LangChain hands the SDK timeout=None"
    if options.get("provider") == "azure":
        return AzureChatOpenAI(azure_deployment="gpt-4o", request_timeout=None)  # expect: HB203 "AzureChatOpenAI() passes request_timeout=None"
    return ChatOpenAI(model="gpt-4o", temperature=0)  # expect: HB203 "ChatOpenAI() has no timeout" "function 'hosted_model'"


def gemini_client(options):
    if options.get("vertex"):
        return genai.Client(vertexai=True, project=options["project"], location="europe-west4")  # expect: HB203 "genai.Client() has no timeout" "HttpOptions(timeout=<milliseconds>)"
    if options.get("bounded"):
        return genai.Client(api_key=options["key"], http_options=types.HttpOptions(timeout=60_000))  # ok: its options bound it
    if options.get("custom"):
        return genai.Client(api_key=options["key"], **options["client"])  # ok: unseen keywords may carry http_options
    return genai.Client(api_key=options["key"])  # expect: HB203 "google-genai sends every request with none"


def bounded_models(options):
    by_alias = ChatOpenAI(model="gpt-4o", timeout=MODEL_TIMEOUT)  # ok: timeout given (a name)
    by_field = ChatOpenAI(model="gpt-4o", request_timeout=(5, 60))  # ok: the field's own name, a tuple
    claude = ChatAnthropic(model="claude-sonnet-4-5", default_request_timeout=60)  # ok: the field's own name
    own_client = ChatOpenAI(model="gpt-4o", root_client=OpenAI(timeout=30))  # ok: the caller's SDK client
    passed_on = ChatAnthropic(model="claude-sonnet-4-5", **options)  # ok: unseen keywords may carry it
    return by_alias, by_field, claude, own_client, passed_on


def embeddings(options):
    sync_only = OllamaEmbeddings(model="nomic-embed-text", sync_client_kwargs={"timeout": 30})  # ok: its client's settings
    passed_on = OllamaEmbeddings(model="nomic-embed-text", **options)  # ok: unseen keywords may carry client_kwargs
    plain = OllamaEmbeddings(model="nomic-embed-text")  # expect: HB203 "OllamaEmbeddings() has no timeout"
    return sync_only, passed_on, plain


@app.post("/chat")
async def chat(payload: dict):
    client = AsyncClient(host=OLLAMA_URL)  # expect: HB203 "handler 'chat'"
    answer = await client.chat(model="llama3.2", messages=payload["messages"])
    return {"answer": answer.message.content}


@app.post("/chat/bounded")
async def chat_bounded(payload: dict):
    async with httpx.AsyncClient(base_url=OLLAMA_URL) as http:  # ok: httpx's own 5 s default
        health = await http.get("/api/version")
    client = AsyncClient(host=OLLAMA_URL, timeout=MODEL_TIMEOUT)  # ok: timeout given
    answer = await client.chat(model="llama3.2", messages=payload["messages"])
    return {"answer": answer.message.content, "version": health.json()}


@app.post("/embed")
async def embed(payload: dict):
    client = genai.Client(api_key=os.environ["GEMINI_KEY"])  # ok: its one request is awaited under wait_for
    result = await asyncio.wait_for(
        client.aio.models.embed_content(model="text-embedding-004", contents=payload["text"]), timeout=60,
    )
    return list(result.embeddings[0].values)


@app.post("/embed/scoped")
async def embed_scoped(payload: dict):
    local = AsyncClient(host=OLLAMA_URL)  # ok: each request awaited inside asyncio.timeout(60)
    async with asyncio.timeout(60):
        first = await local.embed(model="nomic-embed-text", input=payload["text"])
        second = await local.embed(model="nomic-embed-text", input=payload["title"])
    return first, second


@app.post("/embed/unbounded")
async def embed_unbounded(payload: dict):
    client = genai.Client(api_key=os.environ["GEMINI_KEY"])  # expect: HB203 "handler 'embed_unbounded'"
    summary = await asyncio.wait_for(client.aio.models.generate_content(model="gemini-2.5-flash", contents="hi"), 30)
    result = await client.aio.models.embed_content(model="text-embedding-004", contents=summary.text)
    return list(result.embeddings[0].values)


@app.post("/embed/none")
async def embed_none(payload: dict):
    client = genai.Client(api_key=os.environ["GEMINI_KEY"])  # expect: HB203 "handler 'embed_none'"
    result = await asyncio.wait_for(client.aio.models.embed_content(model="m", contents="x"), timeout=None)
    return result


@app.post("/embed/kept")
async def embed_kept(payload: dict):
    client = genai.Client(api_key=os.environ["GEMINI_KEY"])  # expect: HB203 "handler 'embed_kept'"
    app.state.gemini = client
    return await asyncio.wait_for(client.aio.models.embed_content(model="m", contents="x"), timeout=60)
