"""Dashboard API layer: each view builds the OpenStack clients it needs from the user's token
(keystoneauth sessions, python-swiftclient), and usage is kept in InfluxDB."""
import influxdb
import influxdb_client
from django.conf import settings
from django.http import JsonResponse
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session
from keystoneauth1 import token_endpoint
from keystoneauth1.session import Session as KeystoneSession
from swiftclient import client as swift_client

import requests

SSL_OPTIONS = {"verify": settings.OPENSTACK_SSL_CACERT, "timeout": settings.OPENSTACK_TIMEOUT}


def keystone_session(request, endpoint):
    auth = token_endpoint.Token(endpoint=endpoint, token=request.user.token.id)
    return session.Session(auth=auth, original_ip=request.META["REMOTE_ADDR"])  # expect: HB203 "session.Session() has no timeout" "keystoneauth hands it to every request"


def bounded_session(request, endpoint):
    auth = token_endpoint.Token(endpoint=endpoint, token=request.user.token.id)
    return session.Session(auth=auth, timeout=settings.OPENSTACK_TIMEOUT)  # ok: timeout given


def configured_session(request, endpoint):
    auth = token_endpoint.Token(endpoint=endpoint, token=request.user.token.id)
    return KeystoneSession(auth=auth, **SSL_OPTIONS)  # ok: the dict holds "timeout"


def positional_session(auth):
    return KeystoneSession(auth, None, None, True, None, 30)  # ok: the 6th positional is the timeout


def shared_session(auth):
    return KeystoneSession(auth=auth, session=requests.Session())  # ok: a session of the caller's may bound it


def deployment_session(conf):
    return ks_loading.load_session_from_conf_options(conf, "keystone_authtoken")  # ok: the deployment's timeout option


def swift_api(request):
    return swift_client.Connection(None, request.user.username, None, preauthtoken=request.user.token.id, preauthurl=settings.SWIFT_URL)  # expect: HB203 "swift_client.Connection() has no timeout" "swiftclient gives it to every connection"


def swift_api_bounded(request):
    return swift_client.Connection(preauthtoken=request.user.token.id, preauthurl=settings.SWIFT_URL, timeout=10)  # ok: timeout given


def swift_api_with_session(request, sess):
    return swift_client.Connection(session=sess, os_options={"object_storage_url": settings.SWIFT_URL})  # ok: the keystone session authenticates


def container_list(request):
    containers = swift_api(request).get_account()[1]
    return JsonResponse({"containers": [c["name"] for c in containers]})


USAGE = influxdb.InfluxDBClient(settings.INFLUX_HOST, 8086, database="usage")  # expect: HB203 "influxdb.InfluxDBClient() has no timeout" "influxdb hands it to every query and write"
USAGE_BOUNDED = influxdb.InfluxDBClient(settings.INFLUX_HOST, 8086, database="usage", timeout=5)  # ok: timeout given
USAGE_V2 = influxdb_client.InfluxDBClient(url=settings.INFLUX_URL, token=settings.INFLUX_TOKEN)  # ok: the 2.x client has a 10 s default


def usage(request):
    points = USAGE.query("SELECT sum(value) FROM usage WHERE project = $p", bind_params={"p": request.user.project_id})
    return JsonResponse({"usage": list(points.get_points())})
