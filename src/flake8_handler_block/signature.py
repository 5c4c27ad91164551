"""What a rule's finding looks like at run time: the fact `confirm` checks an observation against.

Each rule declares ``runtime = Signature(...)`` beside its static logic, so a new rule brings
its own run-time shape and `confirm` keeps no table of its own. The harness reads signatures in
the parent process and hands them to its child as plain data: this module imports neither
libcst nor flake8 (nor the harness).

An observation is what the harness saw: a handler stuck in a state (``"queue put: full"``,
``"socket read"``, ...), the event loop blocked by a sync call, or an object left behind by a
request (a leak of kind ``"thread"``, ``"task"``, ``"response"``, ...).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict, FrozenSet, Optional, Tuple

# State labels the harness gives a thread parked in a socket (see harness/stacks.py).
SOCKET_STATES: FrozenSet[str] = frozenset(
    {"socket read", "socket connect", "tls handshake", "socket wait (select)", "socket write"}
)
# State labels of a thread waiting for another party (an event, a thread, a future...).
SYNC_WAITS: FrozenSet[str] = frozenset(
    {
        "event wait", "condition wait", "thread join", "queue get: empty", "future result",
        "future wait", "barrier wait", "pool result", "process join",
    }
)


@dataclass(frozen=True)
class Signature:
    """How a finding of one rule shows when the app runs.

    ``states``      states of a handler stuck at the finding's line that stand for this rule;
                    None means any state (the line itself is the evidence, e.g. a loop).
    ``leaks``       kinds of objects left behind by a request, created at the line.
    ``loop_block``  the event loop seen blocked by a sync call at the line (HB601).
    ``cancelled``   the stuck handler was cancelled and went on (its cancellation swallowed).
    ``in_loop``     the line starts a loop: a handler stuck anywhere inside that loop counts.
    ``untimed``     the parked call must have no timeout of its own: a call that waits within
                    its socket's or client's timeout is not this finding.
    ``consequence`` states of the wait another request is left stuck in when the signal at the
                    line is skipped (HB401/HB402: the ``wait()``/``join()`` never returns).
    ``libraries``   modules whose frames (or leaked objects) identify this rule among rules
                    with the same states: ``requests`` for HB201, ``http.client`` for HB102.

    A signature that observes nothing (no states, leaks, loop block or consequence) means the
    rule cannot be confirmed at run time: its findings are ``inconclusive``.
    """

    states: Optional[FrozenSet[str]] = frozenset()
    leaks: FrozenSet[str] = frozenset()
    loop_block: bool = False
    cancelled: bool = False
    in_loop: bool = False
    untimed: bool = False
    consequence: FrozenSet[str] = frozenset()
    libraries: Tuple[str, ...] = ()

    @property
    def observable(self) -> bool:
        """Whether anything seen at run time can stand for this rule."""
        return self.states is None or bool(self.states or self.leaks or self.loop_block or self.consequence)

    def to_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        for name in ("states", "leaks", "consequence"):
            value = data[name]
            data[name] = None if value is None else sorted(value)
        data["libraries"] = list(self.libraries)
        return data

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Signature":
        states = data.get("states", [])
        return cls(
            states=None if states is None else frozenset(states),
            leaks=frozenset(data.get("leaks", ())),
            loop_block=bool(data.get("loop_block", False)),
            cancelled=bool(data.get("cancelled", False)),
            in_loop=bool(data.get("in_loop", False)),
            untimed=bool(data.get("untimed", False)),
            consequence=frozenset(data.get("consequence", ())),
            libraries=tuple(data.get("libraries", ())),
        )


def library_paths(module: str) -> Tuple[str, ...]:
    """Path fragments of a module's frames: ``http.client`` -> ``/http/client.py``, ``/http/client/``."""
    base = "/" + module.replace(".", "/")
    return (base + ".py", base + "/")
