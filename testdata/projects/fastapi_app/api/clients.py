import requests


class SyncClient:
    def fetch(self, path):
        return requests.get("https://api.example.com" + path).json()


CLIENT = SyncClient()
