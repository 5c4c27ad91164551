from django.core.management.base import BaseCommand

from shop.services import fetch_feed


class Command(BaseCommand):
    def handle(self, *args, **options):
        fetch_feed()
