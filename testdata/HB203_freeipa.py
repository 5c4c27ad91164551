"""Account portal on FreeIPA: python-freeipa clients log users in and change passwords."""
import python_freeipa
from flask import Blueprint, current_app, request, session
from python_freeipa import ClientMeta
from python_freeipa.client_meta import ClientMeta as IPAClient

from portal.ipa import Client as PortalClient

accounts = Blueprint("accounts", __name__)


class Client(IPAClient):
    """The official client, with the calls it lacks."""

    def ping(self):
        return self._request("ping")


class TimedClient(IPAClient):
    def __init__(self, host, timeout, **kwargs):
        super().__init__(host, **kwargs)
        self._session.request = self._timed(self._session.request, timeout)

    @staticmethod
    def _timed(request, timeout):
        return lambda *args, **kwargs: request(*args, timeout=kwargs.pop("timeout", timeout), **kwargs)


class AdminClient(Client):
    def whoami(self):
        return self._request("whoami")


@accounts.route("/login", methods=["POST"])
def login():
    client = Client(current_app.config["IPA_SERVER"], verify_ssl=True)  # expect: HB203[col=14] "Client() has no timeout (python-freeipa posts every call with none)" "handler 'login'" "give its _session a default timeout"
    client.login(request.form["username"], request.form["password"])
    session["ipa"] = client._session.cookies.get("ipa_session")
    return "ok"


@accounts.route("/password", methods=["POST"])
def change_password():
    meta = ClientMeta(current_app.config["IPA_SERVER"])  # expect: HB203 "ClientMeta() has no timeout" "handler 'change_password'"
    meta.login_kerberos()
    admin = AdminClient(current_app.config["IPA_SERVER"])  # expect: HB203 "AdminClient() has no timeout" "handler 'change_password'"
    legacy = python_freeipa.ClientLegacy(current_app.config["IPA_SERVER"])  # expect: HB203 "python_freeipa.ClientLegacy() has no timeout"
    timed = TimedClient(current_app.config["IPA_SERVER"], 10)  # ok: its own __init__ gives the session a timeout
    portal = PortalClient(current_app.config["IPA_SERVER"])  # ok: the project's client, not known here to be python-freeipa's
    with python_freeipa.AuthenticatedSession(meta, "admin", "secret") as ipa:  # ok: logs in with the client it is given
        ipa.ping()
    mapped = {"meta": meta, "admin": admin, "legacy": legacy, "timed": timed, "portal": portal}
    return {"clients": len(mapped)}


def ldap_groups(ipa):
    return ipa.group_find()  # ok: the client's calls: the finding is where it is built
