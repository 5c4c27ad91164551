"""An ldap3 ``Connection`` told to bind as it is built (``auto_bind=True`` or a binding mode) opens its
socket and waits for the bind's answer in its constructor; one that is not connects at ``bind()``.
A sync helper building the first, called by an async handler, blocks the handler's event loop
(a JupyterHub authenticator's ``get_connection()``, a FastAPI admin's LDAP sign-in)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

DIRECTORY = '''\
import ldap3

from app.settings import settings


def bound_connection(user, password, tls):
    server = ldap3.Server(settings.host, connect_timeout=5)
    if tls:
        mode = ldap3.AUTO_BIND_TLS_BEFORE_BIND
    else:
        mode = ldap3.AUTO_BIND_NO_TLS
    return ldap3.Connection(server, user=user, password=password, auto_bind=mode, receive_timeout=10)


def unbound_connection(user, password):
    server = ldap3.Server(settings.host, connect_timeout=5)
    return ldap3.Connection(server, user=user, password=password, receive_timeout=10)


def configured_connection(user, password):
    server = ldap3.Server(settings.host, connect_timeout=5)
    return ldap3.Connection(server, user, password, settings.auto_bind, receive_timeout=10)


def lazily_bound_connection(user, password):
    server = ldap3.Server(settings.host, connect_timeout=5)
    return ldap3.Connection(server, user, password, auto_bind=False, receive_timeout=10)
'''

SETTINGS = '''\
class Settings:
    host = "ldap://directory.internal"
    auto_bind = "NONE"


settings = Settings()
'''

ROUTES = '''\
from fastapi import FastAPI

from app.directory import bound_connection, configured_connection, lazily_bound_connection, unbound_connection

app = FastAPI()


@app.post("/login")
async def login(user: str, password: str, tls: bool = False):
    conn = bound_connection(user, password, tls)  # expect: HB601 "bound_connection() blocks" "ldap3.Connection()"
    spare = unbound_connection(user, password)  # ok: connects at bind()
    other = configured_connection(user, password)  # ok: a mode not known
    lazy = lazily_bound_connection(user, password)  # ok: auto_bind=False
    return {"user": str(conn), "spare": str(spare), "other": str(other), "lazy": str(lazy)}
'''


def test_a_helper_building_a_bound_connection_blocks_an_async_handler(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/settings.py": SETTINGS, "app/directory.py": DIRECTORY,
             "app/routes.py": ROUTES}
    markers_hold(tmp_path, files, "app/routes.py")
