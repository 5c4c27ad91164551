"""A value declared as a library class that a few of the project's classes implement may be an
instance of any of them: ``service: Service = Depends(get_service)``, where ``Service`` is an
abstract base of another package and the project's ``AirflowService`` and ``LocalService``
derive from it (an OGC API gateway picking its service from the environment). A call on it runs
their methods; past ``MAX_IMPLEMENTATIONS`` such classes the base is a framework's (a model, a
view), and the declaration says nothing of which."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

BASE = '''\
from abc import ABC

from gavicore.service import Service
from plugins.records import Record


class ServiceBase(Service, ABC):
    name = "base"


class Invoice(Record):
    async def refresh(self):
        return None


class Payment(Record):
    async def refresh(self):
        return None


class Refund(Record):
    async def refresh(self):
        return None


class Payout(Record):
    async def refresh(self):
        return None
'''

AIRFLOW = '''\
import time

import requests

from app.base import ServiceBase, Record


class AirflowService(ServiceBase):
    async def get_jobs(self):
        return self._fetch("jobs")  # expect: HB601 "_fetch() blocks the event loop" "handler 'jobs'"

    def _fetch(self, what):
        return requests.get(f"https://af/{what}", timeout=10).json()  # expect: HB601 "-> AirflowService._fetch()"


class Ledger(Record):
    async def refresh(self):
        time.sleep(1)  # ok: one of four records: the declaration says nothing of which
        return None
'''

LOCAL = '''\
from app.base import ServiceBase


class LocalService(ServiceBase):
    async def get_jobs(self):
        return []
'''

ROUTES = '''\
from fastapi import Depends, FastAPI
from gavicore.service import Service
from plugins.records import Record

from app.provider import get_service, get_record

app = FastAPI()


@app.get("/jobs")
async def jobs(service: Service = Depends(get_service)):
    return await service.get_jobs()


@app.post("/records/refresh")
async def refresh(record: Record = Depends(get_record)):
    return await record.refresh()
'''

PROVIDER = '''\
import os

from gavicore.util import import_value


def get_service():
    return import_value(os.environ["SERVICE"])()


def get_record():
    return import_value(os.environ["RECORD"])()
'''


def test_a_call_on_a_library_interface_runs_the_projects_implementations(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/base.py": BASE, "app/airflow.py": AIRFLOW, "app/local.py": LOCAL,
             "app/routes.py": ROUTES, "app/provider.py": PROVIDER}
    markers_hold(tmp_path, files, "app/airflow.py")
