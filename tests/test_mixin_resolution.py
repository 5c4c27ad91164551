"""Methods of a class assembled from mixins resolve as Python resolves them (the C3 order), a mixin's
``self.m()`` that only a sibling base implements reaches that sibling through the classes of the
project deriving from the mixin, and a property read gives what the property returns
(mcp-atlassian's ``JiraFetcher(..., IssuesMixin, UsersMixin, ...)`` and ``self._v2_adapter``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flake8_handler_block.project.graph import _c3_merge
from project_helpers import markers_hold

CLIENT = '''\
class JiraClient:
    def __init__(self, config):
        self.config = config
'''

PROTOCOLS = '''\
from abc import abstractmethod
from typing import Protocol


class UsersOperationsProto(Protocol):
    @abstractmethod
    def _get_account_id(self, name: str) -> str:
        """Implemented by UsersMixin."""
'''

ISSUES = '''\
from .client import JiraClient
from .protocols import UsersOperationsProto


class IssuesMixin(JiraClient, UsersOperationsProto):
    def create_issue(self, assignee):
        return {"assignee": self._get_account_id(assignee)}


class CommentsMixin(JiraClient):
    def add_comment(self, author):
        return {"author": self._author_id(author)}  # no class of the project gives it one
'''

USERS = '''\
import requests

from .client import JiraClient


class UsersMixin(JiraClient):
    def _get_account_id(self, name):
        return self._lookup(name)

    def _lookup(self, name):
        return requests.get("https://jira/rest/api/2/user/search", params={"query": name})  # {lookup}


class Directory:
    def _author_id(self, name):
        return requests.get("https://directory/" + name)  # expect: HB201 "method 'Directory._author_id'"
'''

FETCHER = '''\
from .client import JiraClient
from .issues import CommentsMixin, IssuesMixin
from .users import UsersMixin


class JiraFetcher({bases}):
    pass
'''

SERVER = '''\
from mcp.server.fastmcp import FastMCP

from .fetcher import JiraFetcher

mcp = FastMCP("jira")


async def get_jira_fetcher(ctx) -> JiraFetcher:
    return ctx.request_context.lifespan_context.jira


@mcp.tool()
async def create_issue(ctx, assignee: str) -> dict:
    jira = await get_jira_fetcher(ctx)
    return jira.create_issue(assignee)  # {tool}


@mcp.tool()
async def add_comment(ctx, author: str) -> dict:
    jira = await get_jira_fetcher(ctx)
    return jira.add_comment(author)
'''

REACHED = "expect: HB201 \"handler 'create_issue' (app/server.py:13) via IssuesMixin.create_issue() -> " \
          "UsersMixin._get_account_id() -> UsersMixin._lookup()\", HB601"


@pytest.mark.parametrize("bases, reached", [
    # Python puts UsersMixin before JiraClient and the Protocol, whatever the mixins' order
    ("CommentsMixin, IssuesMixin, UsersMixin", True),
    ("UsersMixin, IssuesMixin", True),
    ("CommentsMixin, IssuesMixin", False),  # no base implements it: the Protocol's declaration runs
])
def test_a_mixins_call_reaches_the_sibling_base_that_implements_it(tmp_path: Path, bases: str, reached: bool) -> None:
    lookup = REACHED if reached else "expect: HB201 \"method 'UsersMixin._lookup'\""
    files = {
        "app/__init__.py": "", "app/client.py": CLIENT, "app/protocols.py": PROTOCOLS, "app/issues.py": ISSUES,
        "app/users.py": USERS.replace("{lookup}", lookup),
        "app/fetcher.py": FETCHER.format(bases=bases),
        "app/server.py": SERVER.format(tool="expect: HB601 \"handler 'create_issue'\"" if reached else "ok: HB601"),
    }
    for checked in ("app/users.py", "app/server.py") if reached else ("app/users.py",):
        markers_hold(tmp_path, files, checked)


def test_c3_puts_a_mixin_before_the_base_it_shares_with_another() -> None:
    """``class Fetcher(Issues, Users)`` with ``Issues(Client, Proto)`` and ``Users(Client)``: Python's
    order is Fetcher, Issues, Users, Client, Proto (a depth-first walk would put Client and Proto,
    with its declaration, before Users)."""
    issues, users, client, proto = ("Issues",), ("Users",), ("Client",), ("Proto",)
    lines = [[issues, client, proto], [users, client], [issues, users]]
    assert _c3_merge(lines) == [issues, users, client, proto]
    assert _c3_merge([[client], [issues, client], [client, issues]]) is None  # no consistent order


ADAPTER = '''\
import requests


class V2Adapter:
    def __init__(self, session: requests.Session, base_url: str) -> None:
        self.session = session
        self.base_url = base_url

    def create_page(self, title):
        return self.session.post(self.base_url + "/pages", json={"title": title})  # {create}

    def copy_page(self, page_id):
        return self.session.post(self.base_url + "/copy/" + page_id)  # {copy}
'''

PAGES = '''\
from .adapter import V2Adapter


class PagesMixin:
    def __init__(self, confluence, oauth):
        self.confluence = confluence
        self.oauth = oauth

    @property
    def _v2_adapter(self) -> "V2Adapter | None":
        if self.oauth:
            return V2Adapter(session=self.confluence.session, base_url=self.confluence.url)
        return None

    @property
    def _space(self) -> str:
        return self.confluence.space

    def create_page(self, title):
        adapter = self._v2_adapter
        if adapter:
            return adapter.create_page(title)
        return self.confluence.create_page(self._space, title)

    def copy_page(self, page_id):
        return self._v2_adapter.copy_page(page_id)
'''

PAGE_TOOLS = '''\
from mcp.server.fastmcp import FastMCP

from .pages import PagesMixin

mcp = FastMCP("confluence")
pages = PagesMixin(None, oauth=True)


@mcp.tool()
async def create_page(title: str) -> dict:
    return pages.create_page(title)


@mcp.tool()
async def copy_page(page_id: str) -> dict:
    return pages.copy_page(page_id)
'''


def test_a_property_read_gives_what_the_property_returns(tmp_path: Path) -> None:
    """``adapter = self._v2_adapter`` then ``adapter.create_page()``, or ``self._v2_adapter.copy_page()``:
    the adapter the property builds, whose methods the handlers reach (the posts run on the loop)."""
    create = "expect: HB201 \"handler 'create_page' (app/tools.py:10) via PagesMixin.create_page() -> " \
             "V2Adapter.create_page()\", HB601"
    copy = "expect: HB201 \"handler 'copy_page' (app/tools.py:15) via PagesMixin.copy_page() -> " \
           "V2Adapter.copy_page()\", HB601"
    files = {
        "app/__init__.py": "", "app/adapter.py": ADAPTER.replace("{create}", create).replace("{copy}", copy),
        "app/pages.py": PAGES, "app/tools.py": PAGE_TOOLS,
    }
    markers_hold(tmp_path, files, "app/adapter.py")


SHADOWED = '''\
import httpx
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("broker")


class Client:
    def __init__(self) -> None:
        self._client = httpx.Client(base_url="https://broker", timeout=10)

    def _delete(self, path, params=None):
        return self._client.delete(path, params=params)  # ok: HB601 replaced by the second _delete

    def unsubscribe(self, source):
        return self._delete("/subscriptions/" + source)

    def describe(self):
        return {"region": self._client.get("/region").text}  # expect: HB601 "handler 'describe'"

    def _delete(self, path):
        return self._client.delete(path)  # expect: HB601 "via Client.unsubscribe() -> Client._delete()"


client = Client()


@mcp.tool()
def unsubscribe(source: str) -> dict:
    return client.unsubscribe(source)


@mcp.tool()
def describe() -> dict:
    return client.describe()
'''


def test_a_method_defined_again_in_the_class_body_replaces_the_first(tmp_path: Path) -> None:
    """The second ``def _delete`` is the one that runs (smartoption-mcp's client): only its call is
    reported."""
    markers_hold(tmp_path, {"app/__init__.py": "", "app/broker.py": SHADOWED}, "app/broker.py")


TREE = '''\
from typing import Optional

import requests
from flask import Flask

app = Flask(__name__)


class Node:
    def __init__(self) -> None:
        self.parent: Optional["Node"] = None
        self.left: Optional["Node"] = None
        self.right: Optional["Node"] = None

    @property
    def root(self) -> "Node":
        if self.parent is not None:
            return self.parent.root
        if self.left is not None:
            return self.left.root
        if self.right is not None:
            return self.right.top
        return self

    @property
    def top(self) -> "Node":
        return self.left.root if self.left is not None else self.right.top

    def fetch(self, path):
        return requests.get("https://tree/" + path)  # expect: HB201 "handler 'leaf' via Node.fetch()"


@app.get("/leaf/<path>")
def leaf(path):
    return Node().root.fetch(path).text
'''


def test_a_property_whose_value_leads_back_to_itself_is_read_once(tmp_path: Path) -> None:
    """``root`` returns ``self.parent.root``, ``self.left.root``, ``self.right.top`` or ``self``: a
    property read through itself adds nothing, and the read still gives the node whose ``fetch``
    the handler reaches (each (property, attribute) is read once: on zuul's tree of properties the
    reads recursed to the depth bound and its module was left unanalysed)."""
    markers_hold(tmp_path, {"app/__init__.py": "", "app/tree.py": TREE}, "app/tree.py")
