"""Catalog service: Flask app split into blueprints (catalog, admin)."""
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.request import urlopen

import requests
from flask import Blueprint, Flask, Response, current_app, jsonify, request, stream_with_context
from flask.views import MethodView

UPSTREAM = "https://inventory.internal"
DEFAULT_TIMEOUT = (3.05, 10)
HTTP = requests.Session()  # ok: HB103 module-level shared session, not created per request
EXECUTOR = ThreadPoolExecutor(max_workers=8)  # ok: HB504 module-level executor, not per request


class Settings:
    UPSTREAM_TIMEOUT = 4.0


app = Flask(__name__)
catalog = Blueprint("catalog", __name__, url_prefix="/catalog")
admin = Blueprint("admin", __name__, url_prefix="/admin")


@app.before_request
def load_flags():
    request.flags = HTTP.get("https://flags.internal/v1/flags", timeout=0.5).json()  # ok: HB201 numeric timeout


@catalog.route("/items/<int:item_id>")
def get_item(item_id):
    resp = requests.get(f"{UPSTREAM}/items/{item_id}")  # expect: HB201
    resp.raise_for_status()
    return jsonify(resp.json())


@catalog.get("/items")
def list_items():
    resp = requests.get(f"{UPSTREAM}/items", params=request.args, timeout=DEFAULT_TIMEOUT)  # ok: HB201 timeout passed as a name
    return jsonify(resp.json())


@catalog.post("/items")
def create_item():
    resp = HTTP.post(f"{UPSTREAM}/items", json=request.get_json())  # expect: HB201
    return jsonify(resp.json()), resp.status_code


@catalog.put("/items/<int:item_id>")
def update_item(item_id):
    resp = HTTP.put(f"{UPSTREAM}/items/{item_id}", json=request.get_json(), timeout=Settings.UPSTREAM_TIMEOUT)  # ok: HB201 timeout is an attribute
    return jsonify(resp.json()), resp.status_code


@catalog.delete("/items/<int:item_id>")
def delete_item(item_id):
    resp = HTTP.delete(f"{UPSTREAM}/items/{item_id}", timeout=None)  # expect: HB201
    return "", resp.status_code


@catalog.route("/items/<int:item_id>/price")
def item_price(item_id):
    return jsonify(price=_fetch_price(item_id))


def _fetch_price(item_id):
    r = requests.get(f"https://pricing.internal/items/{item_id}")  # expect: HB201
    r.raise_for_status()
    return r.json()["price"]


@catalog.route("/items/<int:item_id>/image")
def item_image(item_id):
    upstream = requests.get(f"{UPSTREAM}/images/{item_id}", stream=True, timeout=10)  # ok: HB101 body handed to the streaming Response
    return Response(stream_with_context(upstream.iter_content(chunk_size=8192)), content_type=upstream.headers["Content-Type"])


@catalog.route("/items/<int:item_id>/manual/size")
def manual_size(item_id):
    r = requests.get(f"{UPSTREAM}/manuals/{item_id}", stream=True, timeout=10)  # ok: HB101 throw-away session, closed with the locals (issue 12)
    return jsonify(size=int(r.headers.get("Content-Length", 0)))


@catalog.route("/export.csv")
def export_csv():
    with requests.get(f"{UPSTREAM}/export", stream=True, timeout=(3, 30)) as r:  # ok: HB101 used as a context manager; HB201 tuple timeout
        r.raise_for_status()
        rows = [line for line in r.iter_lines()]
    return Response(b"\n".join(rows), mimetype="text/csv")


@catalog.route("/items/<int:item_id>/reviews")
def reviews(item_id):
    s = requests.Session()  # expect: HB103
    s.headers["Authorization"] = f"Bearer {current_app.config['REVIEWS_TOKEN']}"
    r = s.get(f"https://reviews.internal/items/{item_id}", timeout=5)
    return jsonify(r.json())


@catalog.route("/items/<int:item_id>/questions")
def questions(item_id):
    s = requests.Session()  # ok: HB103 closed in finally
    try:
        r = s.get(f"https://qa.internal/items/{item_id}")  # expect: HB201
        return jsonify(r.json())
    finally:
        s.close()


@admin.route("/reindex", methods=["POST"])
def reindex():
    result = subprocess.run(["/usr/local/bin/reindex", "--all"], capture_output=True)  # expect: HB204
    return jsonify(rc=result.returncode, out=result.stdout.decode())


@admin.route("/version")
def version():
    out = subprocess.check_output(["git", "rev-parse", "HEAD"], timeout=5)  # ok: HB204 timeout given
    return out.decode().strip()


@admin.route("/notify", methods=["POST"])
def notify():
    payload = request.get_json()
    threading.Thread(target=_send_notification, args=(payload,), daemon=True).start()  # expect: HB501
    return "", 202


def _send_notification(payload):
    requests.post("https://hooks.internal/notify", json=payload)  # ambiguous: HB201 only a thread target of a handler, never called by name; the spec's 'reachable' lists calls only


@admin.route("/warm-cache", methods=["POST"])
def warm_cache():
    keys = request.get_json()["keys"]
    pool = ThreadPoolExecutor(max_workers=4)  # expect: HB504
    results = list(pool.map(_warm_one, keys))
    return jsonify(warmed=sum(results))


@admin.route("/warm-cache/v2", methods=["POST"])
def warm_cache_v2():
    keys = request.get_json()["keys"]
    with ThreadPoolExecutor(max_workers=4) as pool:  # ok: HB504 executor used in with
        results = list(pool.map(_warm_one, keys))
    return jsonify(warmed=sum(results))


def _warm_one(key):
    r = HTTP.get(f"{UPSTREAM}/warm/{key}", timeout=2)
    return r.ok


@admin.route("/wait-for-migration")
def wait_for_migration():
    while True:  # expect: HB304
        status = HTTP.get(f"{UPSTREAM}/migration", timeout=5).json()
        if status["state"] == "done":
            current_app.logger.info("migration finished")
        time.sleep(2)


@admin.route("/wait-for-migration/v2")
def wait_for_migration_v2():
    deadline = time.monotonic() + 30
    while True:  # ok: HB304 loop returns
        status = HTTP.get(f"{UPSTREAM}/migration", timeout=5).json()
        if status["state"] == "done":
            return jsonify(status)
        if time.monotonic() > deadline:
            return jsonify(status), 504
        time.sleep(2)


class StockView(MethodView):
    def __init__(self):
        self.session = requests.Session()  # ok: HB103 stored on self

    def get(self, sku):
        r = self.session.get(f"{UPSTREAM}/stock/{sku}")  # expect: HB201
        return jsonify(r.json())

    def post(self, sku):
        r = self.session.post(f"{UPSTREAM}/stock/{sku}", json=request.get_json(), timeout=5)  # ok: HB201 timeout given
        return jsonify(r.json())


def healthz():
    body = urlopen("http://localhost:9000/ping").read()  # expect: HB202; ok: HB102 read to the end, the socket closes at EOF (issue 12)
    return body


def sync_catalog_cli():
    """Run from cron (`flask sync-catalog`); not a request handler and not reached from one."""
    dump = requests.get(f"{UPSTREAM}/full-dump")  # expect: HB201 "function 'sync_catalog_cli'"
    subprocess.run(["psql", "-c", "VACUUM"])  # ok: HB204 not reachable from a handler
    return dump.json()


app.add_url_rule("/healthz", "healthz", view_func=healthz)
app.add_url_rule("/stock/<sku>", view_func=StockView.as_view("stock"))
app.register_blueprint(catalog)
app.register_blueprint(admin)
