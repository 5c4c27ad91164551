"""Calendar API of a mail suite: events live on a CalDAV server (Radicale), read with caldav."""
import caldav
from caldav import DAVClient as Client
from caldav.davclient import DAVClient
from django.http import JsonResponse
from rest_framework import viewsets

from mailsuite.params import get_global_parameter
from mailsuite.webdav import DAVClient as WebDAVClient

CALDAV_TIMEOUT = 15
DAV_OPTIONS = {"username": "sync", "password": "secret", "timeout": CALDAV_TIMEOUT}


class CaldavBackend:
    def __init__(self, username, password):
        server_url = get_global_parameter("server_location")
        self.client = caldav.DAVClient(server_url, username=username, password=password, auth_type="basic")  # expect: HB203[col=23] "caldav.DAVClient() has no timeout" "pass timeout=<seconds>"
        self.bounded = caldav.DAVClient(server_url, username=username, password=password, timeout=CALDAV_TIMEOUT)  # ok: timeout given

    def calendars(self):
        return self.client.principal().calendars()


class EventViewSet(viewsets.ViewSet):
    def list(self, request):
        url = get_global_parameter("server_location")
        client = DAVClient(url, username=request.user.email, password=request.auth)  # expect: HB203 "DAVClient() has no timeout" "handler 'EventViewSet.list'"
        events = client.principal().calendars()[0].events()
        return JsonResponse({"count": len(events)})

    def retrieve(self, request, pk=None):
        url = get_global_parameter("server_location")
        unbounded = Client(url, timeout=None)  # expect: HB203 "Client() passes timeout=None" "handler 'EventViewSet.retrieve'"
        configured = Client(url, **DAV_OPTIONS)  # ok: the dict holds "timeout"
        positional = caldav.DAVClient(url, None, "sync", "secret", None, CALDAV_TIMEOUT)  # ok: 6th positional may be the timeout
        webdav = WebDAVClient(url)  # ok: another DAVClient (the project's)
        from_config = caldav.get_davclient()  # ok: may read a timeout from its configuration
        found = [c.principal() for c in (unbounded, configured, positional, webdav, from_config)]
        return JsonResponse({"found": len(found)})
