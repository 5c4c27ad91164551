"""authlib's Django registry whose registrations give the sessions a default timeout."""
import requests
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.shortcuts import redirect

oauth = OAuth()
oauth.register(
    "keycloak",
    server_metadata_url=settings.KEYCLOAK_METADATA_URL,
    client_kwargs={"scope": "openid", "default_timeout": 10},
)
oauth.register("gitlab", **settings.GITLAB_OAUTH)


def callback(request):
    # the registry's sessions have a default timeout: nothing here waits forever
    token = oauth.keycloak.authorize_access_token(request)  # ok: HB201 default_timeout registered
    claims = oauth.keycloak.userinfo(token=token)  # ok: HB201 default_timeout registered
    projects = oauth.gitlab.get("projects", token=token)  # ok: HB201 options unseen
    request.session["user"] = {**claims, "projects": projects.json()}
    return redirect("/")


def audit(request):
    # the registry's default timeout is its sessions' own: a plain requests call has none
    requests.post(settings.AUDIT_WEBHOOK, json={"user": request.session["user"]})  # expect: HB201 "requests.post() has no timeout"
