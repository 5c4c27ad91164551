"""Where a project gives ``requests`` a default timeout (HB201), read with ``ast``.

requests has none of its own; a project adds one in a few known ways:

* an ``HTTPAdapter`` subclass whose ``send()`` fills the timeout in, mounted on a session
  (``s.mount("https://", TimeoutAdapter())``): that session's calls have one;
* a ``Session`` subclass whose ``request()`` fills it in: its instances' calls have one;
* a patch of requests itself (``requests.Session.request = ...``,
  ``requests.adapters.HTTPAdapter.send = ...``): every requests call of the process has one.

``Session.request()`` always hands ``timeout`` to ``send()``, as None when the caller gave
none. A ``send()`` that only *fills* a missing key (``kwargs.setdefault("timeout", X)``,
``functools.partial(send, timeout=X)``) therefore changes nothing for ``get()``/``post()``/
``request()``; only a direct ``session.send(prepared)`` gets it. A ``send()`` that *sets* a
value when it is None (``kwargs["timeout"] = kwargs.get("timeout") or X``,
``if timeout is None: timeout = X``) covers both. So every fact says which entry points it
covers: :data:`REQUEST` (the module functions, the verbs, ``request()``) and :data:`SEND`
(``Session.send()`` called directly).

A module's facts are data (cached with its summary); :class:`ModuleTimeouts` answers a rule's
questions from them and, through :class:`ProjectTimeouts`, from the rest of the project.
"""

from __future__ import annotations

import ast
import os
import re
from collections import deque
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING, Callable, Deque, Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple, Union,
)

from ..catalog import (
    DJANGO_BUILTIN_BACKENDS, DJANGO_EMAIL_BACKEND, DJANGO_EMAIL_HOST, DJANGO_EMAIL_TIMEOUT, DJANGO_RECIPIENT_SETTINGS,
    DJANGO_SMTP_BACKEND, DJANGO_SMTP_BACKENDS, KUBERNETES_CLIENT_BASES, KUBERNETES_PACKAGE, PYTHON_LDAP_TIMEOUT_OPTION,
    canonical,
)
from ..config import Config
from .astnames import dotted_parts, own_nodes
from .root import marks_root
from .tooling import is_tooling_path

if TYPE_CHECKING:  # pragma: no cover
    from .cache import Light
    from .summary import ModuleSummary
    from .tree import ProjectTree

REQUEST, SEND = "request", "send"  # entry points: through Session.request(), or Session.send() directly
SETS, FILLS = "sets", "fills"  # a value when the timeout is None, or only when the key is missing

# Text that may patch requests or a session (`.request =`, `.send =`): the files worth a summary.
PATCH_HINT = re.compile(r"\.(?:request|send)\s*=(?!=)")
# Text that may name Django's mail settings (EMAIL_TIMEOUT, EMAIL_HOST, EMAIL_BACKEND): the files worth a
# look (email_timeout_named, mail_settings_named).
MAIL_SETTINGS_HINT = "EMAIL_"
# Text that may give every socket a default timeout: the files worth a look (sets_socket_default).
SOCKET_DEFAULT_HINT = "setdefaulttimeout"
# Text that may give python-ldap's connections an API timeout (ldap_timeout_set).
LDAP_TIMEOUT_HINT = PYTHON_LDAP_TIMEOUT_OPTION
_SETTING_STRING = re.compile(r"\w*" + DJANGO_EMAIL_TIMEOUT)
_SMTP_BACKEND_NAME = DJANGO_SMTP_BACKEND.rsplit(".", 1)[-1]
# A mail host that is this machine: its MTA answers at once (and refuses when there is none).
_LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})
# requests' own classes: they give no default.
_REQUESTS_CLASSES = frozenset({"requests.Session", "requests.adapters.HTTPAdapter", "requests.adapters.BaseAdapter"})
# What a patch of requests itself replaces -> the entry point the replaced method serves.
_PATCHED_METHODS = {
    "requests.Session.request": REQUEST,
    "requests.Session.send": SEND,
    "requests.adapters.HTTPAdapter.send": SEND,
}
_PARTIALS = frozenset({"functools.partial", "functools.partialmethod", "partial", "partialmethod"})
_MAX_DEPTH = 8


def covers(kind: str, method: str) -> FrozenSet[str]:
    """The entry points a ``request()`` or ``send()`` (``method``) of that ``kind`` gives a timeout."""
    if not kind:
        return frozenset()
    if method == REQUEST:
        return frozenset({REQUEST})
    return frozenset({REQUEST, SEND}) if kind == SETS else frozenset({SEND})


@dataclass(frozen=True)
class ClassTimeouts:
    qualname: str
    covers: Tuple[str, ...]  # the entry points its own request()/send() give a timeout
    bases: Tuple[str, ...]  # dotted, the module's own classes as <module>.<qualname>; "?" when unknown


@dataclass(frozen=True)
class RequestsTimeouts:
    """One module's facts; empty for a module that does not import requests."""

    patched: Tuple[str, ...] = ()  # entry points its patch of requests itself covers (the whole process)
    classes: Tuple[ClassTimeouts, ...] = ()  # classes with request()/send() or with bases
    functions: Tuple[Tuple[str, str], ...] = ()  # (qualname, SETS or FILLS): functions that give a timeout

    def cls(self, qualname: str) -> Optional[ClassTimeouts]:
        for found in self.classes:
            if found.qualname == qualname:
                return found
        return None

    def function(self, qualname: str) -> str:
        for name, kind in self.functions:
            if name == qualname:
                return kind
        return ""


NONE = RequestsTimeouts()


# -- one module ----------------------------------------------------------------------

_Def = Tuple[str, ast.AST]  # (qualname, ClassDef / FunctionDef / AsyncFunctionDef)


def scan(tree: ast.Module, module: str, is_package: bool = False,
         source: Union[str, bytes, None] = None) -> RequestsTimeouts:
    """The facts of one parsed module (``module`` "" when it has no name: its classes are then
    named by qualname alone). ``source``: the text ``tree`` was parsed from, if at hand: a
    function whose lines never spell "timeout" is then not walked for one."""
    if not _imports_requests(tree.body):
        return NONE
    return _Scan(tree, module, is_package, source).run()


def _imports_requests(body: Sequence[ast.stmt]) -> bool:
    for stmt in body:
        if type(stmt) is ast.Import and any(a.name.split(".")[0] == "requests" for a in stmt.names):
            return True
        if type(stmt) is ast.ImportFrom and (stmt.module or "").split(".")[0] == "requests" and not stmt.level:
            return True
        if isinstance(stmt, (ast.If, ast.Try)) and _imports_requests(
            [*stmt.body, *stmt.orelse, *[s for h in getattr(stmt, "handlers", []) for s in h.body]]
        ):
            return True
    return False


class _Scan:
    def __init__(self, tree: ast.Module, module: str, is_package: bool, source: Union[str, bytes, None]) -> None:
        self.tree = tree
        if isinstance(source, bytes):
            source = source.decode("utf-8", "replace")
        self.lines = source.splitlines() if source is not None else None
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.imports: Dict[str, str] = {}
        self.defs: List[_Def] = list(_defs(tree.body, ""))
        self.top = {name for name, node in self.defs if "." not in name}
        self.kinds: Dict[str, str] = {}

    def run(self) -> RequestsTimeouts:
        for node in _statement_nodes(self.tree):
            if type(node) is ast.Import or type(node) is ast.ImportFrom:
                self._import(node)
        for qualname, node in self.defs:
            if type(node) is not ast.ClassDef and self._may_spell_timeout(node):
                kind = _fill_kind(node)
                if kind:
                    self.kinds[qualname] = kind
        classes = [found for found in map(self._class, self.defs) if found is not None]
        patched: Set[str] = set()
        # module-level code and each function's own code (a patch applied by `def install(): ...`)
        bodies = [("", self.tree.body)] + [
            (f"{qualname}.<locals>.", node.body)
            for qualname, node in self.defs if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        for prefix, body in bodies:
            for stmt in _statements(body):
                if isinstance(stmt, ast.Assign):
                    patched |= self._patch(stmt, prefix)
        return RequestsTimeouts(tuple(sorted(patched)), tuple(classes), tuple(sorted(self.kinds.items())))

    def _may_spell_timeout(self, node: ast.AST) -> bool:
        """``_fill_kind`` looks for the word "timeout" (a name, a key, a keyword) in the function."""
        lines = self.lines
        first, last = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        if lines is None or first is None or last is None:
            return True
        return any("timeout" in line for line in lines[first - 1:last])

    def _import(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.imports[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = self.package.split(".") if self.package else []
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                if alias.name != "*":
                    self.imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name

    def _local(self, qualname: str) -> str:
        return f"{self.module}.{qualname}" if self.module else qualname

    def dotted(self, expr: ast.AST) -> str:
        """What a name or attribute chain names, through imports and the module's own
        top-level definitions; '' when unknown."""
        parts = dotted_parts(expr)
        if parts is None:
            return ""
        name, rest = parts[0], parts[1:]
        if name in self.imports:
            head = self.imports[name]
        elif name in self.top:
            head = self._local(name)
        else:
            return ""
        return canonical(".".join([head, *rest]))

    def _class(self, item: _Def) -> Optional[ClassTimeouts]:
        qualname, node = item
        if type(node) is not ast.ClassDef:
            return None
        found: Set[str] = set()
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in (REQUEST, SEND):
                found |= covers(self.kinds.get(f"{qualname}.{stmt.name}", ""), stmt.name)
        bases = tuple(self.dotted(base) or "?" for base in node.bases if not _is_object(base))
        if not found and not bases:
            return None
        return ClassTimeouts(qualname, tuple(sorted(found)), bases)

    def _patch(self, node: ast.Assign, prefix: str) -> Set[str]:
        """``requests.Session.request = partialmethod(..., timeout=5)``, ``HTTPAdapter.send = send_with_timeout``
        (``prefix``: the qualname prefix of the functions defined where the assignment is)."""
        found: Set[str] = set()
        for target in node.targets:
            if type(target) is not ast.Attribute or target.attr not in (REQUEST, SEND):
                continue
            entry = _PATCHED_METHODS.get(f"{self.dotted(target.value)}.{target.attr}")
            if entry is not None:
                found |= covers(self.value_kind(node.value, prefix), target.attr)
        return found

    def value_kind(self, value: ast.expr, prefix: str = "") -> str:
        """How a replacement for request()/send() gives a timeout: a ``partial`` with one, a
        lambda passing one, a function of the module that gives one (or returns one that does)."""
        if type(value) is ast.Lambda:
            return _fill_kind(value)
        if type(value) is ast.Call:
            func = value.func
            if self.dotted(func) in _PARTIALS:
                return FILLS if any(_gives(k.value, ()) for k in value.keywords if k.arg == "timeout") else ""
            value = func  # a wrapper factory: `with_timeout(Session.request)` gives what it returns
        if type(value) is ast.Name:
            local = f"{prefix}{value.id}"
            if prefix and local in self.kinds:
                return self.kinds[local]  # a function defined next to the patch
            return self.kinds.get(value.id, "") if value.id in self.top else ""
        return ""


_STATEMENT_HOLDERS = (ast.stmt, ast.excepthandler, *((ast.match_case,) if hasattr(ast, "match_case") else ()))


def _statement_nodes(tree: ast.Module) -> Iterator[ast.AST]:
    """The statements ``ast.walk(tree)`` gives, in the same order (later imports of a name win),
    without walking into expressions, which hold none."""
    todo: Deque[ast.AST] = deque([tree])
    while todo:
        node = todo.popleft()
        todo.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, _STATEMENT_HOLDERS))
        yield node


def _statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a body, inside if/for/while/try/with too, but not in nested defs."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                yield from _statements(inner)
        for handler in getattr(stmt, "handlers", None) or ():
            yield from _statements(handler.body)


def _defs(body: Sequence[ast.stmt], prefix: str) -> Iterator[_Def]:
    """Classes and functions with their qualnames, in if/try/with blocks too."""
    for stmt in body:
        kind = type(stmt)
        if kind is ast.ClassDef:
            qualname = prefix + stmt.name  # type: ignore[attr-defined]
            yield qualname, stmt
            yield from _defs(stmt.body, f"{qualname}.")  # type: ignore[attr-defined]
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            qualname = prefix + stmt.name  # type: ignore[attr-defined]
            yield qualname, stmt
            yield from _defs(stmt.body, f"{qualname}.<locals>.")  # type: ignore[attr-defined]
        else:
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list):
                    yield from _defs(inner, prefix)
            for handler in getattr(stmt, "handlers", None) or ():
                yield from _defs(handler.body, prefix)


def _is_object(expr: ast.expr) -> bool:
    return type(expr) is ast.Name and expr.id == "object"


def _params(node: ast.AST) -> Tuple[str, ...]:
    args = getattr(node, "args", None)
    if not isinstance(args, ast.arguments):
        return ()
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, *filter(None, (args.vararg, args.kwarg))]
    return tuple(a.arg for a in every)


def _fill_kind(node: ast.AST) -> str:
    """Does this function (or lambda) give a missing timeout a value? SETS: it sets one when
    the timeout is None; FILLS: only when the key is missing; '' otherwise. Nested functions
    count (a wrapper factory returns the function that does it)."""
    params = _params(node)
    found = ""
    for inner in ast.walk(node):
        kind = type(inner)
        if kind is ast.Assign or kind is ast.AnnAssign:
            value = inner.value  # type: ignore[attr-defined]
            targets = inner.targets if kind is ast.Assign else [inner.target]  # type: ignore[attr-defined]
            if value is not None and any(_names_timeout(t) for t in targets) and _gives(value, params):
                return SETS
        elif kind is ast.Call:
            call: ast.Call = inner  # type: ignore[assignment]
            func = call.func
            method = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else ""
            if method == "setdefault" and len(call.args) == 2 and _is_timeout_key(call.args[0]):
                if _gives(call.args[1], params):
                    found = FILLS
            elif method == "update" and _update_gives(call, params):
                return SETS
            elif any(k.arg == "timeout" and _gives(k.value, params) for k in call.keywords):
                if method in ("partial", "partialmethod"):
                    found = FILLS
                elif method in (REQUEST, SEND) or type(func) is ast.Name:
                    return SETS  # super().send(request, timeout=self.timeout), original(*a, timeout=5, **kw)
    return found


def _names_timeout(target: ast.expr) -> bool:
    """``timeout = ...`` or ``kwargs["timeout"] = ...``."""
    if type(target) is ast.Name:
        return target.id == "timeout"
    return type(target) is ast.Subscript and _is_timeout_key(_slice(target))


def _slice(node: ast.Subscript) -> ast.AST:
    inner = node.slice
    return getattr(inner, "value", inner) if type(inner).__name__ == "Index" else inner  # Python 3.8 AST


def _is_timeout_key(expr: ast.AST) -> bool:
    return type(expr) is ast.Constant and expr.value == "timeout"


def _update_gives(call: ast.Call, params: Tuple[str, ...]) -> bool:
    """``kwargs.update(timeout=X)`` or ``kwargs.update({"timeout": X})``."""
    if any(k.arg == "timeout" and _gives(k.value, params) for k in call.keywords):
        return True
    for arg in call.args:
        if type(arg) is ast.Dict:
            for key, value in zip(arg.keys, arg.values):
                if key is not None and _is_timeout_key(key) and _gives(value, params):
                    return True
    return False


def _gives(value: ast.expr, params: Tuple[str, ...]) -> bool:
    """A value that may be a real timeout, not the caller's passed through: not None, not a
    parameter as it came, not ``kwargs.get("timeout")``/``kwargs["timeout"]`` without a default."""
    kind = type(value)
    if kind is ast.Constant:
        return value.value is not None  # type: ignore[attr-defined]
    if kind is ast.Name:
        return value.id not in params and value.id != "timeout"  # type: ignore[attr-defined]
    if kind is ast.Subscript:
        return not _is_timeout_key(_slice(value))  # type: ignore[arg-type]
    if kind is ast.Call:
        call: ast.Call = value  # type: ignore[assignment]
        getter = isinstance(call.func, ast.Attribute) and call.func.attr in ("get", "pop")
        if getter and call.args and _is_timeout_key(call.args[0]):  # kwargs.pop("timeout", 5)
            default = call.args[1] if len(call.args) > 1 else None
            return default is not None and _gives(default, params)
        return True
    return True


# -- across modules ------------------------------------------------------------------

# dotted name of a class or function -> (facts of the module defining it, its qualname there)
Finder = Callable[[str], Optional[Tuple[RequestsTimeouts, str]]]


def class_covers(dotted: str, find: Finder, depth: int = 0) -> Optional[FrozenSet[str]]:
    """The entry points instances of the class named ``dotted`` give a timeout (its own
    request()/send() and what it inherits); None when something on the way is unknown."""
    if dotted in _REQUESTS_CLASSES:
        return frozenset()
    found = find(dotted) if depth < _MAX_DEPTH and dotted and dotted != "?" else None
    entry = found[0].cls(found[1]) if found is not None else None
    if entry is None:
        return None
    result = set(entry.covers)
    for base in entry.bases:
        inherited = class_covers(base, find, depth + 1)
        if inherited is None:
            return frozenset(result) if result >= {REQUEST, SEND} else None
        result |= inherited
    return frozenset(result)


class ProjectTimeouts:
    """The project's answers, from the summaries of its modules (built on first use)."""

    def __init__(self, tree: Optional["ProjectTree"], config: Config) -> None:
        self.tree = tree
        self.config = config
        self._patched: Optional[FrozenSet[str]] = None
        self._email_timeout: Optional[bool] = None
        self._mail_named: Optional[FrozenSet[str]] = None
        self._package_answers: Dict[Tuple[str, str], bool] = {}  # (what, top-level package) -> set there
        self._subclasses: Dict[Tuple[str, FrozenSet[str]], bool] = {}  # (class, bases) -> derives_from
        self._kubernetes_subclassed: Optional[bool] = None

    def patched(self) -> FrozenSet[str]:
        """Entry points a patch of requests in some module of the project covers (tooling
        aside: a test suite's conftest patches only the tests)."""
        if self._patched is None:
            self._patched = frozenset()
            try:
                self._patched = self._find_patches()
            except Exception:  # out of time, an unreadable tree: nothing is known to be patched
                pass
        return self._patched

    def _find_patches(self) -> FrozenSet[str]:
        found: Set[str] = set()
        if self.tree is None:
            return frozenset()
        for path in self._hinted(lambda light: light.patches, tooling=False):
            summary = self.tree.summary(path)
            if summary is not None:
                found.update(summary.requests_timeouts.patched)
        return frozenset(found)

    def email_timeout_set(self) -> bool:
        """Some module of the project (tooling too: a doubt is enough) names Django's ``EMAIL_TIMEOUT``,
        or the project cannot be read: the SMTP backends may get a timeout from the settings."""
        if self._email_timeout is None:
            self._email_timeout = True
            try:
                self._email_timeout = self._names_email_timeout()
            except Exception:  # out of time, an unreadable tree: taken to set one
                pass
        return self._email_timeout

    def settings_send_smtp(self) -> bool:
        """The project's settings send mail through Django's SMTP backend: a module (tooling and tests
        aside) names a mail server (``EMAIL_HOST = env("SMTP_HOST")``, not this machine), and every
        ``EMAIL_BACKEND`` the project assigns is one of Django's own backends written out (the console
        one of a development branch beside it: the server is for production). False on any doubt: a
        backend of a library or given by a variable, settings that cannot be read."""
        return DJANGO_EMAIL_HOST in self._mail_settings()

    def settings_name(self, setting: str) -> bool:
        """A module with mail settings (``settings_send_smtp``) gives ``setting`` (``ADMINS``) a value
        that may not be empty: ``mail_admins()`` sends nothing while it is."""
        return setting in self._mail_settings()

    def _mail_settings(self) -> FrozenSet[str]:
        if self._mail_named is None:
            self._mail_named = frozenset()
            try:
                self._mail_named = self._named_mail_settings()
            except Exception:  # out of time, an unreadable tree: not known to use SMTP
                pass
        return self._mail_named

    def _named_mail_settings(self) -> FrozenSet[str]:
        if self.tree is None:
            return frozenset()
        named: Set[str] = set()
        for path in self._hinted(lambda light: light.mail_settings, tooling=False):
            text = self.tree.text(path)
            found = mail_settings_named(text) if text is not None else None
            if found is None:
                return frozenset()
            named |= found
        return frozenset(named)

    def socket_default_set(self, path: str) -> bool:
        """Some module of the top-level package holding ``path`` (tooling and tests aside: their
        default is theirs) gives every socket of the process a default timeout for good
        (``sets_socket_default``): the standard library's clients of that package then never
        wait forever. One package, one program: scripts or sample apps side by side share no
        process, and a module outside any package (no ``__init__.py``) only speaks for itself."""
        return self._package_sets(path, SOCKET_DEFAULT_HINT, lambda light: light.socket_default, sets_socket_default)

    def ldap_timeout_set(self, path: str) -> bool:
        """Some module of the top-level package holding ``path`` (tooling and tests aside) names
        python-ldap's ``OPT_TIMEOUT`` (``ldap.set_option(ldap.OPT_TIMEOUT, 10)`` at start-up,
        django-auth-ldap's ``AUTH_LDAP_GLOBAL_OPTIONS``): it may bound every synchronous call of
        the process's connections. A doubt is enough; the same package rule as sockets."""
        return self._package_sets(path, LDAP_TIMEOUT_HINT, lambda light: light.ldap_timeout, None)

    def _package_sets(self, path: str, what: str, hint: Callable[["Light"], bool],
                      sets: Optional[Callable[[str], bool]]) -> bool:
        """Some module of the package holding ``path`` whose text scan gives ``hint`` and whose
        text ``sets`` it (the hint alone, with no ``sets``; tooling aside); False outside a
        package, or out of time."""
        package = self._package_of(path)
        if package is None:
            return False
        key = (what, package)
        if key not in self._package_answers:
            self._package_answers[key] = False
            try:
                self._package_answers[key] = self._sets_in_package(package, hint, sets)
            except Exception:  # out of time, an unreadable tree: nothing is known to be set
                pass
        return self._package_answers[key]

    def _package_of(self, path: str) -> Optional[str]:
        """The outermost directory above ``path`` that is a regular package (``__init__.py``;
        namespace directories may come between: ``app/jobs/notify.py`` in ``app``)."""
        if self.tree is None:
            return None
        found = None
        directory = path.rpartition("/")[0]
        while directory:
            if f"{directory}/__init__.py" in self.tree.files:
                found = directory
            directory = directory.rpartition("/")[0]
        return found

    def _sets_in_package(self, package: str, hint: Callable[["Light"], bool],
                         sets: Optional[Callable[[str], bool]]) -> bool:
        assert self.tree is not None
        for path in self._hinted(hint, tooling=False):
            if self._package_of(path) != package:
                continue
            if sets is None:
                return True  # the text scan's answer is the answer: nothing to read again
            text = self.tree.text(path)
            if text is not None and sets(text):
                return True
        return False

    def _names_email_timeout(self) -> bool:
        if self.tree is None:
            return True
        for path in self._hinted(lambda light: light.mail_settings, tooling=True):
            text = self.tree.text(path)
            if text is None or email_timeout_named(text):
                return True
        return False

    def _hinted(self, hint: Callable[["Light"], bool], tooling: bool) -> Iterator[str]:
        """The files whose text scan gives ``hint``, but not those of another program below the
        root (its own pyproject.toml...: only scanned along with this one), nor tooling unless
        ``tooling`` (or the configuration checks tooling)."""
        assert self.tree is not None
        for path, light in self.tree.light.items():
            if not hint(light) or _in_nested_project(self.tree.root, path):
                continue
            if not tooling and not self.config.check_tooling and is_tooling_path(path, self.config.tooling):
                continue
            yield path

    def kubernetes_client_subclassed(self) -> bool:
        """Some class of the project names kubernetes' ApiClient or REST client as a base, under an
        alias too (``class ApiClient(_BaseApiClient)``, in a file naming kubernetes): it may give every
        request a timeout (dstack's ``request()`` does). A doubt is enough; True when the tree cannot
        be read."""
        if self._kubernetes_subclassed is None:
            self._kubernetes_subclassed = True
            if self.tree is not None:
                tree = self.tree
                self._kubernetes_subclassed = any(
                    text is None or KUBERNETES_PACKAGE in text
                    for base in KUBERNETES_CLIENT_BASES for path in tree.with_base_naming(base)
                    for text in [tree.text(path)]
                )
        return self._kubernetes_subclassed

    def smtp_backend(self, dotted: str) -> bool:
        """Is ``dotted`` a class of the project deriving from Django's SMTP ``EmailBackend`` with no
        ``__init__`` of its own on the way (where a timeout could be given)? False when unknown. No
        class statement of the project naming the backend as a base: none derives from it."""
        return self.tree is not None and bool(self.tree.with_base(_SMTP_BACKEND_NAME)) and self.derives_from(
            dotted, DJANGO_SMTP_BACKENDS)

    def derives_from(self, dotted: str, bases: FrozenSet[str], depth: int = 0) -> bool:
        """Is ``dotted`` a class of the project deriving from one of ``bases`` (library classes, by
        their public names), through imports and aliases, with no ``__init__`` of its own on the way
        (where a timeout could be given)? False when unknown."""
        if self.tree is None or depth > _MAX_DEPTH:
            return False
        if depth == 0:
            key = (dotted, bases)
            if key not in self._subclasses:
                self._subclasses[key] = self.derives_from(dotted, bases, 1)
            return self._subclasses[key]
        try:
            defined = self._defined_in(dotted)
            if defined is None:
                return False
            summary, qualname = defined
            for cls, facts in zip(summary.classes, summary.facts.classes):
                if facts.qualname == qualname:
                    return not facts.method_keys("__init__") and any(
                        base is not None and base.dotted
                        and (canonical(base.dotted) in bases or self.derives_from(base.dotted, bases, depth + 1))
                        for base in cls.bases
                    )
            alias = summary.name(qualname)
            if alias is not None and alias.dotted and alias.dotted != dotted:
                return canonical(alias.dotted) in bases or self.derives_from(alias.dotted, bases, depth + 1)
            return False
        except Exception:  # out of time: unknown
            return False

    def find(self, dotted: str, depth: int = 0) -> Optional[Tuple[RequestsTimeouts, str]]:
        """The module of the project that defines ``dotted``, followed through re-exports."""
        if self.tree is None or depth > _MAX_DEPTH:
            return None
        try:
            defined = self._defined_in(dotted)
            if defined is None:
                return None
            summary, qualname = defined
            alias = summary.name(qualname)
            if alias is not None and alias.dotted and alias.dotted != dotted:
                return self.find(alias.dotted, depth + 1)  # `from .adapters import TimeoutAdapter`
            return summary.requests_timeouts, qualname
        except Exception:  # out of time: unknown
            return None

    def _defined_in(self, dotted: str) -> Optional[Tuple["ModuleSummary", str]]:
        """The summary of the project module ``dotted`` is in (its longest module prefix) and the
        name it has there; None when no project module holds it or it has no summary."""
        assert self.tree is not None
        parts = dotted.split(".")
        for end in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:end])
            if self.tree.is_module(module):
                summary = self.tree.summary_of(module)
                return None if summary is None else (summary, ".".join(parts[end:]))
        return None


def sets_socket_default(source: str) -> bool:
    """Does the module give every socket of the process a default timeout: a call of
    ``socket.setdefaulttimeout(X)``, X not None, that its function does not undo (a function that
    also calls ``getdefaulttimeout()`` changes it for a while and puts the old value back)? At
    module level or in a top-level function (a start-up one: ``initialize()``) alike: the default
    holds from then on. A method that sets it (a port scanner's per-port timeout) changes it as a
    side effect of its work, in an order nothing fixes: that is no default of the program."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    modules: Set[str] = set()  # names bound to the socket module
    functions: Set[str] = set()  # ... and to its setdefaulttimeout
    for node in _statement_nodes(tree):
        if isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name == "socket")
        elif isinstance(node, ast.ImportFrom) and node.module == "socket" and not node.level:
            functions.update(a.asname or a.name for a in node.names if a.name == SOCKET_DEFAULT_HINT)

    def named(call: ast.Call, name: str) -> bool:
        func = call.func
        if type(func) is ast.Attribute:
            return func.attr == name and type(func.value) is ast.Name and func.value.id in modules
        return type(func) is ast.Name and func.id in functions and name == SOCKET_DEFAULT_HINT

    top_level = (node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
    scopes: List[ast.AST] = [tree, *top_level]
    for scope in scopes:
        calls = [node for node in own_nodes(scope) if type(node) is ast.Call]
        if any(named(call, "getdefaulttimeout") for call in calls):
            continue  # changed for a while, then put back
        for call in calls:
            value = call.args[0] if call.args else None
            if named(call, SOCKET_DEFAULT_HINT) and value is not None and not (
                isinstance(value, ast.Constant) and value.value is None
            ):
                return True
    return False


def email_timeout_named(source: str) -> bool:
    """May the module set Django's ``EMAIL_TIMEOUT``? ``EMAIL_TIMEOUT = 10``, ``settings.EMAIL_TIMEOUT = 10``,
    ``override_settings(EMAIL_TIMEOUT=5)``, the name imported or read bare (``from .base import EMAIL_TIMEOUT``),
    a string naming the setting handed to a call, a dict or a subscript (``setattr(settings, "EMAIL_TIMEOUT",
    5)``, ``env("DJANGO_EMAIL_TIMEOUT")``, ``{"EMAIL_TIMEOUT": 5}``). Only reading ``settings.EMAIL_TIMEOUT`` sets
    nothing. A module that does not parse answers True: any doubt counts as a timeout set."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return True
    for node in ast.walk(tree):
        kind = type(node)
        strings: Sequence[ast.AST] = ()
        if kind is ast.Name:
            if node.id == DJANGO_EMAIL_TIMEOUT:  # type: ignore[attr-defined]
                return True
        elif kind is ast.Attribute:
            if node.attr == DJANGO_EMAIL_TIMEOUT and type(node.ctx) is not ast.Load:  # type: ignore[attr-defined]
                return True
        elif kind is ast.keyword:
            if node.arg == DJANGO_EMAIL_TIMEOUT:  # type: ignore[attr-defined]
                return True
        elif kind is ast.alias:
            if DJANGO_EMAIL_TIMEOUT in (node.name, node.asname):  # type: ignore[attr-defined]
                return True
        elif kind is ast.Call:
            strings = [*node.args, *(k.value for k in node.keywords)]  # type: ignore[attr-defined]
        elif kind is ast.Dict:
            strings = [key for key in node.keys if key is not None]  # type: ignore[attr-defined]
        elif kind is ast.Subscript:
            strings = [_slice(node)]  # type: ignore[arg-type]
        for value in strings:
            if type(value) is ast.Constant and isinstance(value.value, str) and _SETTING_STRING.fullmatch(
                value.value.strip()
            ):
                return True
    return False


def mail_settings_named(source: str) -> Optional[FrozenSet[str]]:
    """What the module's own statements (module level, branches included) say of where Django sends mail:
    ``EMAIL_HOST`` when they assign it a server that is not this machine, ``ADMINS``/``MANAGERS`` when they
    give one a value that may not be empty (``mail_admins()`` sends nothing to an empty list). None when
    the mail may go elsewhere than Django's own backends: an ``EMAIL_BACKEND`` that spells another
    backend's path (``"anymail.backends.ses.EmailBackend"``, also as a default: ``env("EMAIL_BACKEND",
    default="...")``), or a module that does not parse. A backend read from the environment with no
    path spelled is the deployment's choice, and the SMTP settings beside it (the server, its port,
    its login) say which one it makes."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    named: Set[str] = set()
    for statement in _statements(tree.body):
        if type(statement) is ast.Assign:
            targets, value = statement.targets, statement.value
        elif type(statement) is ast.AnnAssign and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        names = {target.id for target in targets if type(target) is ast.Name}
        literal = value.value if type(value) is ast.Constant else None
        if DJANGO_EMAIL_BACKEND in names and any(_another_backend(node) for node in ast.walk(value)):
            return None
        if DJANGO_EMAIL_HOST in names and not (literal is None and type(value) is ast.Constant):
            if not (isinstance(literal, str) and literal.strip() in _LOCAL_HOSTS):
                named.add(DJANGO_EMAIL_HOST)
        for recipients in names & DJANGO_RECIPIENT_SETTINGS:
            if not (type(value) in (ast.List, ast.Tuple) and not value.elts):  # type: ignore[attr-defined]
                named.add(recipients)
    return frozenset(named)


def _another_backend(node: ast.AST) -> bool:
    """A string spelling a dotted path that is none of Django's own mail backends."""
    text = node.value if type(node) is ast.Constant else None
    return isinstance(text, str) and "." in text and text.strip() not in DJANGO_BUILTIN_BACKENDS


def _in_nested_project(root: str, path: str) -> bool:
    """Is ``path`` (root-relative) in a directory below ``root`` that marks a project root?"""
    parts = path.split("/")[:-1]
    return any(marks_root(os.path.join(root, *parts[:end])) for end in range(1, len(parts) + 1))


class ModuleTimeouts:
    """What a rule asks about the module it checks: its own facts first, then the project's."""

    def __init__(self, own: RequestsTimeouts, module: str, project: Optional[ProjectTimeouts]) -> None:
        self.own = own
        self.module = module
        self.project = project

    def local(self, qualname: str) -> str:
        """The dotted name of a class or function of this module."""
        return f"{self.module}.{qualname}" if self.module else qualname

    def patched(self) -> FrozenSet[str]:
        """Entry points every requests call of the process gets a timeout for."""
        found = frozenset(self.own.patched)
        return found | self.project.patched() if self.project is not None else found

    def find(self, dotted: str) -> Optional[Tuple[RequestsTimeouts, str]]:
        if self.module:
            if dotted.startswith(f"{self.module}."):
                return self.own, dotted[len(self.module) + 1:]
        elif "." not in dotted or self.own.cls(dotted) is not None:
            return self.own, dotted  # no module name: the module's own names are bare qualnames
        return self.project.find(dotted) if self.project is not None else None

    def class_covers(self, dotted: str) -> Optional[FrozenSet[str]]:
        return class_covers(dotted, self.find)

    def function_kind(self, dotted: str) -> Optional[str]:
        """SETS, FILLS, '' (gives none) or None (unknown) for a function named ``dotted``."""
        found = self.find(dotted)
        return found[0].function(found[1]) if found is not None else None


def module_alone(source: str) -> ModuleTimeouts:
    """The facts of a module analysed with no project (stdin, ``scope = "handlers"``)."""
    if "timeout" not in source:
        return ModuleTimeouts(NONE, "", None)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return ModuleTimeouts(NONE, "", None)
    return ModuleTimeouts(scan(tree, "", source=source), "", None)
