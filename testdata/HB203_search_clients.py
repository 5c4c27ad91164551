"""A search service whose Meilisearch clients are built with and without a timeout."""
import os

import meilisearch
from fastapi import FastAPI
from meilisearch import Client

app = FastAPI()
SETTINGS = {"url": os.environ.get("MEILI_URL", "http://localhost:7700"), "timeout": 10}


def make_client(**options):
    return meilisearch.Client(SETTINGS["url"], os.environ.get("MEILI_KEY"), **options)  # ok: the caller's options may time it


@app.get("/search")
def search(q: str):
    client = meilisearch.Client(SETTINGS["url"], os.environ.get("MEILI_KEY"))  # expect: HB203 "meilisearch.Client() has no timeout" "meilisearch hands it to requests on every call" "handler 'search'"
    return client.index("notes").search(q)


@app.post("/notes")
def add_note(note: dict):
    client = Client(SETTINGS["url"], timeout=None)  # expect: HB203 "Client() passes timeout=None"
    return client.index("notes").add_documents([note])


@app.get("/timed")
def timed_search(q: str):
    positional = meilisearch.Client(SETTINGS["url"], None, 5)  # ok: the third positional is the timeout
    keyword = meilisearch.Client(SETTINGS["url"], timeout=SETTINGS["timeout"])  # ok: timeout given by a name
    spread = meilisearch.Client(SETTINGS["url"], **{"timeout": 5})  # ok: a literal dict that gives it
    return positional.index("a").search(q), keyword.index("b").search(q), spread.index("c").search(q)


@app.get("/other")
def other_client(q: str):
    from elasticsearch import Elasticsearch
    return Elasticsearch("http://es:9200").search(index="notes", q=q)  # ok: another library's Client
