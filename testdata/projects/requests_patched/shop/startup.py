"""Process-wide settings, applied once at import."""
import requests.adapters

DEFAULT_TIMEOUT = (3.05, 30)
_send = requests.adapters.HTTPAdapter.send


def _send_with_timeout(self, request, **kwargs):
    kwargs["timeout"] = kwargs.get("timeout") or DEFAULT_TIMEOUT
    return _send(self, request, **kwargs)


requests.adapters.HTTPAdapter.send = _send_with_timeout
