"""User service: Flask views that call the accounts API with requests."""
import asyncio
import functools
import importlib
from concurrent.futures import ThreadPoolExecutor

import requests
import requests as rq
from requests import Session, get as fetch
from requests.adapters import HTTPAdapter
from flask import Flask, jsonify, request
from flask.views import MethodView
from flask_dance.contrib.github import github, make_github_blueprint
from requests_oauthlib import OAuth2Session
from authlib.integrations.requests_client import AssertionSession, OAuth2Session as AuthlibSession
from google_auth_oauthlib.flow import Flow
from pywebpush import webpush

from .adaptors import LazyImport, lazy_gettext
from .settings import API_TIMEOUT, ACCOUNTS_URL, GOOGLE_CLIENT, VAPID_KEY

# Imported when first used (as skypilot's cloud adaptors do): these names stand for the modules.
lazy_requests = LazyImport("requests")
loaded_requests = importlib.import_module("requests")
chosen = LazyImport(ACCOUNTS_URL)  # not a module name written out: unknown
label = lazy_gettext("requests")  # a translated string, not a module
app = Flask(__name__)
POOL = ThreadPoolExecutor(max_workers=4)
SESSION = requests.Session()
TIMEOUTS = (3.05, 27)
SIGNED = {"headers": {"X-Signed": "1"}, "verify": True}
BOUNDED = {"headers": {"X-Signed": "1"}, "timeout": TIMEOUTS}
TUNED = dict(verify=False, allow_redirects=False)
EXTRA = {"headers": {}}
EXTRA.update(timeout=TIMEOUTS)
# Fetched once at import: a stall stops the start-up (seen at once) and holds no request.
BRANDING = requests.get(f"{ACCOUNTS_URL}/branding").json()  # ok: HB201 import time, start-up


@app.get("/users/<uid>")
def show_user(uid):
    profile = requests.get(f"{ACCOUNTS_URL}/users/{uid}").json()  # expect: HB201 "requests.get() has no timeout" "handler 'show_user'"
    orders = requests.get(f"{ACCOUNTS_URL}/orders/{uid}", timeout=API_TIMEOUT).json()  # ok: timeout is a name
    avatar = fetch(profile["avatar_url"])  # expect: HB201 "fetch() has no timeout" "handler 'show_user'"
    return jsonify(profile=profile, orders=orders, avatar=avatar.content.hex())


@app.post("/users")
def create_user():
    payload = request.get_json()
    SESSION.post(f"{ACCOUNTS_URL}/users", json=payload)  # expect: HB201 "SESSION.post() has no timeout" "handler 'create_user'"
    SESSION.post(f"{ACCOUNTS_URL}/audit", json=payload, timeout=TIMEOUTS)  # ok: tuple held in a name
    rq.put(f"{ACCOUNTS_URL}/index", json=payload, timeout=(3.05, 10))  # ok: literal tuple
    rq.delete(f"{ACCOUNTS_URL}/cache/{payload['id']}", timeout=None)  # expect: HB201 "rq.delete() passes timeout=None" "handler 'create_user'"
    notify(payload)
    return jsonify(ok=True), 201


def notify(payload):
    with Session() as session:
        session.post(f"{ACCOUNTS_URL}/notify", data=payload)  # expect: HB201 "session.post() has no timeout" "handler 'create_user' via notify()"
        session.post(f"{ACCOUNTS_URL}/notify", data=payload, **{"timeout": 3})  # ok: literal **dict with timeout
        session.post(f"{ACCOUNTS_URL}/notify", data=payload, **{"verify": False})  # expect: HB201 "session.post() has no timeout" "handler 'create_user' via notify()"


def forward(method, url, **kwargs):
    # Wrapper forwarding **kwargs: the caller decides the timeout.
    return requests.request(method, url, **kwargs)  # ok: unseen **kwargs


def account(uid, timeout=None):
    # Wrapper whose timeout parameter defaults to none: its callers decide.
    return requests.get(f"{ACCOUNTS_URL}/accounts/{uid}", timeout=timeout).json()  # ok: the caller's timeout


@app.get("/accounts/<uid>")
def show_account(uid):
    mine = account(uid)  # expect: HB201 "account() passes no timeout on to requests.get()" "handler 'show_account'"
    theirs = account(uid, timeout=TIMEOUTS)  # ok: given
    shared = account(uid, API_TIMEOUT)  # ok: given in its place
    forward("GET", f"{ACCOUNTS_URL}/ping", timeout=TIMEOUTS)  # ok: given to the **kwargs wrapper
    return jsonify(mine=mine, theirs=theirs, shared=shared)


def offline_report():
    # Not a handler and not reached from one: a batch job may wait.
    return requests.get(f"{ACCOUNTS_URL}/report").text  # expect: HB201 "requests.get() has no timeout" "function 'offline_report'"


class AccountsClient:
    def __init__(self, base_url: str, settings):
        self.base_url = base_url
        self.http = requests.Session()
        self.settings = settings

    def fetch(self, uid):
        # Reached only through an instance, not by name: outside the handler scope.
        return self.http.get(f"{self.base_url}/{uid}")  # expect: HB201 "self.http.get() has no timeout" "handler 'account'" "via AccountsClient.fetch()"

    def fetch_quietly(self, uid):
        return self.http.get(f"{self.base_url}/{uid}", timeout=self.settings.timeout)  # ok: attribute timeout


@app.get("/accounts/<uid>")
def account(uid, client: AccountsClient = None):
    data = AccountsClient(ACCOUNTS_URL, app.config).fetch(uid)
    helper_session: requests.Session = app.extensions["http"]
    helper_session.head(ACCOUNTS_URL)  # expect: HB201 "helper_session.head() has no timeout" "handler 'account'"
    requests.Session().get(f"{ACCOUNTS_URL}/ping")  # expect: HB201 "requests.Session().get() has no timeout" "handler 'account'", HB103 "requests.Session() session is created per request and never closed" "handler 'account'" "use `with`"
    prepared = requests.Request("GET", ACCOUNTS_URL).prepare()
    SESSION.send(prepared)  # expect: HB201 "SESSION.send() has no timeout" "handler 'account'"
    SESSION.send(prepared, timeout=5)  # ok: number
    app.extensions["http"].get(ACCOUNTS_URL)  # ok: receiver of unknown kind
    request.args.get("page")  # ok: not requests
    cache = {}
    cache.get(uid)  # ok: dict.get
    return jsonify(data)


@app.get("/proxy")
def proxy():
    upstream = request.args["url"]
    resp = http_get(upstream)
    return resp.content


def http_get(url, session=None):
    session = session or SESSION
    return session.get(url)  # ok: session's kind is ambiguous (parameter or global)


class AuditSession(requests.Session):
    """A plain subclass: it waits as long as requests.Session does."""


class PatientSession(requests.Session):
    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", TIMEOUTS)
        return super().request(method, url, **kwargs)


@app.post("/signed/<uid>")
def signed(uid):
    requests.post(f"{ACCOUNTS_URL}/signed/{uid}", **SIGNED)  # expect: HB201 "requests.post() has no timeout" "handler 'signed'"
    requests.post(f"{ACCOUNTS_URL}/bounded/{uid}", **BOUNDED)  # ok: the dict holds "timeout"
    SESSION.get(f"{ACCOUNTS_URL}/tuned/{uid}", **TUNED)  # expect: HB201 "SESSION.get() has no timeout" "handler 'signed'"
    SESSION.get(f"{ACCOUNTS_URL}/extra/{uid}", **EXTRA)  # ok: the dict is changed by update(): keys unknown
    SESSION.get(f"{ACCOUNTS_URL}/merged/{uid}", **{**SIGNED, "timeout": 5})  # ok: the merged dict adds a timeout
    AuditSession().post(f"{ACCOUNTS_URL}/audit/{uid}")  # expect: HB201 "AuditSession().post() has no timeout" "handler 'signed'", HB103 "AuditSession() session is created per request and never closed"
    PatientSession().post(f"{ACCOUNTS_URL}/patient/{uid}")  # ok: HB201 the subclass sets a default timeout in request(); expect: HB103 "PatientSession() session is created per request and never closed"
    return jsonify(ok=True)


@app.get("/import")
def import_feed():
    url = request.args["url"]
    options = {}
    if request.args.get("proxy"):
        options["proxies"] = {"https": request.args["proxy"]}
    feed = requests.get(url, **options)  # expect: HB201 "requests.get() has no timeout" "handler 'import_feed'"
    limits = {"verify": True}
    if request.args.get("slow"):
        limits["timeout"] = 60
    backup = requests.get(url, **limits)  # ok: an item written out may add "timeout"
    extra = {}
    extra[request.args["option"]] = request.args["value"]
    mirror = requests.get(url, **extra)  # ok: an item under a computed key could be "timeout"
    return jsonify(feed=feed.text, backup=backup.text, mirror=mirror.text)


class TimeoutAdapter(HTTPAdapter):
    """Every request sent through it gets a timeout unless the caller gave one."""

    def __init__(self, *args, timeout=TIMEOUTS, **kwargs):
        self.timeout = timeout
        super().__init__(*args, **kwargs)

    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class RetryAdapter(HTTPAdapter):
    """Retries, and no timeout: it inherits HTTPAdapter.send()."""

    def __init__(self):
        super().__init__(max_retries=3)


class DefaultingAdapter(HTTPAdapter):
    def send(self, request, **kwargs):
        kwargs.setdefault("timeout", TIMEOUTS)  # Session.request() passes timeout=None: this never applies to get()
        return super().send(request, **kwargs)


def timed_session():
    session = requests.Session()
    adapter = TimeoutAdapter(timeout=5)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


BILLING = timed_session()
RETRYING = requests.Session()
RETRYING.mount("https://", RetryAdapter())
DEFAULTING = requests.Session()
DEFAULTING.mount("https://", DefaultingAdapter())
PARTIAL = requests.Session()
PARTIAL.request = functools.partial(PARTIAL.request, timeout=TIMEOUTS)
PLAIN_MOUNT = requests.Session()
PLAIN_MOUNT.mount("https://", HTTPAdapter(max_retries=2))


class LedgerClient:
    def __init__(self):
        self.http = requests.Session()
        self.http.mount("https://", TimeoutAdapter(timeout=3))

    def entries(self, uid):
        return self.http.get(f"{ACCOUNTS_URL}/ledger/{uid}")  # ok: a TimeoutAdapter is mounted in __init__


@app.get("/billing/<uid>")
def billing(uid):
    invoice = BILLING.get(f"{ACCOUNTS_URL}/billing/{uid}").json()  # ok: the factory mounts a TimeoutAdapter
    BILLING.post(f"{ACCOUNTS_URL}/billing/{uid}/seen")  # ok: same session
    RETRYING.get(f"{ACCOUNTS_URL}/retrying/{uid}")  # expect: HB201 "RETRYING.get() has no timeout" "handler 'billing'"
    DEFAULTING.get(f"{ACCOUNTS_URL}/defaulting/{uid}")  # expect: HB201 "DEFAULTING.get() has no timeout (its mounted adapter's send() only fills in a missing timeout, and Session.request() always passes timeout=None)"
    DEFAULTING.send(requests.Request("GET", ACCOUNTS_URL).prepare())  # ok: a direct send() passes no timeout key: setdefault() fills it
    PARTIAL.post(f"{ACCOUNTS_URL}/partial/{uid}")  # ok: request() replaced by a partial with a timeout
    PLAIN_MOUNT.get(f"{ACCOUNTS_URL}/plain/{uid}")  # expect: HB201 "PLAIN_MOUNT.get() has no timeout" "handler 'billing'"
    requests.get(f"{ACCOUNTS_URL}/status")  # expect: HB201 "requests.get() has no timeout" "handler 'billing'"
    with requests.Session() as scoped:
        scoped.mount("https://", TimeoutAdapter())
        scoped.get(f"{ACCOUNTS_URL}/scoped/{uid}")  # ok: mounted on this session
    with requests.Session() as bare:
        bare.get(f"{ACCOUNTS_URL}/bare/{uid}")  # expect: HB201 "bare.get() has no timeout" "handler 'billing'"
    return jsonify(invoice=invoice, entries=LedgerClient().entries(uid).json())


@app.get("/link/github")
def github_profile():
    # flask-dance's provider proxy and requests-oauthlib's session are requests.Session subclasses.
    profile = github.get("/user")  # expect: HB201 "github.get() has no timeout" "handler 'github_profile'"
    teams = github.get("/user/teams", timeout=API_TIMEOUT)  # ok: timeout passed as a name
    blueprint = make_github_blueprint(client_id="id", client_secret="secret")  # ok: builds no request
    oauth = OAuth2Session("client-id", token=profile.json().get("token"))
    oauth.get(f"{ACCOUNTS_URL}/me")  # expect: HB201 "oauth.get() has no timeout" "handler 'github_profile'"
    oauth.get(f"{ACCOUNTS_URL}/me", **{"timeout": 5})  # ok: timeout in a literal mapping
    # Its token calls request too, with timeout=None unless given (the 10th positional of fetch_token).
    oauth.fetch_token(f"{ACCOUNTS_URL}/token", client_secret="secret")  # expect: HB201 "oauth.fetch_token() has no timeout" "handler 'github_profile'"
    oauth.fetch_token(f"{ACCOUNTS_URL}/token", None, None, "", None, None, None, "POST", False, 5)  # ok: positional timeout
    oauth.refresh_token(f"{ACCOUNTS_URL}/token", timeout=API_TIMEOUT)  # ok: timeout passed as a name
    blueprint.session.fetch_token(f"{ACCOUNTS_URL}/token")  # ok: receiver of unknown kind
    oauth.close()
    return jsonify(profile=profile.json(), teams=teams.json(), blueprint=blueprint.name)


@app.get("/login/gitea/callback")
def gitea_callback():
    # authlib's requests sessions: requests.Session subclasses whose `default_timeout` (None unless
    # given) goes with every request they send, their token calls included.
    client = AuthlibSession("client-id", "secret", redirect_uri=f"{ACCOUNTS_URL}/cb")
    client.create_authorization_url(f"{ACCOUNTS_URL}/authorize")  # ok: builds a URL, sends nothing
    client.fetch_token(f"{ACCOUNTS_URL}/token", authorization_response=request.url)  # expect: HB201 "client.fetch_token() has no timeout" "handler 'gitea_callback'"
    client.revoke_token(f"{ACCOUNTS_URL}/revoke", token="old")  # expect: HB201 "client.revoke_token() has no timeout" "handler 'gitea_callback'"
    user = client.get(f"{ACCOUNTS_URL}/user", timeout=TIMEOUTS)  # ok: timeout passed as a name
    timed = AuthlibSession("client-id", "secret", default_timeout=TIMEOUTS)
    timed.fetch_token(f"{ACCOUNTS_URL}/token", authorization_response=request.url)  # ok: the session's default_timeout
    service = AssertionSession(f"{ACCOUNTS_URL}/token", "issuer", "subject", **{"default_timeout": 10})
    service.get(f"{ACCOUNTS_URL}/audit")  # ok: default_timeout in a literal mapping
    for session in (client, timed, service):
        session.close()
    return jsonify(user=user.json())


def google_flow(state=None):
    return Flow.from_client_config(GOOGLE_CLIENT, scopes=["openid", "email"], state=state,
                                   redirect_uri="https://example.org/login/google/callback")


@app.get("/login/google/callback")
async def google_callback():
    # Google's sign-in sample: the flow hands its keywords to OAuth2Session.fetch_token (no timeout).
    flow = google_flow(request.args["state"])
    await asyncio.to_thread(flow.fetch_token, authorization_response=request.url)  # expect: HB201 "flow.fetch_token() has no timeout" "handler 'google_callback'"
    await asyncio.to_thread(flow.fetch_token, code=request.args["code"], timeout=API_TIMEOUT)  # ok: timeout passed as a name
    retry = Flow(OAuth2Session("client-id"), "web", GOOGLE_CLIENT)
    await asyncio.to_thread(functools.partial(retry.fetch_token, **{"timeout": 10}))  # ok: timeout in a literal mapping
    await asyncio.to_thread(flow.authorization_url, prompt="consent")  # ok: builds a URL, sends nothing
    credentials = flow.credentials
    credentials.fetch_token(code="x")  # ok: receiver of unknown kind
    return jsonify(email=credentials.id_token)


@app.post("/notify/<uid>")
def notify_browser(uid):
    # Web push: the endpoint is whatever URL the browser registered; pywebpush posts with no timeout.
    subscription = request.get_json()["subscription"]
    claims = {"sub": "mailto:ops@example.org"}
    webpush(subscription, "ping", VAPID_KEY, claims)  # expect: HB201 "webpush() has no timeout" "handler 'notify_browser'"
    webpush(subscription_info=subscription, data="ping", vapid_private_key=VAPID_KEY, vapid_claims=claims, timeout=API_TIMEOUT)  # ok: timeout passed as a name
    webpush(subscription, "ping", VAPID_KEY, claims, "aes128gcm", False, 10)  # ok: the 7th positional is the timeout
    webpush(subscription, "ping", VAPID_KEY, claims, **{"timeout": 10, "ttl": 60})  # ok: timeout in a literal mapping
    return jsonify(sent=True)


@app.get("/mirror/<path:name>")
def mirror(name):
    # A dict the view assigns twice (one under an `if`): it holds one of them, keys known either way.
    options = {}
    if request.args.get("insecure"):
        options = {"verify": False}
    page = requests.get(f"{ACCOUNTS_URL}/mirror/{name}", **options)  # expect: HB201 "requests.get() has no timeout" "handler 'mirror'"
    limits = {}
    if request.args.get("slow"):
        limits = {"timeout": 30}
    head = requests.head(f"{ACCOUNTS_URL}/mirror/{name}", **limits)  # ok: one of the dicts it may hold gives a timeout
    return jsonify(size=len(page.content), type=head.headers.get("content-type"))


@app.get("/users/<uid>/reviewed")
def reviewed_user(uid):
    # Lines whose maintainers silenced another linter's same check: read and kept on purpose.
    profile = requests.get(f"{ACCOUNTS_URL}/users/{uid}")  # noqa: S113  # ok: ruff/flake8-bandit request-without-timeout silenced here
    orders = requests.get(f"{ACCOUNTS_URL}/orders/{uid}")  # pylint: disable=missing-timeout  # ok: pylint's missing-timeout
    teams = requests.get(f"{ACCOUNTS_URL}/teams/{uid}")  # pylint: disable=W0613,W3101  # ok: pylint's W3101 among others
    avatar = requests.get(f"{ACCOUNTS_URL}/avatar/{uid}")  # noqa: S112  # expect: HB201 "requests.get() has no timeout" "handler 'reviewed_user'"
    groups = requests.get(f"{ACCOUNTS_URL}/groups/{uid}")  # noqa: RUF006  # expect: HB201 "requests.get() has no timeout" "handler 'reviewed_user'"
    roles = requests.get(f"{ACCOUNTS_URL}/roles/{uid}")  # pylint: disable=missing-docstring  # expect: HB201 "requests.get() has no timeout" "handler 'reviewed_user'"
    return jsonify(p=profile.json(), o=orders.json(), t=teams.json(), a=avatar.json(), g=groups.json(), r=roles.json())


# A session handed to a helper as a parameter: its kind is what every call of the module passes.
def order_status(session, order_id):
    return session.get(f"{ACCOUNTS_URL}/orders/{order_id}").json()  # expect: HB201 "session.get() has no timeout" "handler 'OrdersView.get' via order_status()"


def order_lines(client, order_id):
    return client.get(f"{ACCOUNTS_URL}/orders/{order_id}/lines").json()  # ok: one caller passes a client of unknown kind


def order_notes(session, order_id, retries=3):
    return session.get(f"{ACCOUNTS_URL}/orders/{order_id}/notes", timeout=TIMEOUTS).json()  # ok: timeout given


def order_history(session=None):
    return (session or SESSION).get(f"{ACCOUNTS_URL}/orders/history")  # ok: a parameter with a default: callers may leave it out


@functools.lru_cache(maxsize=32)
def order_owner(session, order_id):
    return session.get(f"{ACCOUNTS_URL}/orders/{order_id}/owner")  # expect: HB201 "session.get() has no timeout" "function 'order_owner'"


@app.get("/orders/<order_id>/audit")
def order_audit(session, order_id):
    return session.get(f"{ACCOUNTS_URL}/orders/{order_id}/audit")  # ok: a route: the framework calls it too, with arguments of its own


class OrdersView(MethodView):
    def __init__(self):
        self.session = requests.Session()

    def get(self, order_id):
        lines = order_lines(self.session, order_id)
        lines += order_lines(request.environ["orders.client"], order_id)
        notes = order_notes(self.session, order_id)
        return jsonify(status=order_status(self.session, order_id), lines=lines, notes=notes)

    def refresh(self, order_id):
        order_owner(self.session, order_id)
        order_audit(self.session, order_id)
        return order_status(self.session, order_id)


@app.route("/orders/<order_id>/mirror")
def mirror_order(order_id):
    # The pool's thread makes the call with the arguments after it: the request waits for its result.
    primary = POOL.submit(requests.get, f"{ACCOUNTS_URL}/orders/{order_id}")  # expect: HB201 "requests.get() has no timeout" "handler 'mirror_order'"
    backup = POOL.submit(requests.get, f"{ACCOUNTS_URL}/orders/{order_id}", timeout=API_TIMEOUT)  # ok: the timeout passes on to the call
    audit = POOL.submit(order_status, SESSION, order_id)  # ok: a function of the module, judged where it calls
    return jsonify(primary.result(timeout=5).json(), backup.result(timeout=5).json(), audit.result(timeout=5))


@app.route("/orders/<order_id>/archive", methods=["POST"])
async def archive_order(order_id):
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, functools.partial(rq.post, f"{ACCOUNTS_URL}/archive", timeout=TIMEOUTS))  # ok: partial carries the timeout
    return await loop.run_in_executor(None, rq.delete, f"{ACCOUNTS_URL}/orders/{order_id}")  # expect: HB201 "rq.delete() has no timeout" "through functools.partial"


@app.route("/federation/<path:endpoint>", methods=["GET", "POST", "DELETE"])
def federate(endpoint):
    # One name bound to a requests function per branch (privacyidea's federation handler).
    if request.method == "GET":
        requestor = requests.get
    elif request.method == "POST":
        requestor = rq.post
    else:
        requestor = requests.delete
    upstream = requestor(f"{ACCOUNTS_URL}/{endpoint}", data=request.data)  # expect: HB201 "requestor() has no timeout" "handler 'federate'"
    mirror = requestor(f"{ACCOUNTS_URL}/mirror/{endpoint}", data=request.data, timeout=TIMEOUTS)  # ok: timeout given
    send = requests.post if request.data else requests.get
    probe = send(f"{ACCOUNTS_URL}/probe/{endpoint}", data=request.data)  # expect: HB201 "send() has no timeout" "handler 'federate'"
    timed = send(f"{ACCOUNTS_URL}/probe/{endpoint}", data=request.data, timeout=TIMEOUTS)  # ok: timeout given
    return jsonify(upstream.json(), mirror.json(), probe.json(), timed.json())


@app.route("/federation/peers/<peer>")
def federate_peer(peer):
    fetcher = requests.get if peer.startswith("https") else order_status
    first = fetcher(f"{ACCOUNTS_URL}/peers/{peer}")  # ok: fetcher may be a function of the module: unknown
    notify_peer = requests.post
    notify_peer(f"{ACCOUNTS_URL}/peers/{peer}/seen", **{"timeout": API_TIMEOUT})  # ok: timeout in a **dict
    notify_peer(f"{ACCOUNTS_URL}/peers/{peer}/last")  # expect: HB201 "notify_peer() has no timeout" "handler 'federate_peer'"
    lookup = dict.get
    return jsonify(first.json(), lookup({"peer": peer}, "peer"))  # ok: not a requests function


class PageLoader:
    """A scraper that uses the caller's session when given one, else its own (gpt-researcher's)."""

    def __init__(self, link, session=None, client=None):
        self.link = link
        self.session = session or requests.Session()
        self.client = client or make_client()  # a function of the project, of unknown result
        self.lent = session  # only ever the caller's

    def load(self):
        page = self.session.get(self.link)  # expect: HB201 "self.session.get() has no timeout" "method 'PageLoader.load'"
        again = self.session.get(self.link, timeout=TIMEOUTS)  # ok: timeout given
        other = self.client.get(self.link)  # ok: receiver of unknown kind
        lent = self.lent.get(self.link)  # ok: receiver of unknown kind
        return page, again, other, lent


def load_page(link, session=None):
    current = session or requests.Session()  # expect: HB103 "requests.Session() session is created per call and never closed"
    return current.get(link)  # expect: HB201 "current.get() has no timeout" "function 'load_page'"


def make_client():
    return object()


@app.get("/regions")
def list_regions():
    regions = lazy_requests.get(f"{ACCOUNTS_URL}/regions").json()  # expect: HB201 "lazy_requests.get() has no timeout" "handler 'list_regions'"
    zones = loaded_requests.get(f"{ACCOUNTS_URL}/zones").json()  # expect: HB201 "loaded_requests.get() has no timeout" "handler 'list_regions'"
    quotas = lazy_requests.get(f"{ACCOUNTS_URL}/quotas", timeout=API_TIMEOUT).json()  # ok: timeout is a name
    other = chosen.get(f"{ACCOUNTS_URL}/other")  # ok: receiver of unknown kind
    title = label.get(f"{ACCOUNTS_URL}/title")  # ok: receiver of unknown kind
    return jsonify(regions=regions, zones=zones, quotas=quotas, other=other, title=title)


class SearchIndex:
    """A search backend's client that picks the session's verb and sends through one helper
    (as cloudkitty's Elasticsearch storage does)."""

    def __init__(self, url):
        self._url = url
        self._sess = requests.Session()

    def _req(self, method, path, body=None):
        r = method(self._url + path, data=body)  # expect: HB201 "method() as requests.Session." "method 'SearchIndex._req'"
        r.raise_for_status()
        return r.json()

    def _req_bounded(self, method, path):
        return method(self._url + path, timeout=TIMEOUTS).json()  # ok: timeout given

    def _req_any(self, method, path):
        return method(self._url + path).json()  # ok: one caller passes a function of the project

    def search(self, query):
        return self._req(self._sess.post, "/_search", body=query)

    def mapping(self):
        return self._req(self._sess.get, "/_mapping")

    def count(self):
        return self._req_bounded(self._sess.get, "/_count")

    def health(self):
        return self._req_any(self._sess.get, "/_cluster/health")

    def cached(self):
        return self._req_any(make_client, "/_cache")


def send_with(verb, link, **kwargs):
    return verb(link, **kwargs)  # ok: **kwargs may carry the timeout


@app.post("/links")
def post_link():
    sender = requests.post
    first = sender(f"{ACCOUNTS_URL}/links", json=request.json)  # expect: HB201 "sender() has no timeout" "handler 'post_link'"
    limited = functools.partial(requests.post, timeout=TIMEOUTS)
    second = limited(f"{ACCOUNTS_URL}/links", json=request.json)  # ok: the partial gives the timeout
    third = send_with(requests.post, f"{ACCOUNTS_URL}/links", timeout=TIMEOUTS)
    return jsonify(first=first.json(), second=second.json(), third=third.json())


class LinkMirror:
    # the caller's client (a test's fake), else the requests module itself (imported as rq)
    def __init__(self, client=None, fallback=None):
        self.client = client or rq
        self.fallback = fallback or make_client

    def fetch(self, link):
        return self.client.get(link)  # expect: HB201 "self.client.get() has no timeout" "handler 'mirror_link'"

    def fetch_fallback(self, link):
        return self.fallback(link)  # ok: a function of the module, not a requests call


@app.get("/links/mirror")
def mirror_link():
    mirror = LinkMirror()
    return jsonify(first=mirror.fetch(f"{ACCOUNTS_URL}/links").json(), second=mirror.fetch_fallback(ACCOUNTS_URL))
