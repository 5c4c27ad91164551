"""Sign-in with Microsoft Entra ID for an intranet Flask app, through MSAL."""
import msal
import requests
from flask import Flask, redirect, request, session, url_for
from msal import ConfidentialClientApplication, PublicClientApplication

from intranet.auth import ClientApplication as LocalApplication
from intranet.settings import AUTHORITY, CLIENT_ID, CLIENT_SECRET, MSAL_OPTIONS, SCOPES

app = Flask(__name__)
HTTP_TIMEOUT = (3.05, 15)
http = requests.Session()

ENTRA = msal.ConfidentialClientApplication(CLIENT_ID, client_credential=CLIENT_SECRET, authority=AUTHORITY)  # expect: HB203 "msal.ConfidentialClientApplication() has no timeout" "msal gives it to every request"
BOUNDED = msal.ConfidentialClientApplication(CLIENT_ID, client_credential=CLIENT_SECRET, authority=AUTHORITY,
                                             timeout=HTTP_TIMEOUT)  # ok: timeout given (a name, a tuple)
CONFIGURED = ConfidentialClientApplication(CLIENT_ID, **MSAL_OPTIONS)  # ok: unseen keywords may carry it
OWN_SESSION = ConfidentialClientApplication(CLIENT_ID, client_credential=CLIENT_SECRET, http_client=http)  # ok: the caller's client
POSITIONAL = ConfidentialClientApplication(CLIENT_ID, CLIENT_SECRET, AUTHORITY, True, None, None, True, None, 10)  # ok: the 9th positional is the timeout
LOCAL = LocalApplication(CLIENT_ID)  # ok: the project's own class


def build_app(cache=None):
    return ConfidentialClientApplication(CLIENT_ID, token_cache=cache, timeout=None)  # expect: HB203 "ConfidentialClientApplication() passes timeout=None" "function 'build_app'"


@app.route("/login")
def login():
    flow = BOUNDED.initiate_auth_code_flow(SCOPES, redirect_uri=url_for("authorized", _external=True))
    session["flow"] = flow
    return redirect(flow["auth_uri"])


@app.route("/getAToken")
def authorized():
    device = PublicClientApplication(CLIENT_ID, authority=AUTHORITY)  # expect: HB203 "PublicClientApplication() has no timeout" "handler 'authorized'"
    bounded_device = PublicClientApplication(CLIENT_ID, authority=AUTHORITY, timeout=HTTP_TIMEOUT)  # ok: timeout given
    result = ENTRA.acquire_token_by_auth_code_flow(session.get("flow", {}), request.args)
    session["user"] = result.get("id_token_claims")
    return redirect(url_for("index", device=bool(device and bounded_device)))
