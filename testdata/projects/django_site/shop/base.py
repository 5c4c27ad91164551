from django.views import View

from .services import ProductService


class BaseShopView(View):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.service = ProductService()
