"""Billing service: Flask app with blueprints, hooks, class-based views and look-alikes."""
import functools
from functools import cache

import click
import pytest
from flask import Blueprint, Flask, abort, g, jsonify, request
from flask.views import MethodView, View

from .auth import login_required
from .db import Invoice, session_scope

app = Flask(__name__)
billing = Blueprint("billing", __name__, url_prefix="/billing")


@app.route("/health")
def health():  # handler
    return jsonify(status="ok")


@app.get("/invoices/<int:invoice_id>")
@login_required
def show_invoice(invoice_id):  # handler
    invoice = load_invoice(invoice_id)
    return jsonify(invoice.as_dict())


@billing.post("/invoices")
def create_invoice():  # handler
    payload = request.get_json()
    with session_scope() as db:
        invoice = Invoice(**payload)
        db.add(invoice)
    return jsonify(invoice.as_dict()), 201


@billing.route("/invoices/<int:invoice_id>", methods=["DELETE"])
def delete_invoice(invoice_id):  # handler
    load_invoice(invoice_id).delete()
    return "", 204


@app.before_request
def open_tenant():  # handler
    g.tenant = request.headers.get("X-Tenant")


@billing.after_request
def add_cache_headers(response):  # handler
    response.headers["Cache-Control"] = "no-store"
    return response


@app.errorhandler(404)
def not_found(error):  # handler
    return jsonify(error="not found"), 404


@billing.before_app_request
def count_request():  # handler
    g.billing_requests = getattr(g, "billing_requests", 0) + 1


def export_csv(invoice_id):  # handler
    return load_invoice(invoice_id).to_csv()


app.add_url_rule("/invoices/<int:invoice_id>/csv", "export_csv", export_csv)


def export_pdf(invoice_id):  # handler
    return load_invoice(invoice_id).to_pdf()


app.add_url_rule("/invoices/<int:invoice_id>/pdf", view_func=login_required(export_pdf))


class InvoiceAPI(MethodView):
    decorators = [login_required]

    def get(self, invoice_id):  # handler
        return jsonify(load_invoice(invoice_id).as_dict())

    def put(self, invoice_id):  # handler
        return jsonify(update_invoice(invoice_id, request.get_json()))

    def _serialise(self, invoice):
        return invoice.as_dict()

    @property
    def page_size(self):
        return int(request.args.get("size", 20))


class ReportView(View):
    methods = ["GET"]

    def dispatch_request(self):  # handler
        return jsonify(build_report())

    def get(self):  # handler
        return self.dispatch_request()


app.add_url_rule("/api/invoices/<int:invoice_id>", view_func=InvoiceAPI.as_view("invoice_api"))


def create_app(config=None):
    factory_app = Flask("billing-factory")

    @factory_app.route("/ping")
    def ping():  # handler
        return "pong"

    def version():  # handler
        return jsonify(version=VERSION)

    factory_app.add_url_rule("/version", view_func=version)
    factory_app.register_blueprint(billing)
    return factory_app


# -- look-alikes that are not handlers -------------------------------------------

VERSION = "1.4.2"


def load_invoice(invoice_id):
    invoice = Invoice.query.get(invoice_id)
    if invoice is None:
        abort(404)
    return invoice


def update_invoice(invoice_id, data):
    return load_invoice(invoice_id).update(data)


def build_report(request=None):
    return {"count": Invoice.query.count()}


@functools.lru_cache(maxsize=32)
def currency_table():
    return {"EUR": 2, "JPY": 0}


@cache
def tax_rates():
    return {"FR": 0.2}


@click.command()
@click.option("--days", default=30)
def purge_invoices(days):
    Invoice.purge_older_than(days)


@app.cli.command("seed")
def seed():
    Invoice.seed()


@pytest.fixture
def client():
    return app.test_client()


class InvoiceCache:
    def get(self, invoice_id):
        return self._store.get(invoice_id)

    def delete(self, invoice_id):
        self._store.pop(invoice_id, None)


class Money:
    def __init__(self, cents):
        self._cents = cents

    @property
    def cents(self):
        return self._cents

    @cents.setter
    def cents(self, value):
        self._cents = value

    @cents.getter
    def cents(self):
        return self._cents
