"""LDAP sign-in for a FastAPI app (ldap3): the directory is asked in a worker thread."""
import asyncio
import ssl

import ldap3
from fastapi import APIRouter, HTTPException
from ldap3 import ASYNC, MOCK_SYNC, NONE, SAFE_SYNC, Connection, Server, Tls
from ldap3.core.connection import Connection as CoreConnection

from app.config import LDAP

router = APIRouter()
LDAP_TIMEOUT = 10
# built and bound at import: its searches for each request later wait with no limit either
DIRECTORY = Connection(Server("ldap.internal.example"), LDAP.app_dn, LDAP.app_password, auto_bind=True)  # expect: HB203 "Connection() has no receive_timeout" "module-level code"


@router.post("/auth/ldap")
async def ldap_auth(form):
    tls = Tls(validate=ssl.CERT_REQUIRED)
    server = Server(host=LDAP.host, port=LDAP.port, get_info=NONE, use_ssl=True, tls=tls)
    app_conn = Connection(server, LDAP.app_dn, LDAP.app_password, auto_bind="NONE", authentication="SIMPLE")  # expect: HB203[col=16] "Connection() has no receive_timeout and its server no connect_timeout" "handler 'ldap_auth'" "pass receive_timeout=<seconds>"
    if not await asyncio.to_thread(app_conn.bind):
        raise HTTPException(400, "Application account bind failed")
    await asyncio.to_thread(app_conn.search, LDAP.users_dn, f"(uid={form.user})", attributes=["mail"])
    user_conn = Connection(server, app_conn.entries[0].entry_dn, form.password)  # expect: HB203 "Connection() has no receive_timeout" "handler 'ldap_auth'"
    if not await asyncio.to_thread(user_conn.bind):
        raise HTTPException(400, "Authentication failed")
    bounded = Connection(server, LDAP.app_dn, LDAP.app_password, receive_timeout=LDAP_TIMEOUT)  # ok: receive_timeout given
    await asyncio.to_thread(bounded.bind)
    return {"user": form.user}


@router.get("/auth/ldap/status")
def ldap_status():
    direct = ldap3.Connection("ldaps://ldap.internal.example", auto_bind=True)  # expect: HB203 "ldap3.Connection() has no receive_timeout" "handler 'ldap_status'"
    core = CoreConnection(Server("ldap.internal.example"), client_strategy=SAFE_SYNC)  # expect: HB203 "CoreConnection() has no receive_timeout"
    unset = Connection(Server("ldap.internal.example"), receive_timeout=None)  # expect: HB203 "Connection() passes receive_timeout=None"
    timed_server = Server(LDAP.host, connect_timeout=LDAP_TIMEOUT)
    via_connect = Connection(timed_server, LDAP.app_dn, LDAP.app_password, auto_bind=True)  # ok: connect_timeout stays on the socket for reads
    pooled = Connection(LDAP.server_pool, auto_bind=True)  # ok: a server not built here (it may carry a timeout)
    queued = Connection(Server("ldap.internal.example"), client_strategy=ASYNC)  # ok: ASYNC, get_response() times out
    mocked = Connection(Server("fake"), client_strategy=MOCK_SYNC)  # ok: a mock, no socket
    forwarded = Connection(Server("ldap.internal.example"), **LDAP.options)  # ok: unseen **kwargs may carry it
    positional = Connection(timed_server, None, None, True, 3, None, "SYNC")  # ok: a server with connect_timeout
    if LDAP.use_ssl:
        branch_server = Server(LDAP.host, use_ssl=True, connect_timeout=LDAP_TIMEOUT)
    else:
        branch_server = Server(LDAP.host)
    mixed = Connection(branch_server, LDAP.app_dn, LDAP.app_password)  # ok: one branch's server has connect_timeout
    if LDAP.use_ssl:
        plain_server = Server(LDAP.host, use_ssl=True)
    else:
        plain_server = Server(LDAP.host)
    either = Connection(plain_server, LDAP.app_dn, LDAP.app_password)  # expect: HB203 "Connection() has no receive_timeout and its server no connect_timeout"
    attribute = Connection(LDAP.server, LDAP.app_dn, LDAP.app_password)  # ok: a server not built here
    connections = (direct, core, unset, via_connect, pooled, queued, mocked, forwarded, positional, mixed, either, attribute)
    return {"ok": all(c.bound for c in connections)}
