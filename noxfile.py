"""Every test, slow ones included, on the oldest and newest supported Pythons: `nox`.

`nox -- -m 'not slow'` narrows it to the fast loop. A session whose pytest collects no
test fails: nox accepts exit status 0 only, and pytest exits 5 when nothing was collected.
"""

import nox

nox.options.sessions = ["tests"]


# uv builds and fills a session's virtualenv in seconds (pip takes ~45 s); virtualenv when uv is absent.
@nox.session(python=["3.9", "3.13"], venv_backend="uv|virtualenv")
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    # pyproject's addopts leave slow tests out; a later -m (from posargs) still wins.
    session.run("python", "-m", "pytest", "-q", "-m", "slow or not slow", *session.posargs)
