from typing import Optional

from shop.clients.http import CLIENT
from shop.clients.providers import BaseProvider, WebProvider


def build_report():
    return CLIENT.get_json("/report")


class ReportService:
    provider: Optional[BaseProvider] = None

    def __init__(self):
        self.provider = self.provider or WebProvider()

    def run(self):
        return self.provider.search("all")
