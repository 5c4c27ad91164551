"""Payment webhooks: not in a views module, recognised by their view-only decorators."""
import json

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from .models import Payment


@csrf_exempt
@require_POST
def stripe_webhook(request):  # handler
    event = json.loads(request.body)
    Payment.record(event)
    return HttpResponse(status=204)


@require_POST
def paypal_webhook(request):  # handler
    return HttpResponse(status=204)


def verify_signature(request, secret):
    """A helper taking request, outside a views module: not a handler."""
    return request.headers.get("Stripe-Signature") == secret


@sensitive_variables("secret")
def sign(payload, secret):
    return hash((payload, secret))
