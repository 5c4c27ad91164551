"""Blog URLs: most views live in views.py; two small ones are defined right here."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from . import views


def robots_txt(request):  # handler
    return HttpResponse("User-agent: *\nDisallow: /admin/", content_type="text/plain")


def version(request):  # handler
    return JsonResponse({"version": "3.1"})


def build_sitemap(request):
    """Not routed: a helper taking request outside a views module."""
    return []


urlpatterns = [
    path("", views.index, name="index"),
    path("robots.txt", robots_txt),
    re_path(r"^version/?$", login_required(version), name="version"),
    path("old/", RedirectView.as_view(url="/")),
    path("api/", include("blog.api.urls")),
]
