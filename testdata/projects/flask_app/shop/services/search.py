from shop.clients.http import HttpClient


def search_web(query):
    return fetch_results(query)


def fetch_results(query):
    client = HttpClient()
    return client.get_json("/search?q=" + query)


def unused_helper():
    return HttpClient().get_json("/never")
