"""HB204 fix: subprocess waits get timeout=30 (by keyword, or in place of a positional None)."""
import subprocess

from flask import Flask

app = Flask(__name__)


@app.post("/render/<name>")
def render(name):
    subprocess.run(
        ["wkhtmltopdf", f"/tmp/{name}.html", f"/tmp/{name}.pdf"],
        check=True,
        timeout=30,
    )
    proc = subprocess.Popen(["convert", "-", "png:-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out, _ = proc.communicate(b"data", 30)
    helper = subprocess.Popen(["sync"])
    helper.wait(timeout=30)
    return subprocess.check_output(["pdfinfo", f"/tmp/{name}.pdf"], timeout=5) + out
