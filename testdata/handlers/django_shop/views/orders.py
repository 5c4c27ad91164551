"""Shop order views, in a views/ package."""
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from ..models import Order


def order_list(request):  # handler
    return JsonResponse({"orders": [o.id for o in Order.objects.all()]})


def order_detail(request, order_id):  # handler
    return JsonResponse(Order.objects.get(pk=order_id).as_dict())


def serialise(order, request=None):
    return order.as_dict()


class OrderPresenter:
    def present(self, request, order):
        return serialise(order, request)
