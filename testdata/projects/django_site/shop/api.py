from .services import fetch_feed


def webhook(request):
    return fetch_feed()
