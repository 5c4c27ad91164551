"""A function's local name given a value in each side of an `if` is either value, as `a if c
else b` is (llama-deploy's `deployment = Deployment(...)` / `deployment = self._deployments[name]`,
then `await deployment.start()` after both). Values given one after the other are not a union:
only the last holds where the name is used."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

STORES = '''\
import subprocess


class GitStore:
    def sync(self):
        subprocess.run(["git", "pull"])  # expect: HB204 "handler 'deploy'" "via GitStore.sync()"


class LocalStore:
    def sync(self):
        subprocess.run(["rsync", "-a", "src/", "dst/"])  # expect: HB204 "handler 'deploy'" "via LocalStore.sync()"


class MirrorStore:
    def sync(self):
        subprocess.run(["git", "fetch", "--mirror"])  # expect: HB204 "handler 'deploy'" "via MirrorStore.sync()"


class DraftStore:
    def sync(self):
        subprocess.run(["git", "stash"])  # ok: HB204 replaced by PublishedStore before any call


class PublishedStore:
    def sync(self):
        return True
'''

API = '''\
from fastapi import FastAPI

from .stores import DraftStore, GitStore, LocalStore, MirrorStore, PublishedStore

app = FastAPI()
STORES = {}


@app.post("/deploy")
def deploy(name: str, remote: bool, mirror: bool):
    if remote:
        store = GitStore()
    elif mirror:
        store = MirrorStore()
    else:
        store = LocalStore()
    store.sync()


@app.post("/publish")
def publish(name: str):
    target = DraftStore()
    target = PublishedStore()
    STORES[name] = target
    target.sync()
'''


def test_a_name_bound_in_each_side_of_an_if_is_either_value(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/stores.py": STORES, "app/api.py": API}
    markers_hold(tmp_path, files, "app/stores.py")
