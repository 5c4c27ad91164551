"""Every rule, in code order. Adding a rule means adding it here (no import side effects)."""

from __future__ import annotations

from typing import Tuple, Type

from ..rule import Rule
from .hb201_requests_without_timeout import RequestsWithoutTimeout
from .hb202_stdlib_network_without_timeout import StdlibNetworkWithoutTimeout
from .hb203_client_timeout_disabled import ClientTimeoutDisabled
from .hb204_subprocess_without_timeout import SubprocessWithoutTimeout
from .hb205_sync_wait_without_timeout import SyncWaitWithoutTimeout

ALL_RULES: Tuple[Type[Rule], ...] = (
    RequestsWithoutTimeout,
    StdlibNetworkWithoutTimeout,
    ClientTimeoutDisabled,
    SubprocessWithoutTimeout,
    SyncWaitWithoutTimeout,
)
