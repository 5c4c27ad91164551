"""Every rule in ALL_RULES is complete: attributes, documentation, fixture, changelog, rendered docs.

The test reads ALL_RULES when it runs, so a rule added later is covered without
touching this file.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

from flake8_handler_block import catalog, docs
from flake8_handler_block import rules as rules_package
from flake8_handler_block.rule import ANYWHERE, ASYNC_HANDLER, EVERYWHERE, HANDLER, Rule
from flake8_handler_block.rules import ALL_RULES
from fixtures import ROOT, TESTDATA

CODE = re.compile(r"^HB\d{3}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ids = [rule.code for rule in ALL_RULES]


def test_codes_are_unique_and_in_order():
    codes = [rule.code for rule in ALL_RULES]
    duplicated = sorted({code for code in codes if codes.count(code) > 1})
    assert not duplicated, f"rule codes used twice: {duplicated}"
    names = [rule.name for rule in ALL_RULES]
    assert len(set(names)) == len(names), "two rules share a name"
    assert codes == sorted(codes), "ALL_RULES must be kept in code order"


def test_every_rule_module_is_registered():
    """A rules/hbNNN_*.py whose class is missing from ALL_RULES would silently never run."""
    registered = set(ALL_RULES)
    for info in pkgutil.iter_modules(rules_package.__path__):
        if not re.match(r"hb\d{3}_", info.name):
            continue
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        classes = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == module.__name__
            and getattr(obj, "code", None)
        ]
        assert classes, f"{info.name} defines no rule class"
        for cls in classes:
            assert cls in registered, f"{cls.__name__} ({cls.code}) is not in ALL_RULES"


@pytest.mark.parametrize("rule", ALL_RULES, ids=ids)
def test_rule_attributes(rule):
    assert CODE.match(rule.code), f"bad code {rule.code!r}"
    assert isinstance(getattr(rule, "name", None), str) and SLUG.match(rule.name), f"{rule.code}: bad name"
    assert rule.scope in (EVERYWHERE, HANDLER, ANYWHERE, ASYNC_HANDLER), f"{rule.code}: scope {rule.scope!r}"
    # Substrings, any of which a file must contain to hold a finding (plus gate_requires, all of them).
    for words in (rule.gate, rule.gate_requires):
        assert isinstance(words, tuple), f"{rule.code}: gate words must be a tuple of substrings"
        assert all(isinstance(word, str) and word for word in words), f"{rule.code}: empty gate word"
    assert rule.gate, f"{rule.code}: no gate"
    message = getattr(rule, "message", "")
    assert isinstance(message, str) and message, f"{rule.code}: no message"
    assert "{where}" in message, f"{rule.code}: the message must contain {{where}}"
    assert "\n" not in message, f"{rule.code}: the message must be one line"
    assert not message.startswith(rule.code), f"{rule.code}: the engine adds the code"


@pytest.mark.parametrize("rule", ALL_RULES, ids=ids)
def test_rule_file_is_named_by_code_and_slug(rule):
    module = rule.__module__.rsplit(".", 1)[-1]
    assert module == f"{rule.code.lower()}_{rule.name.replace('-', '_')}", (
        f"{rule.code} lives in {module}.py; expected {rule.code.lower()}_{rule.name.replace('-', '_')}.py"
    )


@pytest.mark.parametrize("rule", ALL_RULES, ids=ids)
def test_docstring_sections(rule):
    missing = docs.missing_sections(rule)
    assert not missing, f"{rule.code}: docstring lacks the section(s) {missing}"
    found = docs.sections(rule)
    for title in ("Example", "Use instead"):
        assert "```python" in found[title], f"{rule.code}: '{title}' needs a ```python block"
    assert docs.summary(rule), f"{rule.code}: no one-line summary"


@pytest.mark.parametrize("rule", ALL_RULES, ids=ids)
def test_rule_has_fixture(rule):
    assert (TESTDATA / f"{rule.code}.py").is_file(), f"{rule.code}: no fixture testdata/{rule.code}.py"


@pytest.mark.parametrize("rule", ALL_RULES, ids=ids)
def test_rule_has_changelog_entry(rule):
    changelog = ROOT / "CHANGELOG.md"
    assert changelog.is_file(), "CHANGELOG.md is missing"
    text = changelog.read_text(encoding="utf-8")
    assert re.search(rf"\b{rule.code}\b", text), f"{rule.code}: no entry in CHANGELOG.md"


def test_rendered_docs_are_current():
    problems = docs.render(ROOT, check=True)
    assert not problems, "\n".join(problems)


def test_explain_text_is_the_docs_text():
    """`explain` prints exactly the section docs/rules.md holds (one level up)."""
    rendered = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        section = docs.rule_markdown(rule)
        assert section in rendered, f"{rule.code}: docs/rules.md lacks its section"
        explained = docs.rule_markdown(rule, level=1)
        assert explained.replace("\n## ", "\n### ").replace("# ", "## ", 1) == section


@pytest.mark.parametrize("name, request_made", [
    ("openai.OpenAI.chat.completions.create", True),
    ("openai.OpenAI.with_options.audio.speech.create", True),
    ("openai.chat.completions.create", True),  # the module's default client
    ("openai.OpenAI", False),  # the constructor
    ("openai.OpenAI.with_options", False),  # a copy of the client
    ("openai.AsyncOpenAI.chat.completions.create", False),  # not a synchronous client
    ("google.genai.Client.aio.models.generate_content", False),  # the client's async side
    ("mistralai.Mistral.chat.complete_async", False),
    ("boto3.client.put_object", True),
    ("boto3.Session.client.send_message", True),
    ("boto3.client.generate_presigned_url", False),  # signed locally
    ("boto3.client.meta.events.register", False),
    ("pymongo.MongoClient.get_database", False),
    ("pymongo.MongoClient.app.users.find_one", True),
    ("psycopg2.connect.cursor.execute", True),
    ("psycopg2.connect.cursor", False),  # a cursor is made locally
    ("psycopg2.connect.cursor.fetchall", False),
    ("sqlite3.connect.cursor.execute", False),  # a local file
    ("khoj.clients.{*}.get", False),  # not below a client
    ("openai.OpenAI.{*}.get", False),  # a container's step: not a name
    ("redis.Redis.from_url.get", True),
    ("redis.Redis.from_url", False),  # builds the client, connects on its first command
    ("redis.StrictRedis.pipeline", False),  # a pipeline buffers
    ("redis.StrictRedis.pipeline.hset", False),
    ("redis.StrictRedis.pipeline.execute", True),  # sends what it buffered
    ("redis.Redis.lock", False),
    ("redis.Redis.lock.acquire", True),
    ("redis.asyncio.Redis.get", False),  # the asyncio client
    ("rq.Queue.enqueue", True),
])
def test_sdk_request(name: str, request_made: bool) -> None:
    assert (catalog.sdk_request(name) is not None) is request_made


@pytest.mark.parametrize("one, other, alike", [
    ("msal.ClientApplication", "msal.ConfidentialClientApplication", True),
    ("redis.Redis", "redis.StrictRedis", True),
    ("boto3.client", "boto3.resource", False),  # a resource builds its objects locally
    ("psycopg2.connect", "pymysql.connect", False),  # one advice, two packages
    ("openai.OpenAI", "openai.AzureOpenAI", False),  # each has its own async client
    ("msal.ClientApplication", "requests.Session", False),
])
def test_same_sdk_client(one: str, other: str, alike: bool) -> None:
    assert catalog.same_sdk_client(one, other) is alike
    assert catalog.same_sdk_client(other, one) is alike
