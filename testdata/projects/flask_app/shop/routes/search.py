from flask import Blueprint

from shop.services.search import search_web
from ..services import reports as rep

bp = Blueprint("search", __name__)


@bp.get("/search")
def search():
    return search_web("q")


@bp.get("/report")
def report():
    return rep.ReportService().run()
