"""An app whose module waits forever at import (a connection made at import time, say)."""

import threading

from flask import Flask

READY = threading.Event()
READY.wait()  # nothing sets it

app = Flask(__name__)
