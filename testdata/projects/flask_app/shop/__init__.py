from flask import Flask

from . import hooks
from .routes import legacy


def create_app():
    app = Flask(__name__)
    app.before_request(hooks.load_user)
    app.add_url_rule("/legacy", view_func=legacy.legacy_report)
    return app
