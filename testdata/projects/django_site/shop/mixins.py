import subprocess


class PagedMixin:
    def page(self, request):
        return subprocess.check_output(["pager"])
