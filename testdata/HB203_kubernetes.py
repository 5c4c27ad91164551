"""Cluster console: FastAPI views over the kubernetes client (typed API classes and the dynamic client)."""
import kubernetes
from fastapi import FastAPI
from kubernetes import client, config, watch
from kubernetes.client import ApiClient, CoreV1Api
from kubernetes.dynamic import DynamicClient
from prometheus_api_client import PrometheusConnect
from requests import Session

app = FastAPI()
config.load_incluster_config()
core = client.CoreV1Api()
API_TIMEOUT = (5, 30)
TIMED = {"_request_timeout": API_TIMEOUT}
NAMESPACES = core.list_namespace()  # ok: runs once at import, a stall shows at start-up


class TimedApiClient(ApiClient):
    """Every request of the clients built on it gets a timeout."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("_request_timeout", API_TIMEOUT)
        return super().request(*args, **kwargs)


class Deployments:
    def __init__(self):
        self.apps = client.AppsV1Api()
        self.timed = client.AppsV1Api(TimedApiClient())

    def scale(self, namespace, name, replicas):
        body = {"spec": {"replicas": replicas}}
        return self.apps.patch_namespaced_deployment_scale(name, namespace, body)  # expect: HB203 "self.apps.patch_namespaced_deployment_scale() has no timeout (the kubernetes client sets none)" "handler 'scale' via Deployments.scale()" "pass _request_timeout="

    def listed(self, namespace):
        return self.apps.list_namespaced_deployment(namespace, _request_timeout=API_TIMEOUT)  # ok: timed

    def restarted(self, namespace, name):
        return self.timed.read_namespaced_deployment(name, namespace)  # ok: its ApiClient times every request


def pod_names(api: CoreV1Api, namespace: str):
    return [pod.metadata.name for pod in api.list_namespaced_pod(namespace).items]  # ok: built out of view, maybe on TimedApiClient


@app.get("/pods/{namespace}")
def pods(namespace: str):
    found = core.list_namespaced_pod(namespace)  # expect: HB203 "core.list_namespaced_pod() has no timeout" "handler 'pods'"
    nodes = CoreV1Api().list_node(_request_timeout=None)  # expect: HB203 "passes _request_timeout=None"
    jobs = kubernetes.client.BatchV1Api().list_job_for_all_namespaces()  # expect: HB203 "list_job_for_all_namespaces() has no timeout"
    quota = core.list_namespaced_resource_quota(namespace, **TIMED)  # ok: the dict gives one
    limits = core.list_namespaced_limit_range(namespace, timeout_seconds=10)  # ok: a limit the server keeps
    secret = core.read_namespaced_secret("db", namespace, _request_timeout=API_TIMEOUT)  # ok: timed
    return found, nodes, jobs, quota, limits, secret, core.api_client.sanitize_for_serialization(found)  # ok: local


@app.post("/scale/{namespace}/{name}")
def scale(namespace: str, name: str, replicas: int):
    return Deployments().scale(namespace, name, replicas)


@app.get("/logs/{namespace}/{pod}")
def logs(namespace: str, pod: str, follow: bool = False):
    if follow:
        return core.read_namespaced_pod_log(pod, namespace, follow=True, _preload_content=False)  # ok: a stream
    thread = core.read_namespaced_pod_log(pod, namespace, async_req=True)  # ok: the client's pool sends it
    return thread.get(timeout=10)


@app.get("/events/{namespace}")
def events(namespace: str):
    stream = watch.Watch().stream(core.list_namespaced_event, namespace, timeout_seconds=30)  # ok: handed, bounded
    return [event["object"].metadata.name for event in stream]


@app.get("/clusters")
def clusters():
    dyn = DynamicClient(ApiClient())
    managed = dyn.resources.get(api_version="cluster.open-cluster-management.io/v1", kind="ManagedCluster")  # ok: discovery
    listed = managed.get()  # expect: HB203 "managed.get() has no timeout" "handler 'clusters'"
    routes = dyn.resources.get(api_version="route.openshift.io/v1", kind="Route").get(_request_timeout=5)  # ok: timed
    one = dyn.get(managed, name="local-cluster")  # expect: HB203 "dyn.get() has no timeout"
    return listed, routes, one


def register(namespace, manifest, apps):
    # `apps` is of unknown kind: its create() may be anyone's
    apps.create_namespaced_deployment(namespace, manifest)  # ok: receiver of unknown kind
    api_client = config.new_client_from_config()
    client.RbacAuthorizationV1Api(api_client).create_namespaced_role(namespace, {})  # expect: HB203 "create_namespaced_role() has no timeout"
    return client.CoreV1Api().create_namespace({"metadata": {"name": namespace}})  # expect: HB203 "function 'register'"


@app.get("/nodes")
async def node_count():
    return len(core.list_node().items)  # expect: HB203 "core.list_node() has no timeout", HB601 "core.list_node() blocks the event loop" "use kubernetes_asyncio"


@app.get("/metrics/{query}")
def metrics(query: str):
    prom = PrometheusConnect(url="http://thanos-querier:9091", disable_ssl=True)  # expect: HB203 "PrometheusConnect() has no timeout" "prometheus-api-client gives it to every query" "handler 'metrics'"
    timed = PrometheusConnect("http://thanos-querier:9091", timeout=10)  # ok: timeout given
    pooled = PrometheusConnect("http://thanos-querier:9091", session=Session())  # ok: a session of the caller's
    return prom.custom_query(query), timed.custom_query(query), pooled.custom_query(query)
