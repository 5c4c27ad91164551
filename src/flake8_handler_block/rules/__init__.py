"""Every rule, in code order. Adding a rule means adding it here (no import side effects)."""

from __future__ import annotations

from typing import Tuple, Type

from ..rule import Rule
from .hb101_streamed_response_not_closed import StreamedResponseNotClosed
from .hb102_urlopen_response_not_closed import UrlopenResponseNotClosed
from .hb103_client_not_closed import ClientNotClosed
from .hb201_requests_without_timeout import RequestsWithoutTimeout
from .hb202_stdlib_network_without_timeout import StdlibNetworkWithoutTimeout
from .hb203_client_timeout_disabled import ClientTimeoutDisabled
from .hb204_subprocess_without_timeout import SubprocessWithoutTimeout
from .hb205_sync_wait_without_timeout import SyncWaitWithoutTimeout
from .hb301_put_on_unconsumed_bounded_queue import PutOnUnconsumedBoundedQueue
from .hb302_put_on_unconsumed_unbounded_queue import PutOnUnconsumedUnboundedQueue
from .hb303_queue_join_without_task_done import QueueJoinWithoutTaskDone
from .hb304_loop_without_exit import LoopWithoutExit
from .hb401_wait_group_done_not_in_finally import WaitGroupDoneNotInFinally
from .hb402_task_done_not_in_finally import TaskDoneNotInFinally
from .hb403_acquire_without_finally_release import AcquireWithoutFinallyRelease
from .hb404_wait_group_add_in_worker import WaitGroupAddInWorker
from .hb501_thread_not_joined import ThreadNotJoined
from .hb502_task_dropped import TaskDropped
from .hb503_server_not_shut_down import ServerNotShutDown
from .hb504_executor_not_shut_down import ExecutorNotShutDown
from .hb601_blocking_call_in_async_handler import BlockingCallInAsyncHandler
from .hb602_cancellation_swallowed import CancellationSwallowed

ALL_RULES: Tuple[Type[Rule], ...] = (
    StreamedResponseNotClosed,
    UrlopenResponseNotClosed,
    ClientNotClosed,
    RequestsWithoutTimeout,
    StdlibNetworkWithoutTimeout,
    ClientTimeoutDisabled,
    SubprocessWithoutTimeout,
    SyncWaitWithoutTimeout,
    PutOnUnconsumedBoundedQueue,
    PutOnUnconsumedUnboundedQueue,
    QueueJoinWithoutTaskDone,
    LoopWithoutExit,
    WaitGroupDoneNotInFinally,
    TaskDoneNotInFinally,
    AcquireWithoutFinallyRelease,
    WaitGroupAddInWorker,
    ThreadNotJoined,
    TaskDropped,
    ServerNotShutDown,
    ExecutorNotShutDown,
    BlockingCallInAsyncHandler,
    CancellationSwallowed,
)
