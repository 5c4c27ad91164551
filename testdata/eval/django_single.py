"""Single-file Django microservice (settings, views and urls in one module)."""
import subprocess

import requests
from django.conf import settings
from django.http import JsonResponse
from django.urls import path, re_path

settings.configure(DEBUG=False, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"])


def ping(req):
    r = requests.get("http://upstream.internal/ping")  # expect: HB201
    return JsonResponse({"upstream": r.status_code})


def version(req, part):
    out = subprocess.run(["git", "describe", "--tags"], capture_output=True)  # expect: HB204
    return JsonResponse({"version": out.stdout.decode().strip(), "part": part})


def _warm(req):
    """Not routed: called by the management command only."""
    return requests.get("http://upstream.internal/warm")  # expect: HB201 "function '_warm'"


urlpatterns = [
    path("ping/", ping),
    re_path(r"^version/(?P<part>\w+)/$", version),
]
