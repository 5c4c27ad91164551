"""Django views (confirm's end-to-end tests): each defect beside its correct look-alike twin.

`# defect: CODE` marks a line that hangs or leaks as CODE says; `# twin: CODE` marks its correct
look-alike, which must never be confirmed as CODE. Django imports this module on the first
request: the worker thread it starts at import is not any request's leak.
"""

import queue
import threading

import requests
from django.http import HttpResponse
from django.views import View
from django.views.decorators.http import require_POST

UPSTREAM = "http://rates.internal/v1"
OUTBOX = queue.Queue()
TWIN_OUTBOX = queue.Queue()


def _heartbeat():
    threading.Event().wait(60)


threading.Thread(target=_heartbeat, daemon=True, name="heartbeat").start()


def _mailer():
    while True:
        TWIN_OUTBOX.get()
        TWIN_OUTBOX.task_done()


threading.Thread(target=_mailer, daemon=True, name="mailer").start()


def rates(request, pk):
    return HttpResponse(requests.get(UPSTREAM).text)  # defect: HB201


def rates_twin(request, pk):
    return HttpResponse(requests.get(UPSTREAM, timeout=(3.05, 10)).text)  # twin: HB201


@require_POST
def create_order(request):
    session = requests.Session()  # defect: HB103
    session.headers["X-Order"] = "1"
    return HttpResponse("created")


@require_POST
def create_order_twin(request):
    with requests.Session() as session:  # twin: HB103
        session.headers["X-Order"] = "1"
    return HttpResponse("created")


class ReportView(View):
    def get(self, request, name):
        body = requests.post(UPSTREAM, data=name).text  # defect: HB201
        return HttpResponse(body)


class ReportTwinView(View):
    def get(self, request, name):
        body = requests.post(UPSTREAM, data=name, timeout=5).text  # twin: HB201
        return HttpResponse(body)


def flush(request):
    OUTBOX.put("mail")
    OUTBOX.join()  # defect: HB303
    return HttpResponse("flushed")


def flush_twin(request):
    TWIN_OUTBOX.put("mail")
    TWIN_OUTBOX.join()  # twin: HB303
    return HttpResponse("flushed")
