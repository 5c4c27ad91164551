"""What a command written in the call does: the program, its words, and whether it ends at once
(``--version``, ``which``, ``xdg-open``) or bounds its own run (``timeout``, ``ssh-keyscan``).
Shared by HB204 (a wait with no timeout) and HB601 (a wait on the event loop)."""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from .scopes import CallSite


def ends_at_once(site: CallSite) -> bool:
    """The command only asks the program about itself, or its program returns at once."""
    return _asks_about_itself(site.node) or _program(site) in QUICK_PROGRAMS


def bounds_itself(site: CallSite) -> bool:
    """The command's program ends on its own deadline whatever the peer does."""
    return _program(site) in BOUNDED_PROGRAMS


INFORMATION_FLAGS = frozenset({"--version", "-version", "--help", "--exec-path"})  # print and exit
# Programs that end on their own deadline whatever the peer does (so the wait is bounded).
BOUNDED_PROGRAMS = frozenset({
    "ssh-keyscan",  # -T: at most 5 s per host by default
    "timeout",  # coreutils timeout(1): kills the command after its limit
})
# Programs that return at once whatever they are given: they read no input, open no connection
# and take no lock (a child they start is not waited for).
QUICK_PROGRAMS = frozenset({
    "which", "where",  # a lookup on PATH (Windows' where)
    "open", "xdg-open",  # hand a file or URL to the desktop (macOS, freedesktop) and return
    "kill", "pkill", "taskkill",  # send a signal, or ask Windows to end a process tree
})


def _program(site: CallSite) -> Optional[str]:
    """The command's program when written as a literal first word: in the call
    (``run(["ssh-keyscan", host])``) or in the list or tuple every assignment of the
    function gives the command's name (``cmd = ["ssh-keyscan"]; cmd.append(host); run(cmd)``)."""
    argv = _argv(site.node)
    if isinstance(argv, cst.Name) and site.function is not None:
        bounds = site.function.bindings.get(argv.value, [])
        programs = {_first_word(bound.payload) if bound.kind == "value" else None for bound in bounds}
        return programs.pop() if len(programs) == 1 else None
    return _first_word(argv)


def _argv(call: cst.Call) -> Optional[cst.BaseExpression]:
    """The command: the first positional argument, written as such (not ``*args``)."""
    args = call.args
    return args[0].value if args and args[0].keyword is None and not args[0].star else None


def _first_word(argv: object) -> Optional[str]:
    if isinstance(argv, cst.SimpleString):
        text = argv.evaluated_value
        return text.split()[0] if isinstance(text, str) and text.split() else None
    if isinstance(argv, (cst.List, cst.Tuple)) and argv.elements:
        first = argv.elements[0].value
        if isinstance(first, cst.SimpleString) and isinstance(first.evaluated_value, str):
            return first.evaluated_value
    return None


def _asks_about_itself(call: cst.Call) -> bool:
    """A literal command whose arguments only ask the program about itself: it prints and exits
    (``run([binary, "--version"])``, ``check_output("git --exec-path", shell=True)``)."""
    words = _literal_command(call)
    if words is None or len(words) < 2:
        return False
    return all(word in INFORMATION_FLAGS for word in words[1:])


def _literal_command(call: cst.Call) -> Optional[List[str]]:
    """The words of a command written in full: a list/tuple of strings (the program may be a
    variable: ``""``), or one string (shell)."""
    argv = _argv(call)
    if isinstance(argv, cst.SimpleString):
        text = argv.evaluated_value
        return text.split() if isinstance(text, str) else None
    if not isinstance(argv, (cst.List, cst.Tuple)):
        return None
    words = []
    for position, element in enumerate(argv.elements):
        value = element.value
        if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
            words.append(value.evaluated_value)
        elif position == 0 and not isinstance(value, cst.StarredElement) and element.__class__ is cst.Element:
            words.append("")  # the program, named by a variable (a configured binary path)
        else:
            return None
    return words
