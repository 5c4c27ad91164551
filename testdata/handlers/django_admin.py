"""A custom admin site: views routed from get_urls() through wrappers."""
from functools import update_wrapper

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path


class ReportsAdminSite(admin.AdminSite):
    site_header = "Reports"

    def get_urls(self):
        def wrap(view):
            def wrapper(*args, **kwargs):
                return self.admin_view(view)(*args, **kwargs)

            return update_wrapper(wrapper, view)

        return [
            path("reports/", wrap(self.reports_view), name="reports"),
            path("reports/export/", self.admin_view(self.export_view), name="reports_export"),
            path("reports/chart/", self.chart_view, name="reports_chart"),
            *super().get_urls(),
        ]

    def reports_view(self, request):  # handler
        context = {**self.each_context(request), "rows": self.build_rows()}
        return TemplateResponse(request, "admin/reports.html", context)

    def export_view(self, request):  # handler
        return TemplateResponse(request, "admin/export.html", {"rows": self.build_rows()})

    @property
    def chart_view(self):
        """Builds the view once, when the URLs are built: the property is not a handler."""
        return self.admin_view(render_chart)

    def build_rows(self):
        return []


def render_chart(request):
    return TemplateResponse(request, "admin/chart.html", {})


site = ReportsAdminSite(name="reports_admin")
