import requests


class HttpClient:
    def __init__(self):
        self.session = requests.Session()

    def get_json(self, path):
        return self.session.get("https://api.example.com" + path).json()


CLIENT = HttpClient()
