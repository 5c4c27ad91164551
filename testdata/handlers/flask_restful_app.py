"""Reports API on Flask-RESTful: resources serve a request with their verb methods."""
from flask import Flask
from flask_restful import Api, Resource

from platform_common.resources import ServiceResource  # a base from another distribution

app = Flask(__name__)
api = Api(app)


class ReportList(Resource):
    def get(self):  # handler
        return self._visible()

    def post(self):  # handler
        return {"created": True}, 201

    def _visible(self):
        """A helper the verbs call: reached from them, not a handler of its own."""
        return []


class ServiceBase(ServiceResource):
    def delete(self, report_id):  # handler
        return "", 204

    def audit(self, message):
        """Not a verb: never served."""


class ReportExport(ServiceBase):
    def get(self, report_id):  # handler
        return {"id": report_id}

    def render(self, report_id):
        """Not a verb: never served."""


class ReportCache(ServiceResource):
    """Never registered, and its base is unknown here: its get() is an ordinary method."""

    def get(self, key):
        return key


api.add_resource(ReportList, "/reports")
api.add_resource(ReportExport, "/reports/<int:report_id>/export", endpoint="report_export")
