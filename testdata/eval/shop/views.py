"""Shop views (Django): function views and class-based views."""
import json
import smtplib
import socket
import subprocess
import threading
from urllib.request import Request, urlopen

import requests
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, TemplateView

from .models import Order, Product

PAYMENTS = "https://payments.internal"


def order_detail(request, order_id):
    order = Order.objects.get(pk=order_id)
    r = requests.get(f"{PAYMENTS}/charges/{order.charge_id}")  # expect: HB201
    return JsonResponse({"order": order.pk, "charge": r.json()})


def order_refund(request, order_id):
    order = Order.objects.get(pk=order_id)
    r = requests.request("POST", f"{PAYMENTS}/charges/{order.charge_id}/refund", timeout=settings.PAYMENTS_TIMEOUT)  # ok: HB201 timeout is an attribute
    return JsonResponse(r.json(), status=r.status_code)


def order_receipt(request, order_id):
    order = Order.objects.get(pk=order_id)
    with smtplib.SMTP(settings.EMAIL_HOST) as smtp:  # expect: HB202
        smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [order.email], _render_receipt(order))
    return HttpResponse(status=204)


def order_receipt_resend(request, order_id):
    order = Order.objects.get(pk=order_id)
    with smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=settings.EMAIL_TIMEOUT) as smtp:  # ok: HB202 timeout given
        smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [order.email], _render_receipt(order))
    return HttpResponse(status=204)


def _render_receipt(order):
    return f"Subject: Your order {order.pk}\n\nThanks!"


def shipping_quote(request):
    req = Request(f"https://carrier.example/quote?zip={request.GET['zip']}", headers={"Accept": "application/json"})
    resp = urlopen(req, None, 10)  # ok: HB202 positional timeout; HB102 json.load() reads it to the end (issue 12)
    return JsonResponse(json.load(resp))


def stock_level(request, sku):
    with urlopen(f"https://warehouse.internal/stock/{sku}", timeout=3) as resp:  # ok: HB102 context manager; HB202 timeout given
        return JsonResponse(json.load(resp))


def label_pdf(request, order_id):
    resp = urlopen(f"https://carrier.example/labels/{order_id}", timeout=10)  # ok: HB102 closed in finally
    try:
        return HttpResponse(resp.read(), content_type="application/pdf")
    finally:
        resp.close()


def printer_status(request):
    sock = socket.create_connection((settings.PRINTER_HOST, 9100))  # expect: HB202
    try:
        sock.sendall(b"~HS\r\n")
        data = sock.recv(1024)
    finally:
        sock.close()
    return HttpResponse(data)


def printer_ping(request):
    sock = socket.create_connection((settings.PRINTER_HOST, 9100), 2.0)  # ok: HB202 positional timeout
    sock.close()
    return HttpResponse("ok")


@require_POST
def regenerate_invoice(req, order_id):
    subprocess.check_call(["invoice-gen", str(order_id)])  # expect: HB204
    return HttpResponse(status=204)


def send_survey(request):
    threading.Thread(target=_mail_survey, args=(request.user.email,)).start()  # ok: HB501 the target is bounded by its SMTP timeout (issue 12)
    return HttpResponse(status=202)


def _mail_survey(address):
    with smtplib.SMTP(settings.EMAIL_HOST, timeout=10) as smtp:
        smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [address], "Subject: How did we do?\n\n...")


def export_orders(request):
    t = threading.Thread(target=_build_export, args=(request.user.pk,))
    t.start()  # ok: HB501 joined below
    t.join()  # expect: HB205
    return HttpResponse(status=201)


def _build_export(user_id):
    subprocess.run(["export-orders", str(user_id)])  # ambiguous: HB204 only a thread target of a handler, never called by name


class DashboardView(TemplateView):
    template_name = "shop/dashboard.html"

    def get(self, request, *args, **kwargs):
        stats = requests.get(f"{settings.STATS_URL}/summary", **{"timeout": 2})  # ok: HB201 literal dict carries a timeout
        return self.render_to_response({"stats": stats.json()})


class OrderSyncView(View):
    def post(self, request, order_id):
        ok = self._push(order_id)
        return JsonResponse({"ok": ok})

    def _push(self, order_id):
        r = requests.put(f"{PAYMENTS}/orders/{order_id}", json={"synced": True})  # expect: HB201
        return r.ok

    def delete(self, request, order_id):
        while True:  # expect: HB304
            r = requests.delete(f"{PAYMENTS}/orders/{order_id}", timeout=5)
            if r.status_code == 404:
                continue
            subprocess.run(["sleep", "1"], timeout=5)


class ProductDetail(DetailView):
    model = Product

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["reviews"] = requests.get(f"https://reviews.internal/{self.object.pk}").json()  # expect: HB201 "ProductDetail.get_context_data"
        return ctx
