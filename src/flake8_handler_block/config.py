"""Settings: flake8 options (``--hb-*``) over ``[tool.flake8-handler-block]`` in pyproject.toml.

A bad value stops the run with one line naming the key and the file (``ConfigError``);
the flake8 adapter turns it into a clean exit, never a traceback.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

SCOPES = ("default", "reachable", "handlers", "all")
PYPROJECT_TABLE = "tool.flake8-handler-block"

# pyproject key -> flake8 option dest (the CLI spelling is --hb-<key>)
OPTION_KEYS = {
    "scope": "hb_scope",
    "handler-decorators": "hb_handler_decorators",
    "handler-base-classes": "hb_handler_base_classes",
    "wait-group-classes": "hb_wait_group_classes",
    "extra-timeout-calls": "hb_extra_timeout_calls",
    # the project index (flake8_handler_block.project)
    "project-reach": "hb_project_reach",
    "cache": "hb_cache",
    "cache-dir": "hb_cache_dir",
    "tooling": "hb_tooling",
    "extend-tooling": "hb_extend_tooling",
    "check-tooling": "hb_check_tooling",
    "requests-default-timeout": "hb_requests_default_timeout",
    "equivalent-noqa": "hb_equivalent_noqa",
}
BOOL_KEYS = ("project-reach", "cache", "check-tooling", "requests-default-timeout", "equivalent-noqa")
GLOB_KEYS = ("tooling", "extend-tooling")
LIST_KEYS = tuple(key for key in OPTION_KEYS if key not in ("scope", "cache-dir", *BOOL_KEYS, *GLOB_KEYS))

# Code that is not the project's request path, or not its to change; root-relative globs (see
# project/tooling.py). Test suites count (a test calling a local server with no timeout is not a
# request's hang), and so do examples and vendored copies of other projects.
# Code that exercises the rest (tests, examples, docs): tooling, but calling a function from
# there says nothing of who else calls it (tests call everything). Test support shipped inside a
# package (`mailman/testing/`, `django/test/`, a pytest plugin) counts as tests, and so does a Django
# app's `tests.py` (the module `startapp` makes for them).
EXERCISE_GLOBS = (
    "docs/**", "**/tests/**", "**/_tests/**", "**/test/**", "**/testing/**", "**/testutils/**", "**/test_*.py",
    "**/*_test.py", "**/tests.py", "**/conftest.py", "**/pytest_plugin.py", "**/examples/**", "**/example_dags/**",
    # sample code a package ships as data for its own tests or rule engine (eeg-security's deliberately
    # vulnerable `_test_fixtures/`), never run as the app
    "**/fixtures/**", "**/_test_fixtures/**", "**/test_fixtures/**",
)
# Vendored copies of other projects: not this project's to change, whoever calls them.
VENDORED_GLOBS = ("**/vendor/**", "**/_vendor/**", "**/vendored/**", "**/third_party/**", "**/thirdparty/**")
DEFAULT_TOOLING = (
    "setup.py", "noxfile.py", "tasks.py", "fabfile.py", "**/manage.py", "**/__main__.py", "**/cli.py",
    "**/cli/**", "**/_cli/**", "**/management/commands/**", "**/scripts/**", *EXERCISE_GLOBS, *VENDORED_GLOBS,
)


class ConfigError(Exception):
    """A setting that cannot be used; the message is the one line the user sees."""


@dataclass(frozen=True)
class Config:
    scope: str = "default"  # each rule where the defect it names does harm (reach.py)
    handler_decorators: Tuple[str, ...] = ()
    handler_base_classes: Tuple[str, ...] = ()
    wait_group_classes: Tuple[str, ...] = ()
    # (dotted callee, positional index of its timeout or None for keyword-only)
    extra_timeout_calls: Tuple[Tuple[str, Optional[int]], ...] = ()
    project_reach: bool = True  # follow calls across the modules of the project
    cache: bool = True  # keep the project index on disk
    cache_dir: str = ""  # '' -> <project root>/.handler_block_cache; relative -> to the project root
    tooling: Tuple[str, ...] = DEFAULT_TOOLING
    check_tooling: bool = False  # look at tooling like any other code
    # the project gives requests a default timeout by means HB201 cannot see: its requests calls are fine
    requests_default_timeout: bool = False
    # a line that silences another linter's same check (`# noqa: RUF006`: equivalents.py) is not reported
    equivalent_noqa: bool = True
    source: str = field(default="defaults", compare=False)

    def matches_decorator(self, dotted: str) -> bool:
        return _matches(dotted, self.handler_decorators)

    def matches_base_class(self, dotted: str) -> bool:
        return _matches(dotted, self.handler_base_classes)

    def matches_wait_group(self, dotted: str) -> bool:
        return _matches(dotted, self.wait_group_classes)

    def gate_words(self) -> Tuple[str, ...]:
        """Identifiers whose presence in a file means a configured name may be used."""
        names = self.handler_decorators + self.handler_base_classes + self.wait_group_classes
        names += tuple(call for call, _ in self.extra_timeout_calls)
        return tuple(sorted({name.rsplit(".", 1)[-1] for name in names}))


def _matches(dotted: str, entries: Sequence[str]) -> bool:
    """An entry with a dot names the full path; a bare entry matches the last component."""
    if not dotted or not entries:
        return False
    last = dotted.rsplit(".", 1)[-1]
    return any((entry == dotted) if "." in entry else (entry == last) for entry in entries)


def build_config(options: Any = None, start_dir: Optional[str] = None) -> Config:
    """Merge pyproject settings with flake8 options (which win).

    ``flake8 --isolated`` ignores every configuration file, pyproject.toml included.
    """
    isolated = bool(getattr(options, "isolated", False))
    path = None if isolated else find_pyproject(start_dir or os.getcwd())
    table: Mapping[str, Any] = load_pyproject_table(path) if path else {}
    where = f"{path} [{PYPROJECT_TABLE}]" if path else ""
    return config_from_table(table, where, options, source=path or "defaults")


def config_from_table(
    table: Mapping[str, Any], where: str, options: Any = None, source: str = "defaults"
) -> Config:
    """A Config from a pyproject-style table; set flake8 options override its keys."""
    unknown = sorted(set(table) - set(OPTION_KEYS) - {"fix-timeout"})
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' (known: {', '.join(OPTION_KEYS)})")

    values: Dict[str, Any] = {}
    for key, dest in OPTION_KEYS.items():
        from_flake8 = getattr(options, dest, None) if options is not None else None
        if from_flake8 not in (None, [], ""):
            values[key] = (from_flake8, f"flake8 option --hb-{key}")
        elif key in table:
            values[key] = (table[key], where)

    scope = "default"
    if "scope" in values:
        raw, origin = values["scope"]
        if not isinstance(raw, str) or raw.strip() not in SCOPES:
            raise ConfigError(f"{origin}: scope = {raw!r} is not one of {', '.join(SCOPES)}")
        scope = raw.strip()
    lists = {key: _name_list(key, *values[key]) for key in LIST_KEYS if key in values}
    flags = {key: _flag(key, *values[key]) for key in BOOL_KEYS if key in values}
    globs = {key: _glob_list(key, *values[key]) for key in GLOB_KEYS if key in values}
    cache_dir = ""
    if "cache-dir" in values:
        raw, origin = values["cache-dir"]
        if not isinstance(raw, str):
            raise ConfigError(f"{origin}: cache-dir must be a path, got {raw!r}")
        cache_dir = raw.strip()
    return Config(
        scope=scope,
        handler_decorators=lists.get("handler-decorators", ()),
        handler_base_classes=lists.get("handler-base-classes", ()),
        wait_group_classes=lists.get("wait-group-classes", ()),
        extra_timeout_calls=tuple(
            _timeout_call(entry, values["extra-timeout-calls"][1])
            for entry in lists.get("extra-timeout-calls", ())
        ),
        project_reach=flags.get("project-reach", True),
        cache=flags.get("cache", True),
        cache_dir=cache_dir,
        tooling=globs.get("tooling", DEFAULT_TOOLING) + globs.get("extend-tooling", ()),
        check_tooling=flags.get("check-tooling", False),
        requests_default_timeout=flags.get("requests-default-timeout", False),
        equivalent_noqa=flags.get("equivalent-noqa", True),
        source=source,
    )


def _flag(key: str, raw: Any, source: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ConfigError(f"{source}: {key} = {raw!r} is not true or false")


def _glob_list(key: str, raw: Any, source: str) -> Tuple[str, ...]:
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, (list, tuple)) or not all(isinstance(item, str) for item in raw):
        raise ConfigError(f"{source}: {key} must be a list of path globs, got {raw!r}")
    return tuple(item.strip() for item in raw if item.strip())


def _name_list(key: str, raw: Any, source: str) -> Tuple[str, ...]:
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, (list, tuple)) or not all(isinstance(item, str) for item in raw):
        raise ConfigError(f"{source}: {key} must be a list of dotted names, got {raw!r}")
    names = tuple(item.strip() for item in raw if item.strip())
    for name in names:
        dotted = name.split(":", 1)[0] if key == "extra-timeout-calls" else name
        if not all(part.isidentifier() for part in dotted.split(".")):
            raise ConfigError(f"{source}: {key} entry {name!r} is not a dotted Python name")
    return names


def _timeout_call(entry: str, source: str) -> Tuple[str, Optional[int]]:
    dotted, _, index = entry.partition(":")
    if not index:
        return dotted, None
    if not index.isdigit():
        raise ConfigError(
            f"{source}: extra-timeout-calls entry {entry!r}: the part after ':' must be the "
            "positional index of the timeout (e.g. pkg.mod.fetch:2)"
        )
    return dotted, int(index)


def find_pyproject(start_dir: str) -> Optional[str]:
    """The nearest pyproject.toml at or above ``start_dir`` (how flake8 finds its own config)."""
    current = os.path.abspath(start_dir)
    while True:
        candidate = os.path.join(current, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def read_toml(path: str) -> Dict[str, Any]:
    """A TOML file as a dict; ConfigError names the file when it cannot be read or parsed."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.9/3.10 in CI
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from None


def load_pyproject_table(path: str) -> Mapping[str, Any]:
    data = read_toml(path)
    table = data.get("tool", {}).get("flake8-handler-block", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{PYPROJECT_TABLE}] must be a table")
    return table
