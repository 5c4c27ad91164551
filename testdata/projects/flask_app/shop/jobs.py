import requests


def nightly_sync():
    return requests.get("https://api.example.com/sync").json()
