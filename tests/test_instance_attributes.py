"""``deps.http.get(url)`` on an instance of a class of the project (names.instance_attribute): the
class declares or assigns the attribute (``http: requests.Session``, ``self.http = Session()``).
A class of the same module is read in place; one of another module is asked of the project
(``Outside.instance_client``). Unknown, rebound or disagreeing holders stay silent."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from flake8_handler_block.engine import check_source
from flake8_handler_block.project.summary import summarise
from project_helpers import age, write_project

CLIENTS = (
    "from dataclasses import dataclass\n\n"
    "import requests\n"
    "from kubernetes import client as k8s\n\n\n"
    "@dataclass\n"
    "class Clients:\n"
    "    core_v1: k8s.CoreV1Api\n"
    "    http: requests.Session\n"
    "    name: str\n\n\n"
    "class Holder:\n"
    "    def __init__(self):\n"
    "        self.session = requests.Session()\n\n\n"
    "def build() -> Clients:\n"
    "    return Clients(core_v1=k8s.CoreV1Api(k8s.ApiClient()), http=requests.Session(), name='x')\n"
)


MOUNTED = (
    "import requests\n\n\n"
    "class Timed:\n"
    "    def __init__(self):\n"
    "        self.session = requests.Session()\n"
    "        self.session.mount('https://', object())\n"
)


def _findings(files: Dict[str, str], tmp_path: Path, module: str = "app/ops.py") -> List[Tuple[int, str]]:
    root = write_project(tmp_path / "proj", {"pyproject.toml": "[project]\nname = 'app'\n", "app/__init__.py": "",
                                             "app/clients.py": CLIENTS, "app/mounted.py": MOUNTED, **files})
    age(root)
    path = root / module
    return [(line, message[:5]) for line, _col, message in check_source(path.read_text(), str(path))]


def test_attributes_a_class_of_another_module_declares(tmp_path: Path) -> None:
    ops = (
        "from .clients import Clients, Holder\n\n\n"
        "def count(clients: Clients, ns):\n"
        "    return len(clients.core_v1.list_namespaced_pod(ns).items)\n\n\n"  # line 5
        "def fetch(clients: 'Clients', url):\n"
        "    return clients.http.get(url).json()\n\n\n"  # line 9
        "def held(url):\n"
        "    holder = Holder()\n"
        "    return holder.session.get(url)\n\n\n"  # line 14
        "def timed(clients: Clients, ns, url):\n"
        "    clients.core_v1.list_namespaced_pod(ns, _request_timeout=5)\n"
        "    return clients.http.get(url, timeout=5)\n"
    )
    assert _findings({"app/ops.py": ops}, tmp_path) == [(5, "HB203"), (9, "HB201"), (14, "HB201")]


@pytest.mark.parametrize("body", [
    "clients.name.get(url)",  # a str field: no client
    "clients.missing.get(url)",  # an attribute the class does not have
    "Timed().session.get(url)",  # its module mounts an adapter: it may give a timeout
    "other.http.get(url)",  # a receiver of unknown kind
])
def test_what_the_class_does_not_say_is_a_client_is_left_alone(tmp_path: Path, body: str) -> None:
    ops = (
        "from .clients import Clients, Holder\nfrom .mounted import Timed\n\n\n"
        f"def fetch(clients: Clients, other, url):\n    return {body}\n"
    )
    assert _findings({"app/ops.py": ops}, tmp_path) == []


def test_a_class_of_the_same_module(tmp_path: Path) -> None:
    ops = (
        "from typing import Optional\n\n"
        "import requests\n\n\n"
        "class Deps:\n"
        "    http: requests.Session\n\n\n"
        "class Pool:\n"
        "    def __init__(self):\n"
        "        self.session = requests.Session()\n\n\n"
        "def declared(deps: Optional[Deps], url):\n"
        "    return deps.http.get(url)\n\n\n"  # line 16
        "def built(url):\n"
        "    pool = Pool()\n"
        "    return pool.session.get(url)\n\n\n"  # line 21
        "def either(flag, url):\n"
        "    holder = Pool() if flag else Deps()\n"
        "    holder = Deps()\n"
        "    return holder.http.get(url)\n\n\n"  # two bindings, one not a call of a class: silent
        "def shadowed(url):\n"
        "    Deps = object\n"
        "    deps = Deps()\n"
        "    return deps.http.get(url)\n"  # a local name Deps: not the class
    )
    assert _findings({"app/ops.py": ops}, tmp_path) == [(16, "HB201"), (21, "HB201")]


def test_a_class_bound_to_two_things_is_not_known(tmp_path: Path) -> None:
    ops = (
        "import requests\n\n\n"
        "class Deps:\n"
        "    http: requests.Session\n\n\n"
        "try:\n    from fast import Deps\nexcept ImportError:\n    pass\n\n\n"
        "def declared(deps: Deps, url):\n"
        "    return deps.http.get(url)\n"
    )
    assert _findings({"app/ops.py": ops}, tmp_path) == []


HOLDERS = (
    "from dataclasses import dataclass, field\n"
    "from typing import Any, NamedTuple\n\n\n"
    "@dataclass\n"
    "class K8s:\n"
    "    core_v1: Any\n"
    "    extra: Any = None\n\n\n"
    "class Pair(NamedTuple):\n"
    "    http: Any\n"
    "    name: str\n\n\n"
    "@dataclass\n"
    "class Mixed:\n"
    "    http: Any\n\n\n"
    "class Plain:\n"
    "    http: Any\n\n\n"
    "@dataclass\n"
    "class Derived(K8s):\n"
    "    http: Any = None\n"
)
BUILDS = (
    "import requests\n"
    "from kubernetes import client\n\n"
    "from .holders import K8s, Pair, Mixed, Derived\n\n\n"
    "def build():\n"
    "    api = client.ApiClient()\n"
    "    return K8s(core_v1=client.CoreV1Api(api)), Pair(requests.Session(), 'x')\n\n\n"
    "def mixed(session):\n"
    "    return Mixed(http=requests.Session()), Mixed(session), Derived(client.CoreV1Api(), http=requests.Session())\n"
)


def test_a_field_that_declares_no_kind_holds_what_every_construction_passes(tmp_path: Path) -> None:
    ops = (
        "from .holders import K8s, Pair, Mixed, Plain, Derived\n\n\n"
        "def count(k: K8s, ns):\n"
        "    return k.core_v1.list_namespaced_pod(ns)\n\n\n"  # line 5: every construction passes a CoreV1Api
        "def fetch(pair: Pair, url):\n"
        "    return pair.http.get(url)\n\n\n"  # line 9: positional, of a NamedTuple
        "def others(m: Mixed, p: Plain, d: Derived, url):\n"
        "    m.http.get(url)\n"  # one construction passes a value of unknown kind
        "    p.http.get(url)\n"  # no dataclass: no constructor takes it
        "    return d.http.get(url)\n"  # a base of the project may add fields before it
    )
    found = _findings({"app/holders.py": HOLDERS, "app/builds.py": BUILDS, "app/ops.py": ops}, tmp_path)
    assert found == [(5, "HB203"), (9, "HB201")]


def test_a_class_named_without_a_call_holds_anything(tmp_path: Path) -> None:
    ops = (
        "from .holders import K8s\n\n"
        "FACTORY = K8s\n\n\n"
        "def count(k: K8s, ns):\n"
        "    return k.core_v1.list_namespaced_pod(ns)\n"
    )
    assert _findings({"app/holders.py": HOLDERS, "app/builds.py": BUILDS, "app/ops.py": ops}, tmp_path) == []


def test_the_fields_a_generated_constructor_takes() -> None:
    source = (
        "import dataclasses\nimport attrs\nfrom dataclasses import field\n"
        "from typing import Any, ClassVar\nfrom pydantic import BaseModel\n\n\n"
        "@dataclasses.dataclass(frozen=True)\nclass A:\n    a: Any\n    b: ClassVar[int] = 3\n"
        "    c: int = field(init=False)\n    d: 'Any' = 1\n\n\n"
        "@attrs.define\nclass B:\n    x: Any\n\n\n"
        "class C(BaseModel):\n    y: Any\n\n\n"
        "@dataclasses.dataclass\nclass D:\n    z: Any\n\n    def __init__(self, z):\n        self.z = z\n\n\n"
        "class E:\n    w: Any\n"
    )
    summary = summarise(source, "app.models", "app/models.py")
    assert [cls.fields for cls in summary.classes] == [("a", "d"), ("x",), ("y",), (), ()]
