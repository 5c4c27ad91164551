"""VAT number checks against government SOAP services (zeep) in a Django shop."""
import zeep
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from zeep import Client, Transport
from zeep.cache import SqliteCache
from zeep.transports import Transport as ZeepTransport

VIES_WSDL = "https://ec.europa.eu/taxation_customs/vies/checkVatService.wsdl"
UID_WSDL = "https://www.uid-wse.admin.ch/V5.0/PublicServices.svc?wsdl"
SOAP_TIMEOUT = 15
TRANSPORT_OPTIONS = {"operation_timeout": SOAP_TIMEOUT}


@require_GET
def check_vies(request, country, number):
    # the default Transport zeep builds sends every operation with no timeout
    client = Client(VIES_WSDL)  # expect: HB203 "Client() has no timeout" "handler 'check_vies'" "transport=Transport(operation_timeout=<seconds>)"
    return JsonResponse({"valid": client.service.checkVat(countryCode=country, vatNumber=number).valid})


@require_GET
def check_uid(request, uid):
    cached = Transport(cache=SqliteCache(settings.ZEEP_CACHE), timeout=10)  # expect: HB203 "Transport() has no operation_timeout" "handler 'check_uid'" "timeout= bounds only the WSDL's loading"
    bounded = Transport(cache=SqliteCache(settings.ZEEP_CACHE), operation_timeout=SOAP_TIMEOUT)  # ok: operation_timeout given
    positional = ZeepTransport(None, 10, SOAP_TIMEOUT)  # ok: operation_timeout given by position
    from_options = zeep.Transport(**TRANSPORT_OPTIONS)  # ok: a dict the module shows in full gives it
    unset = zeep.Transport(operation_timeout=None)  # expect: HB203 "Transport() passes operation_timeout=None"
    client = Client(UID_WSDL, transport=bounded)  # ok: a transport of the caller's
    checks = [client.service.ValidateUID(uid=uid)]
    for transport in (cached, positional, from_options, unset):
        checks.append(Client(UID_WSDL, transport=transport).service.ValidateUID(uid=uid))  # ok: a transport given
    return JsonResponse({"valid": all(checks)})
