"""Receivers whose class the project reach infers: what a function returns, loop and
comprehension variables over containers, isinstance checks, hooks only subclasses define.

Each test writes a small project to a temporary directory and asks which handler reaches
what; every form has a look-alike that must not resolve (precision first).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from flake8_handler_block.config import Config
from flake8_handler_block.engine import check_source
from flake8_handler_block.project import index
from flake8_handler_block.project.summary import Sym, summarise
from markers import compare, findings, read_markers
from project_helpers import loop_where, markers_hold, reach, where

PROVIDERS = '''\
import subprocess


class Provider:
    def search(self, q):
        raise NotImplementedError

    def check(self):
        return True


class WebProvider(Provider):
    def search(self, q):
        return subprocess.run(["curl", q])


class FileProvider(Provider):
    def search(self, q):
        return open(q).read()


class Other:
    def search(self, q):
        return subprocess.run(["grep", q])


class Spare:
    def search(self, q):
        return subprocess.run(["find", q])
'''


def project(tmp_path: Path, files: Dict[str, str]) -> Path:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    (root / "app" / "__init__.py").write_text("")
    for name, text in files.items():
        (root / "app" / name).write_text(text)
    index.clear()
    return root


def routes(body: str, imports: str = "from .providers import Provider, WebProvider, FileProvider, Other\n") -> str:
    return "from flask import Flask\n" + imports + "\napp = Flask(__name__)\n\n\n" + body


def rewrite_views(root: Path, body: str, imports: str) -> None:
    """Replace app/views.py (the same project otherwise) and forget the index built before."""
    (root / "app" / "views.py").write_text(routes(body, imports))
    index.clear()


def chain(root: Path, qualname: str, module: str = "app/providers.py") -> str:
    return where(reach(root, module), qualname) or ""


def handler(root: Path, name: str, module: str = "app/views.py") -> str:
    """``handler 'name' (app/views.py:LINE)``: the line of its def."""
    lines = (root / module).read_text().splitlines()
    starts = (f"def {name}(", f"async def {name}(")
    line = next(n for n, text in enumerate(lines, 1) if text.lstrip().startswith(starts))
    return f"handler '{name}' ({module}:{line})"


def test_an_unannotated_function_returns_what_its_returns_give(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "registry.py": (
            "from .providers import WebProvider, FileProvider, Other, Spare\n\n\n"
            "def make():\n    return WebProvider()\n\n\n"
            "def lookup(name):\n    if not name:\n        return None\n    return FileProvider()\n\n\n"
            "def either(flag, cache):\n    found = cache.get(flag)\n    if found is None:\n"
            "        found = Other()\n    return found\n\n\n"
            "def produce():\n    yield Spare()\n\n\n"
            "def passed(value):\n    return value\n"
        ),
        "views.py": routes(
            "@app.route('/a')\ndef a():\n    return make().search('x')\n\n\n"
            "@app.route('/b')\ndef b():\n    found = lookup('x')\n    return found.search('y')\n\n\n"
            "@app.route('/c')\ndef c():\n    return either(True).search('x')\n\n\n"
            "@app.route('/d')\ndef d():\n    return produce().search('x'), passed(Spare).search('x')\n",
            "from .registry import make, lookup, either, produce, passed\n",
        ),
    })
    assert chain(root, "WebProvider.search") == f"{handler(root, 'a')} via WebProvider.search()"
    # `return None` says nothing: the other return gives the value
    assert chain(root, "FileProvider.search") == f"{handler(root, 'b')} via FileProvider.search()"
    # a returned name: each value bound to it (what the unknown cache holds adds nothing)
    assert chain(root, "Other.search") == f"{handler(root, 'c')} via Other.search()"
    # a generator's call, a function returning its parameter: nothing known
    assert chain(root, "Spare.search") == ""


def test_a_function_annotated_with_a_protocol_returns_what_its_returns_give(tmp_path: Path) -> None:
    """``-> Backend`` naming a ``typing.Protocol`` of the module: its methods are stubs and nothing
    derives from it, so the returned values say which class runs (job-sentinel's chat backends).
    A class that is not a protocol keeps the annotation."""
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "registry.py": (
            "from typing import Protocol\n\nfrom .providers import Provider, WebProvider, Other\n\n\n"
            "class Backend(Protocol):\n    def search(self, q): ...\n\n\n"
            "def make() -> Backend:\n    return WebProvider()\n\n\n"
            "def declared() -> Provider:\n    return Other()\n"
        ),
        "views.py": routes(
            "@app.route('/a')\ndef a():\n    return make().search('x')\n\n\n"
            "@app.route('/b')\ndef b():\n    return declared().search('x')\n",
            "from .registry import make, declared\n",
        ),
    })
    assert chain(root, "WebProvider.search") == f"{handler(root, 'a')} via WebProvider.search()"
    assert chain(root, "Other.search") == ""  # `-> Provider`: a Provider (WebProvider's search runs too)


def test_a_loop_variable_over_a_declared_list_reaches_every_override(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "registry.py": (
            "from typing import Dict, List, Optional, Tuple\n"
            "from .providers import Provider, WebProvider, Other\n\n\n"
            "def providers() -> List[Provider]:\n    return [WebProvider()]\n\n\n"
            "def pick(name):\n    for p in providers():\n        if p.name == name:\n            return p\n"
            "    return None\n\n\n"
            "def by_name() -> Dict[str, Other]:\n    return {}\n\n\n"
            "def pair() -> Tuple[Other, Provider]:\n    return Other(), Provider()\n"
        ),
        "views.py": routes(
            "@app.route('/health')\nasync def health(name):\n    p = pick(name)\n    return p.search(name)\n\n\n"
            "@app.route('/keys')\ndef keys():\n    return [k.search('x') for k in by_name()]\n\n\n"
            "@app.route('/pair')\ndef both():\n    for item in pair():\n        item.search('x')\n",
            "from .registry import pick, by_name, pair\n",
        ),
    })
    # the element of `List[Provider]` is any Provider: the base's method and every override
    for qualname in ("Provider.search", "WebProvider.search", "FileProvider.search"):
        assert chain(root, qualname) == f"{handler(root, 'health')} via {qualname}()"
    # iterating a dict gives its keys; `Tuple[A, B]` holds two kinds: nothing known
    assert chain(root, "Other.search") == ""


def test_displays_and_lists_filled_by_append(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "registry.py": (
            "from .providers import Provider, WebProvider, FileProvider, Other, Spare\n\n"
            "WEB = [WebProvider(), WebProvider()]\n"
            "MIXED = [FileProvider(), Other()]\n\n\n"
            "def collect(modules):\n"
            "    found = []\n"
            "    for name, obj in modules:\n"
            "        if issubclass(obj, Provider):\n"
            "            found.append(obj())\n"
            "    return found\n\n\n"
            "def unknown(modules):\n"
            "    found = list(modules)\n"
            "    found.append(Spare())\n"
            "    return found\n\n\n"
            "LOADED = collect([])\n"
        ),
        "views.py": routes(
            "@app.route('/web')\ndef web():\n    for p in WEB:\n        p.search('x')\n\n\n"
            "@app.route('/mixed')\ndef mixed():\n    for p in MIXED:\n        p.search('x')\n\n\n"
            "@app.route('/loaded')\ndef loaded():\n    return [p.check() for p in LOADED]\n\n\n"
            "@app.route('/unknown')\ndef other():\n    return [p.search('x') for p in unknown([])]\n",
            "from .registry import WEB, MIXED, LOADED, unknown\n",
        ),
    })
    assert chain(root, "WebProvider.search") == f"{handler(root, 'web')} via WebProvider.search()"
    # a display of two classes holds either
    assert chain(root, "FileProvider.search") == f"{handler(root, 'mixed')} via FileProvider.search()"
    assert chain(root, "Other.search") == f"{handler(root, 'mixed')} via Other.search()"
    # `issubclass(obj, Provider)` then `found.append(obj())`: instances of Provider or a subclass
    assert chain(root, "Provider.check") == f"{handler(root, 'loaded')} via Provider.check()"
    # a list built from something unknown, then appended to: nothing known
    assert chain(root, "Spare.search") == ""


def test_either_branch_of_a_conditional_expression(tmp_path: Path) -> None:
    """``source = FAKE if internal else get_source()`` (lnbits' funding source): either; with one
    branch unknown, nothing."""
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "views.py": routes(
            "FAKE = Other()\n\n\n"
            "def get_source() -> Provider:\n    return WebProvider()\n\n\n"
            "@app.route('/either')\ndef either(internal):\n"
            "    source = FAKE if internal else get_source()\n    return source.search('x')\n\n\n"
            "@app.route('/half')\ndef half(internal, unknown):\n"
            "    source = Spare() if internal else unknown\n    return source.search('x')\n"
        ),
    })
    for qualname in ("Other.search", "Provider.search", "WebProvider.search", "FileProvider.search"):
        assert chain(root, qualname) == f"{handler(root, 'either')} via {qualname}()"
    assert chain(root, "Spare.search") == ""


def test_a_module_name_bound_in_each_branch_of_a_setting_is_either(tmp_path: Path) -> None:
    """``if ENGINE: Rails = Other`` / ``else: from .providers import WebProvider as Rails`` in a package
    (nemoguardrails' ``LLMRails``): a view importing ``Rails`` may build either; so may a function's
    local given a value, then another under an `if` (``test_filled_locals``). One branch unknown:
    nothing."""
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "engines.py": (
            "import os\nfrom . import backends\nfrom .providers import Other\n\n"
            "if os.environ.get('ENGINE'):\n    Rails = Other\nelse:\n"
            "    from .providers import WebProvider as Rails\n\n"
            "if os.environ.get('SPARE'):\n    from .providers import Spare as Half\nelse:\n"
            "    Half = getattr(backends, os.environ['HALF'])\n"
        ),
        "views.py": routes(
            "@app.route('/either')\ndef either():\n    return Rails().search('x')\n\n\n"
            "@app.route('/half')\ndef half():\n    return Half().search('x')\n\n\n"
            "@app.route('/local')\ndef local(flag):\n    made = FileProvider()\n"
            "    if flag:\n        made = Spare()\n    return made.search('x')\n",
            "from .providers import FileProvider, Spare\nfrom .engines import Rails, Half\n",
        ),
    })
    for qualname in ("Other.search", "WebProvider.search"):
        assert chain(root, qualname) == f"{handler(root, 'either')} via {qualname}()"
    for qualname in ("Spare.search", "FileProvider.search"):
        assert chain(root, qualname) == f"{handler(root, 'local')} via {qualname}()"


def test_a_module_imported_lazily_by_name_is_that_module(tmp_path: Path) -> None:
    """``work = lazy_import("app.work")`` (fiftyone's ``fou.lazy_import``), ``importlib.import_module``:
    the name stands for the module; a name not written out, or another helper, says nothing."""
    root = project(tmp_path, {
        "work.py": (
            "import subprocess\n\n\n"
            "def lazy():\n    return subprocess.run(['a'])\n\n\n"
            "def loaded():\n    return subprocess.run(['b'])\n\n\n"
            "def computed():\n    return subprocess.run(['c'])\n"
        ),
        "utils.py": "def lazy_import(name):\n    return name\n\n\ndef load_module(name):\n    return name\n",
        "views.py": routes(
            "work = utils.lazy_import('app.work')\nloaded = importlib.import_module('app.work')\n"
            "computed = utils.lazy_import(NAME)\nother = utils.load_module('app.work')\n\n\n"
            "@app.route('/a')\ndef a():\n    return work.lazy(), loaded.loaded(), computed.computed()\n\n\n"
            "@app.route('/b')\ndef b():\n    return other.computed()\n",
            "import importlib\nfrom . import utils\nNAME = 'app.work'\n",
        ),
    })
    module = "app/work.py"
    assert chain(root, "lazy", module) == f"{handler(root, 'a')} via lazy()"
    assert chain(root, "loaded", module) == f"{handler(root, 'a')} via loaded()"
    assert chain(root, "computed", module) == ""


def test_a_parameter_is_what_the_module_s_calls_pass(tmp_path: Path) -> None:
    """``Server(self)`` in ``Interpreter.__init__``, then ``create_router(interpreter)`` in
    ``Server.__init__``: the routes nested in ``create_router`` use that interpreter (open-interpreter's
    server). Callers that disagree, a decorated function, or no caller at all: nothing."""
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "views.py": (
            "from fastapi import APIRouter, FastAPI\n"
            "from .providers import WebProvider, FileProvider, Other, Spare\n\n\n"
            "class Interpreter:\n"
            "    def __init__(self):\n        self.provider = WebProvider()\n        self.server = Server(self)\n\n"
            "    def search(self, q):\n        return self.provider.search(q)\n\n\n"
            "def create_router(interpreter, helper, other):\n    router = APIRouter()\n\n"
            "    @router.get('/search')\n    def find(q):\n"
            "        return interpreter.search(q), helper.search(q), other.search(q)\n\n"
            "    return router\n\n\n"
            "class Server:\n"
            "    def __init__(self, interpreter):\n        self.app = FastAPI()\n"
            "        self.app.include_router(create_router(interpreter, FileProvider(), Other()))\n\n\n"
            "def spare_router():\n    return create_router(None, FileProvider(), Spare())\n"
        ),
    })
    route = "handler 'create_router.<locals>.find' (app/views.py:18)"
    assert chain(root, "WebProvider.search") == f"{route} via Interpreter.search() -> WebProvider.search()"
    assert chain(root, "FileProvider.search") == f"{route} via FileProvider.search()"
    assert chain(root, "Other.search") == chain(root, "Spare.search") == ""  # the two calls disagree


def test_isinstance_checks_say_what_a_name_is_where_they_hold(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "views.py": routes(
            "@app.route('/if')\ndef checked(p):\n"
            "    if isinstance(p, WebProvider) and p:\n        return p.search('x')\n"
            "    return p.check()\n\n\n"
            "@app.route('/assert')\ndef asserted(p):\n    assert isinstance(p, FileProvider)\n"
            "    return p.search('x')\n\n\n"
            "@app.route('/guard')\ndef guarded(k):\n    if not issubclass(k, Provider):\n        return None\n"
            "    return k().check()\n\n\n"
            "@app.route('/tuple')\ndef several(p):\n    if isinstance(p, (Other, WebProvider)):\n"
            "        return p.search('x')\n"
            "    return None\n"
        ),
    })
    assert chain(root, "WebProvider.search") == f"{handler(root, 'checked')} via WebProvider.search()"
    assert chain(root, "FileProvider.search") == f"{handler(root, 'asserted')} via FileProvider.search()"
    assert chain(root, "Provider.check") == f"{handler(root, 'guarded')} via Provider.check()"
    # `p.check()` after the if: p is not known there; a tuple of classes says nothing
    assert chain(root, "Other.search") == ""
    summary = summarise((root / "app" / "views.py").read_text(), "app.views", "app/views.py")
    checked = [edge.callee for edge in summary.functions[0].edges]
    assert Sym("ref", "app.providers.WebProvider", ("(:)", "search")) in checked  # a WebProvider, or a subclass's
    assert not any(callee.path[-1:] == ("check",) for callee in checked)
    guarded = [edge.callee for edge in summary.functions[2].edges]
    assert Sym("ref", "app.providers.Provider", ("(<)", "()", "check")) in guarded  # Provider or a subclass


def test_a_class_declared_or_checked_as_a_subclass_makes_instances_of_any(tmp_path: Path) -> None:
    """``k: type[Provider]`` and ``issubclass(k, Provider)`` name Provider or a class deriving
    from it, so ``k().search()`` reaches every override (khoj's ``setup(text_to_entries:
    Type[TextToEntries])``, calibre-web's providers found by ``issubclass``); ``Provider()`` itself
    does not."""
    bodies = {
        "declared": "from typing import Type\n\n\ndef run(kind: Type[Provider], q):\n    return kind().search(q)\n",
        "checked": (
            "def run(classes, q):\n    for k in classes:\n        if issubclass(k, Provider):\n"
            "            return k().search(q)\n    return None\n"
        ),
        "made": "def run(classes, q):\n    return Provider().search(q)\n",
    }
    for name, body in bodies.items():
        root = project(tmp_path / name, {
            "providers.py": PROVIDERS,
            "views.py": routes(f"{body}\n\n@app.route('/')\ndef {name}(q):\n    return run(WebProvider, q)\n"),
        })
        for qualname in ("WebProvider.search", "FileProvider.search"):
            expected = "" if name == "made" else f"{handler(root, name)} via run() -> {qualname}()"
            assert chain(root, qualname) == expected, (name, qualname)
        assert chain(root, "Other.search") == ""


def test_comprehension_variables_and_hand_offs(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "views.py": routes(
            "from concurrent.futures import ThreadPoolExecutor\nfrom typing import List\n"
            "PROVIDERS: List[Provider] = []\n\n\n"
            "@app.route('/search')\ndef search(q):\n"
            "    with ThreadPoolExecutor() as executor:\n"
            "        futures = {executor.submit(p.search, q): p for p in PROVIDERS if p}\n"
            "    return list(futures)\n\n\n"
            "@app.route('/shadow')\ndef shadow(p):\n    names = [p for p in ['a', 'b']]\n    return p.check(), names\n"
        ),
    })
    for qualname in ("WebProvider.search", "FileProvider.search"):
        assert chain(root, qualname) == f"{handler(root, 'search')} via {qualname}()"
    # the comprehension's `p` is not the parameter `p`
    assert chain(root, "Provider.check") == ""


def test_a_hook_only_subclasses_define(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "services.py": (
            "import subprocess\n\n\n"
            "class Base:\n    def run(self):\n        return self._fetch()\n\n\n"
            "class Mixin:\n    def helper(self):\n        return self._fetch()\n\n\n"
            "class Service(Base, Mixin):\n    def _fetch(self):\n        return subprocess.run(['true'])\n\n\n"
            "class Unrelated:\n    def _fetch(self):\n        return subprocess.run(['false'])\n\n\n"
            "def factory() -> 'type[Base]':\n    return Service\n"
        ),
        "views.py": routes(
            "@app.route('/')\ndef home():\n    return factory()().run()\n",
            "from .services import factory\n",
        ),
    })
    module = "app/services.py"
    assert chain(root, "Service._fetch", module) == f"{handler(root, 'home')} via Base.run() -> Service._fetch()"
    assert chain(root, "Unrelated._fetch", module) == ""


def test_an_async_handler_calling_a_provider_found_in_a_registry_blocks(tmp_path: Path) -> None:
    """HB601 at the call in the async handler: the provider comes from an unannotated lookup
    over a declared list, and one override runs a subprocess."""
    views = routes(
        "def _get(name):\n    for p in providers():\n        if p.name == name:\n            return p\n"
        "    return None\n\n\n"
        "@app.get('/health/<name>')\nasync def health(name):\n"
        "    p = _get(name)\n"
        "    p.search(name)  # expect: HB601 \"p.search() blocks the event loop\" \"at app/providers.py:14\"\n"
        "    p.check()  # ok: HB601 returns at once\n"
        "    return 'ok'\n",
        "from typing import List\nfrom .providers import Provider\n\n\ndef providers() -> List[Provider]:\n"
        "    return []\n",
    )
    root = project(tmp_path, {"providers.py": PROVIDERS, "views.py": views})
    path = root / "app" / "views.py"
    found = [f for f in findings(check_source(views, str(path), Config())) if f.code == "HB601"]
    comparison = compare(read_markers(views, "views.py"), found)
    assert comparison.matched and not comparison.missing and not comparison.unexpected, comparison
    assert loop_where(reach(root, "app/providers.py"), "WebProvider.search") == (
        f"{handler(root, 'health')} via WebProvider.search()"
    )


def test_registries_of_classes_and_the_subclasses_of_a_base(tmp_path: Path) -> None:
    """A dict of classes, one filled by ``REGISTRY[name] = cls``, a declared mapping, and
    ``Base.__subclasses__()`` as a factory's lookup table (motionEye's upload services)."""
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "registry.py": (
            "from typing import Dict, Optional\n"
            "from .providers import Provider, WebProvider, FileProvider, Other, Spare\n\n"
            "BY_NAME = {'web': WebProvider, 'file': FileProvider}\n"
            "FILLED = {}\n"
            "FILLED['other'] = Other\n"
            "DECLARED: Dict[str, Provider] = {}\n"
            "KEYS = {Spare: 1}\n\n\n"
            "def classes():\n    return {c.__name__: c for c in Provider.__subclasses__()}\n\n\n"
            "def get(name, cache):\n"
            "    found = cache.get(name)\n"
            "    if found is None:\n"
            "        cls = classes().get(name)\n"
            "        found = cls()\n"
            "    return found\n"
        ),
        "views.py": routes(
            "@app.route('/by-name')\ndef by_name(name):\n    return BY_NAME[name]().search('x')\n\n\n"
            "@app.route('/filled')\ndef filled():\n    return [cls().search('x') for cls in FILLED.values()]\n\n\n"
            "@app.route('/declared')\ndef declared(name):\n    return DECLARED.get(name).check()\n\n\n"
            "@app.route('/factory')\ndef factory(name):\n    return get(name, {}).check()\n\n\n"
            "@app.route('/keys')\ndef keys():\n    for key in KEYS:\n        key().search('x')\n",
            "from .registry import BY_NAME, FILLED, DECLARED, KEYS, get\n",
        ),
    })
    for qualname in ("WebProvider.search", "FileProvider.search"):
        assert chain(root, qualname) == f"{handler(root, 'by_name')} via {qualname}()"
    assert chain(root, "Other.search") == f"{handler(root, 'filled')} via Other.search()"
    assert chain(root, "Provider.check") == f"{handler(root, 'declared')} via Provider.check()"
    factory = reach(root, "app/registry.py")
    assert where(factory, "get") == f"{handler(root, 'factory')} via get()"
    # iterating a mapping gives its keys, not its values
    assert chain(root, "Spare.search") == ""
    summary = summarise((root / "app" / "registry.py").read_text(), "app.registry", "app/registry.py")
    get = summary.functions[[f.qualname for f in summary.facts.functions].index("get")]
    assert get.returns == Sym("ref", "app.registry.classes", ("()", "get", "()", "()"))  # the cache's adds nothing


def test_factory_of_subclasses_reaches_their_overrides(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "registry.py": (
            "from .providers import Provider\n\n\n"
            "def classes():\n    return {c.__name__: c for c in Provider.__subclasses__()}\n\n\n"
            "def get(name, cache):\n"
            "    found = cache.get(name)\n"
            "    if found is None:\n"
            "        found = classes().get(name)()\n"
            "    return found\n"
        ),
        "views.py": routes(
            "@app.route('/factory')\ndef factory(name):\n    return get(name, {}).search('x')\n",
            "from .registry import get\n",
        ),
    })
    for qualname in ("WebProvider.search", "FileProvider.search"):
        assert chain(root, qualname) == f"{handler(root, 'factory')} via {qualname}()"
    assert chain(root, "Other.search") == ""


def test_an_instance_its_class_made_reaches_that_class_only(tmp_path: Path) -> None:
    """``Provider().search()`` runs ``Provider.search``, whatever subclasses the project defines
    (prefect's handler built ``EventsPipeline()``, and a test fixture's subclass overrode its
    method); an instance an annotation declares may be of any subclass, so it reaches them."""
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "views.py": routes(
            "class Holder:\n    def __init__(self):\n        self.web = WebProvider()\n\n"
            "    def find(self):\n        return self.web.search('x')\n\n\n"
            "def declared(p: Provider):\n    return p.search('x')\n\n\n"
            "@app.route('/made')\ndef made():\n    made = Provider()\n    Holder().find()\n"
            "    return made.search('x')\n\n\n"
            "@app.route('/declared')\ndef dec():\n    return declared(None)\n",
        ),
    })
    assert chain(root, "Provider.search") == f"{handler(root, 'made')} via Provider.search()"
    assert chain(root, "WebProvider.search") == f"{handler(root, 'made')} via Holder.find() -> WebProvider.search()"
    assert chain(root, "FileProvider.search") == f"{handler(root, 'dec')} via declared() -> FileProvider.search()"
    assert chain(root, "Other.search") == ""


def test_names_that_go_round_and_comprehension_variables_named_like_functions(tmp_path: Path) -> None:
    """``self.node = self.node[0]`` is followed a bounded number of times (it once recursed without
    end on Django); a comprehension's ``receiver`` is not the module's function ``receiver``."""
    root = project(tmp_path, {
        "views.py": routes(
            "import subprocess\n\n\n"
            "def receiver():\n    return subprocess.run(['true'])\n\n\n"
            "class Tree:\n    node = None\n\n"
            "    def down(self):\n        self.node = self.node[0]\n        return self.node.fetch()\n\n\n"
            "@app.route('/')\nasync def home(receivers):\n"
            "    Tree().down()\n"
            "    return [receiver() for receiver in receivers]\n",
            "",
        ),
    })
    views = reach(root, "app/views.py")
    assert views.complete
    assert where(views, "Tree.down") == "handler 'home' via Tree.down()"
    assert where(views, "receiver") is None


def test_cls_in_a_classmethod_is_the_class_named_or_a_subclass(tmp_path: Path) -> None:
    """``cls(...)`` makes an instance (its ``__init__`` runs, not ``__call__``). Called on a class
    the code names (``Judge.load()``, ``Lenient.load()``), ``cls`` is that very class, so ``cls.m()``
    runs the method it resolves to (mage-ai's ``S3Config.load()`` never ran ``EcsConfig``'s hook);
    called on a class that may be any subclass (``kind: Type[Judge]``), it reaches the overrides."""
    root = project(tmp_path, {
        "judges.py": (
            "import subprocess\n\n\n"
            "class Judge:\n"
            "    def __init__(self):\n        self.ready = False\n\n"
            "    def __call__(self):\n        return subprocess.run(['judge'])\n\n"
            "    @classmethod\n    def load(cls):\n        cls.check()\n        return cls()\n\n"
            "    @classmethod\n    def check(cls):\n        return True\n\n"
            "    def score(self):\n        return 1\n\n\n"
            "class Strict(Judge):\n"
            "    @classmethod\n    def check(cls):\n        return subprocess.run(['strict'])\n\n"
            "    def score(self):\n        return 2\n\n\n"
            "class Lenient(Judge):\n    pass\n"
        ),
        "views.py": routes(
            "@app.route('/')\ndef home():\n    return Judge.load().score()\n\n\n"
            "@app.route('/lenient')\ndef lenient():\n    return Lenient.load()\n\n\n"
            "@app.route('/strict')\ndef strict():\n    return Strict.load()\n",
            "from .judges import Judge, Lenient, Strict\n",
        ),
    })
    module = "app/judges.py"
    assert chain(root, "Judge.__init__", module) == f"{handler(root, 'home')} via Judge.load() -> Judge.__init__()"
    assert chain(root, "Judge.check", module) == f"{handler(root, 'home')} via Judge.load() -> Judge.check()"
    assert chain(root, "Strict.check", module) == f"{handler(root, 'strict')} via Judge.load() -> Strict.check()"
    assert chain(root, "Judge.__call__", module) == ""
    rewrite_views(
        root,
        "from typing import Type\n\n\n"
        "@app.route('/any')\ndef any_judge(kind: Type[Judge]):\n    return kind.load()\n",
        "from .judges import Judge\n",
    )
    assert chain(root, "Strict.check", module) == f"{handler(root, 'any_judge')} via Judge.load() -> Strict.check()"


def test_a_method_of_an_instance_the_code_made_runs_on_that_class(tmp_path: Path) -> None:
    """A base class's ``__init__`` or method that calls ``self.start()`` runs the ``start`` of the
    class the code made (FiftyOne's ``DatabaseService()`` never ran ``ServerService.start``), also
    through an attribute; an instance declared by an annotation may be of any subclass."""
    root = project(tmp_path, {
        "services.py": (
            "import subprocess\n\n\n"
            "class Service:\n"
            "    def __init__(self):\n        self.start()\n\n"
            "    def start(self):\n        return None\n\n"
            "    def restart(self):\n        return self.start()\n\n\n"
            "class ServerService(Service):\n"
            "    def start(self):\n        return subprocess.run(['server'])\n\n\n"
            "class DatabaseService(Service):\n"
            "    def start(self):\n        return subprocess.run(['mongod'])\n\n\n"
            "class Holder:\n"
            "    def __init__(self):\n        self.db = DatabaseService()\n\n"
            "    def again(self):\n        return self.db.restart()\n"
        ),
        "views.py": routes(
            "@app.route('/db')\ndef db():\n    return DatabaseService()\n\n\n"
            "@app.route('/held')\ndef held():\n    holder = Holder()\n    return holder.again()\n",
            "from .services import DatabaseService, Holder\n",
        ),
    })
    module = "app/services.py"
    assert chain(root, "DatabaseService.start", module) == (
        f"{handler(root, 'db')} via Service.__init__() -> DatabaseService.start()"
    )
    assert chain(root, "ServerService.start", module) == ""
    assert chain(root, "Service.restart", module) == f"{handler(root, 'held')} via Holder.again() -> Service.restart()"
    rewrite_views(
        root,
        "@app.route('/declared')\ndef declared(service: Service):\n    return service.restart()\n",
        "from .services import Service\n",
    )
    assert chain(root, "ServerService.start", module) == (
        f"{handler(root, 'declared')} via Service.restart() -> ServerService.start()"
    )
    # one of the values may be of any subclass: that reading stands beside the made instance's
    rewrite_views(
        root,
        "@app.route('/either')\ndef either(flag, other: Service):\n"
        "    service = DatabaseService() if flag else other\n    return service.restart()\n",
        "from .services import DatabaseService, Service\n",
    )
    assert chain(root, "ServerService.start", module) == (
        f"{handler(root, 'either')} via Service.restart() -> ServerService.start()"
    )


def test_a_literal_flag_rules_out_the_branch_it_turns_off(tmp_path: Path) -> None:
    """``Judge(defer=True)`` never runs what ``__init__`` does under ``if not defer:`` (mlflow's
    deferred judge), ``server.wait_up(http=True)`` never the TCP wait in its ``else`` (jupyterhub);
    a caller passing nothing, or a value that is not a literal, may run either."""
    root = project(tmp_path, {
        "work.py": (
            "import subprocess\n\n\n"
            "def load():\n    return subprocess.run(['load'])\n\n\n"
            "def tcp_wait():\n    return subprocess.run(['nc'])\n\n\n"
            "def http_wait():\n    return subprocess.run(['curl'])\n\n\n"
            "def rebound_work():\n    return subprocess.run(['x'])\n\n\n"
            "class Judge:\n"
            "    def __init__(self, defer=False):\n        if not defer:\n            load()\n\n\n"
            "def wait_up(http=False):\n    if http:\n        return http_wait()\n    else:\n"
            "        return tcp_wait()\n\n\n"
            "def rebound(flag=False):\n    flag = flag and check()\n    if not flag:\n        return rebound_work()\n"
            "    return None\n\n\n"
            "def check():\n    return False\n"
        ),
        "views.py": routes(
            "@app.route('/deferred')\ndef deferred():\n    Judge(defer=True)\n    return wait_up(http=True)\n\n\n"
            "@app.route('/rebound')\ndef rebinding():\n    return rebound(flag=True)\n",
            "from .work import Judge, wait_up, rebound\n",
        ),
    })
    module = "app/work.py"
    assert chain(root, "http_wait", module) == f"{handler(root, 'deferred')} via wait_up() -> http_wait()"
    assert chain(root, "tcp_wait", module) == ""
    assert chain(root, "load", module) == ""
    # the parameter is rebound before its test: the literal says nothing of it
    assert chain(root, "rebound_work", module) == f"{handler(root, 'rebinding')} via rebound() -> rebound_work()"
    rewrite_views(
        root,
        "@app.route('/both')\ndef both(flag):\n    Judge()\n    return wait_up(http=flag)\n",
        "from .work import Judge, wait_up\n",
    )
    assert chain(root, "tcp_wait", module) == f"{handler(root, 'both')} via wait_up() -> tcp_wait()"
    assert chain(root, "load", module) == f"{handler(root, 'both')} via Judge.__init__() -> load()"


def test_a_flag_relayed_to_a_callee_rules_out_its_branch_there(tmp_path: Path) -> None:
    """``dag.validate(skip_workdir=True)`` relays the flag to ``task.validate(skip_workdir=skip_workdir)``,
    which never runs what it does under ``if not skip_workdir:`` (skypilot's /validate); the default of
    the relaying function is relayed too; a relayed parameter the relaying function rebinds says nothing."""
    root = project(tmp_path, {
        "work.py": (
            "import subprocess\n\n\n"
            "def check_workdir():\n    return subprocess.run(['git', 'rev-parse'])\n\n\n"
            "def check_mounts():\n    return subprocess.run(['ls'])\n\n\n"
            "def check_rebound():\n    return subprocess.run(['x'])\n\n\n"
            "class Task:\n"
            "    def validate(self, skip_workdir=False, skip_mounts=False, skip_rebound=False):\n"
            "        if not skip_workdir:\n            check_workdir()\n"
            "        if not skip_mounts:\n            check_mounts()\n"
            "        if not skip_rebound:\n            check_rebound()\n\n\n"
            "class Dag:\n"
            "    def __init__(self):\n        self.tasks = [Task()]\n\n"
            "    def validate(self, skip_workdir=False, skip_mounts=True, skip_rebound=False):\n"
            "        skip_rebound = skip_rebound or False\n"
            "        for task in self.tasks:\n"
            "            task.validate(skip_workdir=skip_workdir, skip_mounts=skip_mounts, skip_rebound=skip_rebound)\n"
        ),
        "views.py": routes(
            "@app.route('/validate')\ndef validate():\n"
            "    return Dag().validate(skip_workdir=True, skip_rebound=True)\n",
            "from .work import Dag\n",
        ),
    })
    module = "app/work.py"
    assert chain(root, "check_workdir", module) == ""
    assert chain(root, "check_mounts", module) == ""  # Dag.validate's default relayed
    assert chain(root, "check_rebound", module) == (
        f"{handler(root, 'validate')} via Dag.validate() -> Task.validate() -> check_rebound()"
    )
    rewrite_views(root, "@app.route('/full')\ndef full():\n    return Dag().validate()\n", "from .work import Dag\n")
    assert chain(root, "check_workdir", module) == (
        f"{handler(root, 'full')} via Dag.validate() -> Task.validate() -> check_workdir()"
    )


def test_the_loop_runs_sync_functions_in_place_only_so_deep(tmp_path: Path) -> None:
    """An async handler runs on the loop what it calls in place, sync functions too, but only
    ``MAX_LOOP_SYNC_DEPTH`` sync calls down: deeper chains were mostly ruled out by values or by
    receivers the reach cannot see (feast, aim). The chain restarts below each async function."""
    from flake8_handler_block.project.graph import MAX_LOOP_SYNC_DEPTH

    depth = MAX_LOOP_SYNC_DEPTH
    sync = "".join(f"def s{n}():\n    return s{n + 1}()\n\n\n" for n in range(1, depth + 1))
    root = project(tmp_path, {
        "work.py": (
            "import asyncio\n\n\n" + sync
            + f"def s{depth + 1}():\n    return None\n\n\n"
            + "async def again():\n    return s1()\n"
        ),
        "views.py": routes(
            "@app.route('/deep')\nasync def deep():\n    return s1()\n\n\n"
            "@app.route('/again')\nasync def nested():\n    await again()\n",
            "from .work import s1, again\n",
        ),
    })
    work = reach(root, "app/work.py")
    assert loop_where(work, f"s{depth}") is not None
    assert loop_where(work, f"s{depth + 1}") is None
    assert where(work, f"s{depth + 1}") is not None  # still reached: HB204/HB205 look there
    assert loop_where(work, "again") is not None


def test_a_factory_that_picks_one_of_many_subclasses_reaches_each(tmp_path: Path) -> None:
    """``Provider(kind).cast()`` returning one of a dozen subclasses (letta's provider check, a
    ``match``): the call on its result reaches each subclass's override, not nothing."""
    kinds = [f"Kind{n}" for n in range(12)]
    ping = "subprocess.run(['ping', 'db'])"
    classes = "".join(
        f"class {name}(Base):\n    def check(self):\n        return {ping if n == 7 else 'True'}\n\n\n"
        for n, name in enumerate(kinds)
    )
    cases = "".join(f"        if self.kind == '{name}':\n            return {name}()\n" for name in kinds)
    root = project(tmp_path, {
        "providers.py": (
            "import subprocess\n\n\nclass Base:\n    kind = ''\n\n"
            "    def check(self):\n        raise NotImplementedError\n\n"
            "    def cast(self):\n" + cases
            + "        raise ValueError(self.kind)\n\n\n" + classes
        ),
        "views.py": routes(
            "@app.route('/check')\ndef check_kind():\n    return Base().cast().check()\n",
            "from .providers import Base\n",
        ),
    })
    assert chain(root, "Kind7.check") == f"{handler(root, 'check_kind')} via Kind7.check()"


@pytest.mark.parametrize("annotation, reached", [
    ("WebProvider | FileProvider", ["WebProvider.search", "FileProvider.search"]),
    ("Optional[Union[WebProvider, FileProvider]]", ["WebProvider.search", "FileProvider.search"]),
    ("'WebProvider | None'", ["WebProvider.search"]),
    ("WebProvider | str", []),  # one side unknown: nothing is known
])
def test_a_union_annotation_declares_one_of_its_classes(tmp_path: Path, annotation: str, reached: List[str]) -> None:
    """A provider chosen by configuration (r2r's ``file: PostgresFileProvider | S3FileProvider`` on a
    pydantic model): a call on it reaches each class's method."""
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "views.py": routes(
            f"class Providers:\n    file: {annotation}\n\n\n"
            "def use(providers: Providers):\n    return providers.file.search('x')\n\n\n"
            "@app.route('/use')\ndef used():\n    return use(Providers())\n",
            "from typing import Optional, Union\n\nfrom .providers import FileProvider, WebProvider\n",
        ),
    })
    for qualname in ("WebProvider.search", "FileProvider.search", "Other.search"):
        expected = f"{handler(root, 'used')} via use() -> {qualname}()" if qualname in reached else ""
        assert chain(root, qualname) == expected


def test_an_attribute_rebound_in_a_tuple_assignment_keeps_its_class(tmp_path: Path) -> None:
    """``self.provider, self.count = WebProvider(), 0`` and ``old, self.provider = self.provider, None``
    bind item by item (LightRAG's Milvus storage swaps its client so); ``self.spare, self.other =
    pair()`` binds nothing known."""
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "store.py": (
            "from .providers import WebProvider, FileProvider\n\n\n"
            "class Store:\n    def __init__(self, pair):\n        self.provider, self.count = WebProvider(), 0\n"
            "        self.spare, self.other = pair()\n\n"
            "    def reset(self):\n        old, self.provider = self.provider, None\n"
            "        old.close()\n\n\n"
            "STORE = Store(lambda: (FileProvider(), FileProvider()))\n"
        ),
        "views.py": routes(
            "@app.route('/a')\ndef a():\n    return STORE.provider.search('x')\n\n\n"
            "@app.route('/b')\ndef b():\n    return STORE.spare.search('x')\n",
            "from .store import STORE\n",
        ),
    })
    assert chain(root, "WebProvider.search") == f"{handler(root, 'a')} via WebProvider.search()"
    assert chain(root, "FileProvider.search") == ""


MODELS = '''\
import subprocess


class Model:
    @classmethod
    def load(cls, **data):
        model = cls(**data)
        return model

    def with_name(self, name):
        self.name = name
        return self


class Hook(Model):
    def run(self):
        return "ran"


class Remote(Model):
    def run(self):
        return subprocess.run(["git", "fetch"])  # expect: HB204 "handler 'sync'" "via Remote.run()"
'''

HOOK_VIEWS = '''\
from flask import Flask

from .models import Hook, Remote

app = Flask(__name__)


@app.post("/hooks")
def hooks():
    hook = Hook.load(name="after")
    return hook.run() + Hook().with_name("x").run()  # runs Hook.run, not every Model's run()


@app.post("/sync")
def sync():
    return Remote.load().run()
'''


def test_a_classmethod_building_cls_builds_the_class_it_is_called_on(tmp_path: Path) -> None:
    """``Hook.load()`` with ``load`` on the base returning ``cls(...)``: a Hook, not any Model
    (mage-ai's global hooks reached every model's ``run()``); a builder returning ``self``
    likewise. The class it is called on still counts (``Remote.load().run()``)."""
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/views.py": HOOK_VIEWS}
    markers_hold(tmp_path, files, "app/models.py")


@pytest.mark.parametrize("annotation, reached", [
    ("Provider", True),
    ("Union[Provider, Callable]", True),  # may be a Provider: the union keeps its kind
    ("Optional[WebProvider]", True),
    ("Dict[str, Callable]", False),  # a container of callables declares no kind: what callers pass
])
def test_an_annotated_parameter_keeps_the_kinds_it_names(tmp_path: Path, annotation: str, reached: bool) -> None:
    root = project(tmp_path, {
        "providers.py": PROVIDERS,
        "views.py": routes(
            "from typing import Callable, Dict, Optional, Union\n\n\n"
            f"def run(source: {annotation}, q):\n    return source.search(q)\n\n\n"
            "@app.route('/search')\ndef search(q):\n    return run(make(), q)\n"
        ),
    })
    found = chain(root, "WebProvider.search")
    assert found.startswith(handler(root, "search")) if reached else found == ""
