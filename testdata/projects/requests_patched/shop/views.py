"""Shop endpoints: requests gets its timeout from shop.startup's patch."""
import urllib.request

import requests
from flask import Flask, jsonify

app = Flask(__name__)
CATALOG_URL = "https://catalog.internal"
SESSION = requests.Session()


@app.get("/items/<iid>")
def item(iid):
    data = requests.get(f"{CATALOG_URL}/items/{iid}").json()  # ok: HTTPAdapter.send is patched in shop/startup.py
    stock = SESSION.post(f"{CATALOG_URL}/stock/{iid}").json()  # ok: same patch, every session
    legacy = urllib.request.urlopen(f"{CATALOG_URL}/legacy/{iid}").read()  # expect: HB202 "urlopen() has no timeout" "handler 'item'"
    return jsonify(data=data, stock=stock, legacy=len(legacy))
