"""Transport adapters shared by the billing clients."""
import requests
from requests.adapters import HTTPAdapter

DEFAULT_TIMEOUT = (3.05, 20)


class TimeoutAdapter(HTTPAdapter):
    """Gives every request a timeout when the caller passed none."""

    def __init__(self, *args, **kwargs):
        self.timeout = kwargs.pop("timeout", DEFAULT_TIMEOUT)
        super().__init__(*args, **kwargs)

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        if timeout is None:
            timeout = self.timeout
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)


class SlowTimeoutAdapter(TimeoutAdapter):
    """Inherits send() from TimeoutAdapter: a longer default, same behaviour."""

    def __init__(self):
        super().__init__(timeout=(3.05, 120))


class FillingAdapter(HTTPAdapter):
    def send(self, request, **kwargs):
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        return super().send(request, **kwargs)


class RetryingAdapter(requests.adapters.HTTPAdapter):
    def __init__(self):
        super().__init__(max_retries=5)
