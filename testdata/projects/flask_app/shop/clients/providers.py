import requests


class BaseProvider:
    def search(self, query):
        raise NotImplementedError


class WebProvider(BaseProvider):
    def search(self, query):
        return requests.get("https://search.example.com", params={"q": query}).json()


class ArchiveProvider(BaseProvider):
    def search(self, query):
        return fetch_archive(query)


def fetch_archive(query):
    return requests.get("https://archive.example.com").json()
