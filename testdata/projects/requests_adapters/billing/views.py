"""Billing endpoints: sessions whose adapters come from billing.adapters."""
import requests
from flask import Flask, jsonify

from billing import TimeoutAdapter
from billing.adapters import FillingAdapter, RetryingAdapter, SlowTimeoutAdapter

app = Flask(__name__)
LEDGER_URL = "https://ledger.internal"

LEDGER = requests.Session()
LEDGER.mount("https://", TimeoutAdapter())
REPORTS = requests.Session()
REPORTS.mount("https://", SlowTimeoutAdapter())
FILLED = requests.Session()
FILLED.mount("https://", FillingAdapter())
RETRYING = requests.Session()
RETRYING.mount("https://", RetryingAdapter())


@app.get("/invoices/<iid>")
def invoice(iid):
    entry = LEDGER.get(f"{LEDGER_URL}/invoices/{iid}").json()  # ok: TimeoutAdapter (re-exported by billing) sets one
    report = REPORTS.get(f"{LEDGER_URL}/reports/{iid}").json()  # ok: SlowTimeoutAdapter inherits TimeoutAdapter.send
    FILLED.get(f"{LEDGER_URL}/filled/{iid}")  # expect: HB201 "FILLED.get() has no timeout (its mounted adapter's send() only fills in a missing timeout" "handler 'invoice'"
    RETRYING.get(f"{LEDGER_URL}/retry/{iid}")  # expect: HB201 "RETRYING.get() has no timeout" "handler 'invoice'"
    requests.get(f"{LEDGER_URL}/health")  # expect: HB201 "requests.get() has no timeout" "handler 'invoice'"
    return jsonify(entry=entry, report=report)
