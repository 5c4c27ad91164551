from .base import BaseShopView
from .mixins import PagedMixin
from .services import CATALOG


def index(req):
    return CATALOG.listing()


class ArchiveView(PagedMixin):
    def get(self, request):
        return self.page(request)

    def helper(self):
        return None


class ProductView(BaseShopView):
    def get(self, request, pk):
        return self.service.load(pk)
