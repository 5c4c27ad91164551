"""An attribute a framework's handlers inherit that holds the class the deployment configures:
JupyterHub's ``BaseHandler.authenticator`` is the Hub's Authenticator, in an authenticator's package
one of the package's own (nativeauthenticator's sign-up handler calling ``create_user()``, which
mails the approval link with smtplib on the Hub's event loop)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

AUTH = '''import smtplib

from jupyterhub.auth import Authenticator


class NativeAuthenticator(Authenticator):
    def create_user(self, name):
        server = smtplib.SMTP("mail.example.org", 587)  # expect: HB202 "handler 'SignUpHandler.post'", HB601
        server.sendmail("hub@example.org", [name], "approve")  # expect: HB601 "server.sendmail() blocks the event loop"
        return name

    def forget(self, name):
        smtplib.SMTP("mail.example.org", 587).quit()  # expect: HB202 "method 'NativeAuthenticator.forget'"


class Unrelated:
    def create_user(self, name):
        smtplib.SMTP("mail.example.org", 587).quit()  # expect: HB202 "method 'Unrelated.create_user'"
'''

HANDLERS = '''from jupyterhub.handlers import BaseHandler
from tornado import web


class SignUpHandler(BaseHandler):
    async def post(self):
        name = self.authenticator.create_user(self.get_body_argument("username"))  # expect: HB601
        self.finish(name)


class PlainHandler(web.RequestHandler):
    async def post(self):
        self.finish(self.authenticator.forget(self.get_body_argument("username")))
'''


def test_the_authenticator_of_a_hub_handler_is_the_projects(tmp_path: Path) -> None:
    files = {"nat/__init__.py": "", "nat/auth.py": AUTH, "nat/handlers.py": HANDLERS}
    markers_hold(tmp_path, files, "nat/auth.py")
    markers_hold(tmp_path, files, "nat/handlers.py")
