"""The test suite gives requests a default timeout for itself; the application does not."""
import functools

import requests

requests.Session.request = functools.partialmethod(requests.Session.request, timeout=1)
