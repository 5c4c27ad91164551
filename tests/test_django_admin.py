"""Django's admin serves requests too: a ``ModelAdmin``'s page views and the hooks they call as they
save or delete (``save_model``, ``delete_queryset``...), and an admin action (``@admin.action``),
which runs in the changelist's POST request (an app's "sync to the provider" admin action)."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

ADMIN = '''\
import subprocess

from django.contrib import admin

from shop.models import Order


@admin.action(description="Export to the warehouse")
def export_orders(modeladmin, request, queryset):
    subprocess.run(["warehouse-export", *[str(o.pk) for o in queryset]])  # expect: HB204 "handler 'export_orders'"


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    actions = [export_orders]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        subprocess.run(["notify-warehouse", str(obj.pk)])  # expect: HB204 "handler 'OrderAdmin.save_model'"

    @admin.action(description="Recount")
    def recount(self, request, queryset):
        subprocess.run(["recount", str(queryset.count())])  # expect: HB204 "handler 'OrderAdmin.recount'"

    def get_list_display(self, request):
        subprocess.run(["true"])  # ok: not a page view nor a save hook
        return ("pk",)
'''


def test_admin_views_hooks_and_actions_are_handlers(tmp_path: Path) -> None:
    files = {"shop/__init__.py": "", "shop/admin.py": ADMIN, "shop/models.py": "class Order:\n    pass\n"}
    markers_hold(tmp_path, files, "shop/admin.py")
