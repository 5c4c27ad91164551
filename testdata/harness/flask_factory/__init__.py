"""A Flask app built by a factory, its views in a blueprint (confirm's end-to-end tests).

`# defect: CODE` marks a line that hangs or leaks as CODE says; `# twin: CODE` marks its correct
look-alike, which must never be confirmed as CODE.
"""

from flask import Flask


def create_app():
    from .jobs import jobs

    app = Flask(__name__)
    app.register_blueprint(jobs, url_prefix="/jobs")
    return app
