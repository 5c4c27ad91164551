"""Billing REST API (Django REST framework), in the billing/views/ package."""
import queue
import threading
from concurrent import futures

import requests
from django.conf import settings
from rest_framework import generics, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.models import Invoice
from billing.serializers import InvoiceSerializer
from billing.signing import SIGNER

EXECUTOR = futures.ThreadPoolExecutor(8)
RESULTS = queue.Queue()
LEDGER = "https://ledger.internal"


class InvoiceSync(APIView):
    def post(self, request, pk):
        session = requests.Session()  # expect: HB103
        session.auth = (settings.LEDGER_USER, settings.LEDGER_PASSWORD)
        r = session.post(f"{LEDGER}/invoices/{pk}", json=request.data, timeout=10)
        return Response(r.json(), status=r.status_code)

    def get(self, request, pk):
        with requests.Session() as session:  # ok: HB103 used in with
            r = session.get(f"{LEDGER}/invoices/{pk}")  # expect: HB201
        return Response(r.json())


class InvoicePdf(generics.GenericAPIView):
    def get(self, request, pk):
        r = self.client.get(f"{LEDGER}/invoices/{pk}.pdf")  # ok: HB201 receiver of unknown kind
        return Response(r.content, content_type="application/pdf")


class InvoiceViewSet(viewsets.ModelViewSet):
    queryset = Invoice.objects.all()
    serializer_class = InvoiceSerializer

    def list(self, request):
        r = requests.get(f"{LEDGER}/invoices", params=request.query_params)  # ambiguous: HB201 ViewSet action methods (list/retrieve/...) are not in the spec's method list
        return Response(r.json())

    def dispatch(self, request, *args, **kwargs):
        requests.post(f"{LEDGER}/audit", json={"path": request.path}, timeout=None)  # expect: HB201
        return super().dispatch(request, *args, **kwargs)


@api_view(["POST"])
def bulk_validate(request):
    done = threading.Event()
    t = threading.Thread(target=_validate_all, args=(request.data, done))
    t.start()  # ok: HB501 joined below
    done.wait()  # expect: HB205
    t.join(timeout=1)  # ok: HB205 timeout given
    return Response({"valid": True})


def _validate_all(items, done):
    for item in items:
        RESULTS.put(item)
    done.set()


@api_view(["GET"])
def validation_results(request):
    item = RESULTS.get()  # expect: HB205
    return Response(item)


@api_view(["GET"])
def validation_results_nowait(request):
    try:
        item = RESULTS.get(True, 2)  # ok: HB205 positional timeout
    except queue.Empty:
        return Response(status=204)
    return Response(item)


@api_view(["GET"])
def validation_results_poll(request):
    try:
        item = RESULTS.get(block=False)  # ok: HB205 non-blocking get
    except queue.Empty:
        return Response(status=204)
    return Response(item)


@api_view(["GET"])
def credit_checks(request):
    fs = [EXECUTOR.submit(_check, c) for c in request.query_params.getlist("c")]
    done, _ = futures.wait(fs)  # expect: HB205
    return Response([f.result() for f in done])


@api_view(["GET"])
def credit_checks_bounded(request):
    fs = [EXECUTOR.submit(_check, c) for c in request.query_params.getlist("c")]
    done, pending = futures.wait(fs, timeout=5)  # ok: HB205 timeout given
    for f in pending:
        f.cancel()
    return Response([f.result() for f in done])


@api_view(["GET"])
def fraud_scores(request):
    fs = [EXECUTOR.submit(_score, t) for t in request.query_params.getlist("t")]
    scores = []
    for f in futures.as_completed(fs):  # expect: HB205
        scores.append(f.result())
    return Response(scores)


@api_view(["GET"])
def fraud_scores_bounded(request):
    fs = [EXECUTOR.submit(_score, t) for t in request.query_params.getlist("t")]
    return Response([f.result() for f in futures.as_completed(fs, timeout=3)])  # ok: HB205 timeout given


@api_view(["POST"])
def sign_document(request):
    fut = futures.Future()
    SIGNER.sign_async(request.data["doc"], callback=fut.set_result)
    signature = fut.result()  # expect: HB205
    return Response({"signature": signature})


@api_view(["POST"])
def sign_document_bounded(request):
    fut = futures.Future()
    SIGNER.sign_async(request.data["doc"], callback=fut.set_result)
    signature = fut.result(timeout=30)  # ok: HB205 timeout given
    return Response({"signature": signature})


def _check(customer):
    return requests.get(f"https://credit.example/{customer}", timeout=5).json()


def _score(txn):
    return requests.get(f"https://fraud.example/{txn}", timeout=5).json()["score"]
