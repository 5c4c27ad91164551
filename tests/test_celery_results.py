"""Celery's AsyncResult waited for in a view (HB205): the task is a function of another module of
the project, and the view's module shows no decorator, so the project index is asked what
decorates it (``Outside.decorators_of``). GeoNode's ``updatelayers`` view runs
``geoserver_update_datasets.delay(...)`` and waits with ``result.get()``."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

TASKS = '''from celery import shared_task

from .celery_app import app


@app.task(bind=True, time_limit=600)
def update_layers(self, workspace):
    return workspace


@shared_task
def purge(name):
    return name


def throttle(seconds):
    return seconds


throttle.delay = lambda seconds: {"seconds": seconds}
'''

VIEWS = '''from django.http import JsonResponse

from .tasks import purge, throttle, update_layers


def refresh(request):
    result = update_layers.delay(request.GET["workspace"])
    layers = result.get()  # expect: HB205 "result.get() has no timeout" "handler 'refresh'"
    purged = purge.apply_async(("old",)).get(timeout=30)  # ok: timeout given
    paced = throttle.delay(2).get("seconds")  # ok: throttle is no task
    return JsonResponse({"layers": layers, "purged": purged, "paced": paced})
'''

URLS = '''from django.urls import path

from .views import refresh

urlpatterns = [path("refresh/", refresh)]
'''


def test_a_task_of_another_module_is_known_by_its_decorator(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/celery_app.py": "from celery import Celery\n\napp = Celery('app')\n",
        "app/tasks.py": TASKS,
        "app/views.py": VIEWS,
        "app/urls.py": URLS,
    }
    markers_hold(tmp_path, files, "app/views.py")
