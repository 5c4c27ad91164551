"""HB203 on the kubernetes client: a request with no `_request_timeout` waits forever unless the
ApiClient it is sent on gives one. A client built in view says which ApiClient that is; one built
elsewhere (a module global set by a factory, an annotated parameter) is the library's own unless
the project derives a class from kubernetes' ApiClient anywhere (dstack's and an MCP server's
`request()` override add a timeout to every call)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CLUSTER = '''\
from typing import Optional

from kubernetes import client, config

CORE: Optional[client.CoreV1Api] = None


def _core() -> client.CoreV1Api:
    return client.CoreV1Api(_configured().api_client)


def _configured():
    config.load_incluster_config()
    return client.ApiClient()


def namespaces():
    global CORE
    if CORE is None:
        CORE = _core()
    found = CORE.list_namespace()  # expect: HB203 "CORE.list_namespace() has no timeout"
    return [ns.metadata.name for ns in found.items]


def pods(api: client.CoreV1Api, namespace: str):
    return api.list_namespaced_pod(namespace).items  # expect: HB203 "api.list_namespaced_pod() has no timeout"


def nodes(api: client.CoreV1Api):
    return api.list_node(_request_timeout=(5, 30)).items  # ok: timed


def events(api, namespace: str):
    return api.list_namespaced_event(namespace).items  # ok: a receiver of unknown kind
'''

TIMED = '''\
from kubernetes.client.api_client import ApiClient as _BaseApiClient


class ApiClient(_BaseApiClient):  # dstack's form: the library's class under an alias
    def request(self, *args, **kwargs):
        kwargs.setdefault("_request_timeout", (5, 30))
        return super().request(*args, **kwargs)
'''


def test_a_client_built_elsewhere_sends_on_the_library_api_client(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/cluster.py": CLUSTER}
    markers_hold(tmp_path, files, "app/cluster.py")


def test_an_api_client_subclass_in_the_project_may_time_every_request(tmp_path: Path) -> None:
    silent = "\n".join(
        line.split("  # expect:")[0] + ("  # ok: the project's ApiClient may time it" if "# expect:" in line else "")
        for line in CLUSTER.splitlines()
    )
    built_here = (
        "\n\ndef version():\n"
        "    # a client built in view on no ApiClient is the library's own, whatever else the project has\n"
        "    return client.VersionApi().get_code()  # expect: HB203 \"get_code() has no timeout\"\n"
    )
    files = {"app/__init__.py": "", "app/cluster.py": silent + built_here, "app/timed.py": TIMED}
    markers_hold(tmp_path, files, "app/cluster.py")
