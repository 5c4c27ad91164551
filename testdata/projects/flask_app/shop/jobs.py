import requests


def nightly_sync():
    return requests.get("https://api.example.com/sync").json()


def refresh_prices():
    return requests.get("https://api.example.com/prices").json()


def audit():
    return _fetch_audit_log()


def _fetch_audit_log():
    return requests.get("https://api.example.com/audit").json()


def export_rates():
    # Library code its tests call; its real callers are out of the index's sight (a plugin hook).
    return requests.get("https://api.example.com/rates").json()
