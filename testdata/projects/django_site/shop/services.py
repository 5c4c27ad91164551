import requests


class ProductService:
    def load(self, pk):
        return requests.get(f"https://erp.example.com/products/{pk}").json()


class Catalog:
    def listing(self):
        return fetch_feed()


def fetch_feed():
    return requests.get("https://feed.example.com").json()


CATALOG = Catalog()
