"""What a command written in the call does: the program, its words, and whether it ends at once
(``--version``, ``which``, ``xdg-open``) or bounds its own run (``timeout``, ``ssh-keyscan``).
Shared by HB204 (a wait with no timeout) and HB601 (a wait on the event loop)."""

from __future__ import annotations

from typing import Iterable, List, Optional

import libcst as cst

from .catalog import ASYNC_PROCESS_FACTORIES, BOUNDED_PROGRAMS, PROCESS_WAITS, says_it_ends_at_once
from .names import last_name
from .scopes import CallSite


def ends_at_once(site: CallSite) -> bool:
    """The command only asks the program about itself, or its program returns at once; for
    ``process.communicate()``/``wait()``, the command of the ``Popen`` the name holds."""
    call = _started(site)
    words = _literal_command(call)
    return all(says_it_ends_at_once(words, program) for program in _programs(call, site))


def bounds_itself(site: CallSite) -> bool:
    """The command's program ends on its own deadline whatever the peer does."""
    return _program(_started(site), site) in BOUNDED_PROGRAMS


# What starts a process the name of ``p.communicate()``/``p.wait()`` may hold (asyncio's awaited).
_STARTERS = frozenset({"Popen", *(factory.rsplit(".", 1)[-1] for factory in ASYNC_PROCESS_FACTORIES)})
# Takes the program and its words as separate arguments: ``create_subprocess_exec("az", "--version")``.
_EXEC_FORM = "create_subprocess_exec"


def _started(site: CallSite) -> cst.Call:
    """The call that starts the command ``site`` waits for: the ``Popen(...)`` (or awaited
    ``asyncio.create_subprocess_exec(...)``) every binding of the function gives ``p`` in
    ``p.communicate()``/``p.wait()`` (assigned, or ``with Popen(...) as p``), else the call itself."""
    call, function = site.node, site.function
    func = call.func
    if function is None or not isinstance(func, cst.Attribute) or func.attr.value not in PROCESS_WAITS:
        return call
    if not isinstance(func.value, cst.Name):
        return call
    bounds = function.bindings.get(func.value.value, [])
    start = bounds[0].payload if len(bounds) == 1 and bounds[0].kind == "value" else None
    if isinstance(start, cst.Await):
        start = start.expression
    return start if isinstance(start, cst.Call) and last_name(start.func) in _STARTERS else call


def _program(call: cst.Call, site: CallSite) -> Optional[str]:
    """The command's program when written as a literal first word: in the call
    (``run(["ssh-keyscan", host])``) or in the list or tuple every assignment of the
    function gives the command's name (``cmd = ["ssh-keyscan"]; cmd.append(host); run(cmd)``)."""
    argv = _argv(call)
    if isinstance(argv, cst.Name) and site.function is not None and last_name(call.func) != _EXEC_FORM:
        bounds = site.function.bindings.get(argv.value, [])
        programs = {_first_word(bound.payload) if bound.kind == "value" else None for bound in bounds}
        return programs.pop() if len(programs) == 1 else None
    return _first_word(argv)


def _programs(call: cst.Call, site: CallSite) -> List[Optional[str]]:
    """``_program``, or the programs a first word named by a variable may be: ``[lookup, "xray"]``
    after ``lookup = "where" if windows else "which"`` (each side a string written out)."""
    argv = _argv(call)
    first = argv.elements[0].value if isinstance(argv, (cst.List, cst.Tuple)) and argv.elements else None
    if isinstance(first, cst.Name) and site.function is not None:
        bounds = site.function.bindings.get(first.value, [])
        chosen = bounds[0].payload if len(bounds) == 1 and bounds[0].kind == "value" else None
        if isinstance(chosen, cst.IfExp):
            sides = [_first_word(side) for side in (chosen.body, chosen.orelse)]
            if all(sides):
                return sides
    return [_program(call, site)]


def _argv(call: cst.Call) -> Optional[cst.BaseExpression]:
    """The command: the first positional argument, written as such (not ``*args``); for the exec
    form, the program."""
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


def _literal_command(call: cst.Call) -> Optional[List[str]]:
    """The words of a command written in full: a list/tuple of strings (the program may be a
    variable: ``""``), or one string (shell). A command that only asks the program about itself
    prints and exits (``run([binary, "--version"])``, ``check_output("git --exec-path", shell=True)``)."""
    if last_name(call.func) == _EXEC_FORM:
        positional = [arg for arg in call.args if arg.keyword is None]
        return _words(arg.value if not arg.star else None for arg in positional)
    argv = _argv(call)
    if isinstance(argv, cst.SimpleString):
        text = argv.evaluated_value
        return text.split() if isinstance(text, str) else None
    if isinstance(argv, cst.BinaryOperation):
        return _program_and_words(argv)
    if not isinstance(argv, (cst.List, cst.Tuple)):
        return None
    return _words(element.value if element.__class__ is cst.Element else None for element in argv.elements)


def _words(values: Iterable[Optional[cst.BaseExpression]]) -> Optional[List[str]]:
    """The words of a command given one value each (None: starred, so not known): literal strings,
    the program may be a variable (``""``)."""
    words = []
    for position, value in enumerate(values):
        if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
            words.append(value.evaluated_value)
        elif position == 0 and value is not None:
            words.append("")  # the program, named by a variable (a configured binary path)
        else:
            return None
    return words


def _program_and_words(argv: cst.BinaryOperation) -> Optional[List[str]]:
    """A shell command made of a program held by a name and literal words after it
    (``binary + " -codecs"``, ``quote(binary) + " -h || true"``): the program is ``""``."""
    program, words = argv.left, argv.right
    if not isinstance(argv.operator, cst.Add) or not isinstance(program, (cst.Name, cst.Attribute, cst.Call)):
        return None
    text = words.evaluated_value if isinstance(words, cst.SimpleString) else None
    return [""] + text.split() if isinstance(text, str) else None
