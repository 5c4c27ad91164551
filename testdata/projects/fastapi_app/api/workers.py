import time

import requests


def load_items():
    return requests.get("https://db.example.com/items").json()


def crunch(rows):
    time.sleep(1)
    return rows


def resize(rows):
    return rows
