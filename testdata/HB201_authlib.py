"""Sign-in with an OpenID Connect provider and GitHub through authlib's Flask registry.

Every call of a registered app builds an authlib OAuth2Session, a requests.Session that has no
timeout unless the registration gives it one.
"""
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, current_app, redirect, session, url_for

from .models import User, login_user
from .providers import partner_oauth

bp = Blueprint("sso", __name__)
oauth = OAuth()


def init_app(app):
    oauth.init_app(app)
    oauth.register(
        name="proconnect",
        client_id=app.config["PROCONNECT_CLIENT_ID"],
        client_secret=app.config["PROCONNECT_CLIENT_SECRET"],
        server_metadata_url=app.config["PROCONNECT_OPENID_CONF_URL"],
        client_kwargs={"scope": "openid email profile"},
    )
    oauth.register(name="github", api_base_url="https://api.github.com/", client_kwargs={"scope": "user:email"})
    oauth.register("partner", server_metadata_url=None, client_kwargs={"scope": "openid"})
    # a warm-up at start-up: a stall here is seen at once, and holds no request
    oauth.proconnect.load_server_metadata()  # ok: HB201 reached by no handler


@bp.route("/login")
def login():
    # the first login of each process fetches the discovery document of server_metadata_url
    return oauth.proconnect.authorize_redirect(url_for("sso.callback", _external=True))  # expect: HB201 "oauth.proconnect.authorize_redirect() fetches the provider's server metadata with no timeout" "handler 'login'" "default_timeout"


@bp.route("/login/<name>")
def login_with(name):
    if name == "partner":
        return oauth.partner.authorize_redirect(url_for("sso.callback", _external=True))  # ok: HB201 server_metadata_url=None
    client = oauth.create_client("proconnect" if name == "pc" else "github")
    return client.authorize_redirect(url_for("sso.callback", _external=True))  # ok: HB201 the app's name is not written out


@bp.route("/logout")
def logout():
    # a process that served no login yet fetches the document here
    metadata = oauth.proconnect.load_server_metadata()  # expect: HB201 "oauth.proconnect.load_server_metadata() fetches"
    session.clear()
    return redirect(metadata["end_session_endpoint"])


@bp.route("/github/login")
def github_login():
    # no discovery document: authorize_redirect() only builds the URL
    github = oauth.create_client("github")
    return github.authorize_redirect(url_for("sso.github_callback", _external=True))  # ok: HB201 no server_metadata_url


@bp.route("/callback")
def callback():
    token = oauth.proconnect.authorize_access_token()  # expect: HB201 "oauth.proconnect.authorize_access_token() has no timeout" "handler 'callback'"
    metadata = oauth.proconnect.load_server_metadata()  # ok: HB201 authorize_access_token() above loaded it
    resp = oauth.proconnect.get(metadata["userinfo_endpoint"])  # expect: HB201 "oauth.proconnect.get() has no timeout"
    resp.raise_for_status()
    session["id_token"] = token["id_token"]
    return _sign_in(oauth.proconnect.userinfo(token=token))  # expect: HB201 "userinfo() has no timeout"


@bp.route("/github/callback")
def github_callback():
    client = oauth.create_client("github")
    token = client.authorize_access_token(timeout=10)  # ok: HB201 literal timeout
    profile = client.get("user", token=token)  # expect: HB201 "client.get() has no timeout" "handler 'github_callback'"
    emails = client.get("user/emails", token=token, timeout=(3.05, 10))  # ok: HB201 tuple
    return _sign_in({**profile.json(), "emails": emails.json()})


@bp.route("/github/refresh")
def github_refresh():
    github = oauth.register("github-refresh", client_kwargs={"scope": "user"})
    github.fetch_access_token(grant_type="refresh_token", refresh_token=session["refresh"])  # expect: HB201 "github.fetch_access_token()"
    options = {"timeout": current_app.config["SSO_TIMEOUT"]}
    github.request("GET", "user", **options)  # ok: HB201 **dict with timeout
    return redirect(url_for("index"))


@bp.route("/partner")
def partner():
    # a name of a module the fixture does not hold: its kind is unknown
    return _sign_in(partner_oauth.partner.userinfo())  # ok: HB201 a name of an unknown module


def _sign_in(claims):
    user = User.objects(email=claims["email"]).first()
    login_user(user)
    return redirect(url_for("index"))
