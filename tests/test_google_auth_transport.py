"""google-auth's sync transport, ``google.auth.transport.requests.Request()``, is the HTTP client of the
call it is handed to: ``credentials.refresh(Request())`` sends to the token endpoint in the calling
thread. oauthenticator's Google groups lookup refreshes its service account two sync calls below
the coroutine that runs on the hub's loop, in a helper that imports the transport in its body."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

CREDENTIALS = '''\
from google.oauth2 import service_account


def directory_credentials(domain):
    credentials = service_account.Credentials.from_service_account_file("/etc/hub/sa.json", subject=domain)
    return refreshed(credentials)


def refreshed(credentials):
    from google.auth.transport import requests

    request = requests.Request()
    credentials.refresh(request)  # expect: HB601 "credentials.refresh() blocks the event loop" "via"
    return credentials


def refreshed_later(credentials, executor):
    from google.auth.transport import requests

    return executor.submit(credentials.refresh, requests.Request())  # ok: HB601 runs in the executor's thread


def unverified(credentials, session):
    credentials.refresh(session)  # ok: a transport of unknown kind
    return credentials
'''

GROUPS = '''\
from tornado import web

from .credentials import directory_credentials, refreshed_later, unverified


class GroupsHandler(web.RequestHandler):
    async def get(self, domain):
        credentials = directory_credentials(domain)  # expect: HB601 "Request.__call__() at hub/credentials.py:13"
        self.finish({"token": credentials.token})


class LaterHandler(web.RequestHandler):
    async def get(self, domain):
        future = refreshed_later(self.settings["credentials"], self.settings["executor"])  # ok: handed to a thread
        unverified(self.settings["credentials"], self.settings["session"])  # ok: unknown transport
        self.finish({"pending": not future.done()})


def make_app():
    return web.Application([(r"/groups/(.*)", GroupsHandler), (r"/later/(.*)", LaterHandler)])
'''


def _files() -> dict:
    return {"hub/__init__.py": "", "hub/credentials.py": CREDENTIALS, "hub/groups.py": GROUPS}


def test_a_sync_helper_handed_the_transport_blocks_the_loop_that_calls_it(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files(), "hub/groups.py")


def test_the_send_itself_is_reported_with_the_handlers_chain(tmp_path: Path) -> None:
    markers_hold(tmp_path, _files(), "hub/credentials.py")
