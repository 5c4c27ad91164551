"""Tooling by its callers (project/callers.py): tables and references, classes made by tooling only.

Each test writes a small project to a temporary directory and asks the index whether a
function is tooling (left alone by the "everywhere but tooling" rules) and, for one of them,
what HB201 reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest

from flake8_handler_block.engine import check_source
from flake8_handler_block.project import index
from flake8_handler_block.project.references import references
from project_helpers import reach, slow_reads, write_project

FETCH = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"


def _project(root: Path, files: Dict[str, str]) -> Path:
    return write_project(root, {"pyproject.toml": "", **files})


# -- functions named in a table ------------------------------------------------------------

def test_a_function_in_a_commands_table_of_a_tooling_function_is_tooling(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "app/__init__.py": "",
        "app/jobs.py": (
            "import requests\n\n\ndef sync_prices(url):\n    return requests.get(url)\n\n\n"
            "def sync_rates(url):\n    return requests.get(url)\n"
        ),
        "app/admin.py": (
            "import sys\nfrom app import jobs\n\n\ndef main():\n"
            "    commands = {'prices': jobs.sync_prices, 'rates': jobs.sync_rates}\n"
            "    commands[sys.argv[1]](sys.argv[2])\n\n\n"
            "if __name__ == '__main__':\n    main()\n"
        ),
    })
    jobs = reach(root, "app/jobs.py")
    assert jobs.is_tooling("sync_prices") and jobs.is_tooling("sync_rates")
    text = (root / "app/jobs.py").read_text()
    assert check_source(text, str(root / "app/jobs.py")) == []


def test_a_table_outside_tooling_code_may_call_it_anywhere(tmp_path: Path) -> None:
    """The same table at module level of an ordinary module: who calls through it is not known."""
    root = _project(tmp_path, {
        "app/__init__.py": "",
        "app/jobs.py": FETCH,
        "app/registry.py": "from app.jobs import fetch\n\nFETCHERS = {'web': fetch}\n",
        "app/admin.py": (
            "import sys\nfrom app.jobs import fetch\n\n\nif __name__ == '__main__':\n    fetch(sys.argv[1])\n"
        ),
    })
    jobs = reach(root, "app/jobs.py")
    assert not jobs.is_tooling("fetch")
    assert [f[2][:5] for f in check_source(FETCH, str(root / "app/jobs.py"))] == ["HB201"]


def test_a_function_called_by_a_command_and_registered_as_a_callback_is_not_tooling(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "app/__init__.py": "",
        "app/jobs.py": FETCH,
        "app/cli.py": "from app.jobs import fetch\n\n\ndef run(url):\n    fetch(url)\n",
        "app/signals.py": "from app import jobs\nfrom blinker import signal\n\nsignal('saved').connect(jobs.fetch)\n",
    })
    assert not reach(root, "app/jobs.py").is_tooling("fetch")
    (root / "app/signals.py").write_text("from blinker import signal\n")
    index.clear()
    assert reach(root, "app/jobs.py").is_tooling("fetch")


def test_a_function_a_command_hands_to_a_scheduler_is_not_the_commands(tmp_path: Path) -> None:
    """``scheduler.add_job(refresh)`` in a command that starts a server: the job runs on after the
    command's call, like a thread it starts."""
    root = _project(tmp_path, {
        "app/__init__.py": "",
        "app/jobs.py": FETCH,
        "app/cli.py": "from app.jobs import fetch\n\n\ndef serve(scheduler):\n    scheduler.add_job(fetch)\n",
    })
    assert not reach(root, "app/jobs.py").is_tooling("fetch")


def test_a_celery_delay_is_a_use_elsewhere(tmp_path: Path) -> None:
    """``fetch.delay(url)`` hands it to a worker: not the command's own call."""
    root = _project(tmp_path, {
        "app/__init__.py": "",
        "app/jobs.py": FETCH,
        "app/cli.py": "from app.jobs import fetch\n\n\ndef run(url):\n    fetch(url)\n",
        "app/views.py": "from app.jobs import fetch\n\n\ndef queue(url):\n    fetch.delay(url)\n",
    })
    assert not reach(root, "app/jobs.py").is_tooling("fetch")


# -- classes made by tooling only ----------------------------------------------------------

CLIENT = (
    "import requests\n\n\nclass Client:\n    def __init__(self, base):\n        self.base = base\n\n"
    "    def request(self, path):\n        return requests.get(self.base + path)\n\n"
    "    def get(self, path):\n        return self.request(path)\n"
)


def test_a_class_made_only_by_a_cli_module_is_tooling(tmp_path: Path) -> None:
    """The CLI keeps the client on a context object (``ctx.obj.client.get(...)``): the calls do not
    resolve, but every instance is the CLI's."""
    root = _project(tmp_path, {
        "api_client/__init__.py": CLIENT,
        "app/__init__.py": "",
        "app/cli/__init__.py": "",
        "app/cli/client.py": (
            "import api_client\n\n\ndef create_client(url):\n    return api_client.Client(url)\n\n\n"
            "def cli(ctx, url):\n    ctx.obj.client = create_client(url)\n\n\n"
            "def get(ctx, path):\n    return ctx.obj.client.get(path)\n"
        ),
    })
    client = reach(root, "api_client/__init__.py")
    assert client.is_tooling("Client.request") and client.is_tooling("Client.get")
    assert check_source(CLIENT, str(root / "api_client/__init__.py")) == []


def test_a_class_also_made_by_a_view_is_not_tooling(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "api_client/__init__.py": CLIENT,
        "app/__init__.py": "",
        "app/cli.py": "import api_client\n\n\ndef create_client(url):\n    return api_client.Client(url)\n",
        "app/status.py": "from api_client import Client\n\n\ndef remote():\n    return Client('http://peer')\n",
    })
    assert not reach(root, "api_client/__init__.py").is_tooling("Client.request")


def test_a_class_named_in_a_tooling_table_is_made_there(tmp_path: Path) -> None:
    """``PROVIDERS[name]()`` in a script's main: the classes in the table are made by the script."""
    root = _project(tmp_path, {
        "deploy/__init__.py": "",
        "deploy/aws.py": (
            "import requests\n\n\nclass AwsProvider:\n    def create(self, url):\n        return requests.get(url)\n"
        ),
        "deploy/run.py": (
            "import sys\nfrom deploy.aws import AwsProvider\n\n\ndef main():\n"
            "    providers = {'aws': AwsProvider}\n    providers[sys.argv[1]]().create(sys.argv[2])\n\n\n"
            "if __name__ == '__main__':\n    main()\n"
        ),
    })
    assert reach(root, "deploy/aws.py").is_tooling("AwsProvider.create")


def test_a_class_that_runs_work_of_its_own_is_not_the_commands(tmp_path: Path) -> None:
    """A server or poller a command starts runs on after the command's call: a thread given one
    of its methods, or a method registered as a callback."""
    poller = (
        "import threading\nimport requests\n\n\nclass Poller:\n    def start(self):\n"
        "        threading.Thread(target=self.poll).start()\n\n"
        "    def poll(self):\n        return requests.get('http://feed')\n"
    )
    listener = (
        "import requests\n\n\nclass Listener:\n    def __init__(self, bus):\n"
        "        bus.subscribe('saved', self.on_saved)\n\n"
        "    def on_saved(self, event):\n        return requests.get('http://hook')\n"
    )
    root = _project(tmp_path, {
        "app/__init__.py": "",
        "app/poller.py": poller,
        "app/listener.py": listener,
        "app/cli.py": (
            "from app.poller import Poller\nfrom app.listener import Listener\n\n\n"
            "def serve(bus):\n    Poller().start()\n    Listener(bus)\n"
        ),
    })
    assert not reach(root, "app/poller.py").is_tooling("Poller.poll")
    assert not reach(root, "app/listener.py").is_tooling("Listener.on_saved")


def test_a_subclass_made_elsewhere_runs_the_base_methods_there(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "api_client/__init__.py": CLIENT,
        "app/__init__.py": "",
        "app/cli.py": "import api_client\n\n\ndef create_client(url):\n    return api_client.Client(url)\n",
        "app/peer.py": (
            "from api_client import Client\n\n\nclass PeerClient(Client):\n    pass\n\n\n"
            "def remote():\n    return PeerClient('http://peer')\n"
        ),
    })
    assert not reach(root, "api_client/__init__.py").is_tooling("Client.request")


def test_type_tests_and_super_make_no_instance(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "api_client/__init__.py": CLIENT.replace(
            "        self.base = base\n", "        super(Client, self).__init__()\n        self.base = base\n"
        ),
        "app/__init__.py": "",
        "app/cli.py": "import api_client\n\n\ndef create_client(url):\n    return api_client.Client(url)\n",
        "app/checks.py": (
            "from api_client import Client\n\n\ndef is_client(value):\n    return isinstance(value, Client)\n"
        ),
    })
    assert reach(root, "api_client/__init__.py").is_tooling("Client.request")


def test_a_class_method_used_outside_tooling_can_make_instances(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "api_client/__init__.py": (
            CLIENT + "\n    @classmethod\n    def local(cls):\n        return cls('http://localhost')\n"
        ),
        "app/__init__.py": "",
        "app/cli.py": "import api_client\n\n\ndef create_client(url):\n    return api_client.Client(url)\n",
        "app/views.py": "from api_client import Client\n\n\ndef status():\n    return Client.local().get('/')\n",
    })
    assert not reach(root, "api_client/__init__.py").is_tooling("Client.request")


def test_instances_from_a_base_outside_the_project_may_be_made_anywhere(tmp_path: Path) -> None:
    """``Feed(url=...)`` only in a management command, but ``Feed.objects.get()`` (Django's manager,
    not the project's) makes instances in a view: its methods run there."""
    feed = (
        "import requests\nfrom django.db import models\n\n\nclass Feed(models.Model):\n"
        "    url = models.URLField()\n\n    def refresh(self):\n        return requests.get(self.url)\n"
    )
    root = _project(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": feed,
        "app/management/commands/addfeed.py": (
            "from app.models import Feed\n\n\ndef handle(url):\n    Feed(url=url).save()\n"
        ),
        "app/tasks.py": "from app.models import Feed\n\n\ndef refresh_all():\n    return Feed.url\n",
    })
    assert reach(root, "app/models.py").is_tooling("Feed.refresh")  # a class attribute of the project's
    (root / "app/tasks.py").write_text(
        "from app.models import Feed\n\n\ndef refresh_all():\n    for feed in Feed.objects.all():\n"
        "        feed.refresh()\n"
    )
    index.clear()
    assert not reach(root, "app/models.py").is_tooling("Feed.refresh")


def test_references_are_read_with_their_scope() -> None:
    source = (
        "import jobs\n\n\nclass Runner:\n    def start(self, pool):\n        pool.submit(self.work)\n"
        "        self.work()\n\n    def work(self):\n        return jobs.f.delay()\n\n\n"
        "def main(x: Runner):\n    table = {'f': jobs.f}\n    isinstance(x, Runner)\n    return table\n"
    )
    found = references(source, {(5, "start"): 0, (9, "work"): 1, (13, "main"): 2}, {(4, "Runner"): 0})
    work = found["work"]
    assert [(r.dotted, r.function, r.cls, r.self_name, r.owner) for r in work] == [("self.work", 0, 0, "self", "")]
    assert sorted((r.dotted, r.function, r.owner) for r in found["f"]) == [("jobs.f", 1, "delay"), ("jobs.f", 2, "")]
    assert "Runner" not in found  # an annotation and a type test make no instance


def test_the_documented_default_globs_are_the_defaults() -> None:
    import re

    from flake8_handler_block.config import DEFAULT_TOOLING
    from fixtures import TESTDATA

    text = (TESTDATA.parent / "docs" / "handlers.md").read_text()
    block = re.search(r"^tooling = \[(.*?)\]", text, re.MULTILINE | re.DOTALL)
    assert block is not None
    assert tuple(re.findall(r'"([^"]+)"', block.group(1))) == DEFAULT_TOOLING


TEMPLATE_COMMAND = (
    "from urllib.request import build_opener\n\nfrom app.core import BaseCommand\n\n\n"
    "class TemplateCommand(BaseCommand):\n"
    "    def handle(self, url):\n        return self.download(url)\n\n"
    "    def download(self, url):\n        with build_opener().open(url) as source:\n            return source.read()\n"
)


@pytest.mark.parametrize("others, tooling", [
    # only management commands derive from it; the framework makes them from their module's name
    ({"app/management/commands/startapp.py": "from app.templates import TemplateCommand\n\n\n"
                                             "class Command(TemplateCommand):\n    help = 'Creates an app.'\n"}, True),
    # a class outside tooling derives from it too, and nothing in sight makes it: made out of sight
    ({"app/management/commands/startapp.py": "from app.templates import TemplateCommand\n\n\n"
                                             "class Command(TemplateCommand):\n    pass\n",
      "app/fetch.py": "from app.templates import TemplateCommand\n\n\nclass Fetcher(TemplateCommand):\n    pass\n"},
     False),
    ({}, False),  # nothing derives from it, nothing makes it
])
def test_a_base_of_management_commands_only(tmp_path: Path, others: Dict[str, str], tooling: bool) -> None:
    root = _project(tmp_path, {
        "app/__init__.py": "", "app/core.py": "class BaseCommand:\n    pass\n",
        "app/templates.py": TEMPLATE_COMMAND, **others,
    })
    assert reach(root, "app/templates.py").is_tooling("TemplateCommand.download") is tooling
    findings = check_source(TEMPLATE_COMMAND, str(root / "app/templates.py"))
    assert [message[:5] for _line, _col, message in findings] == ([] if tooling else ["HB202"])


def test_an_invoke_task_is_a_command_and_a_celery_task_is_not(tmp_path: Path) -> None:
    tasks = (
        "import requests\nfrom celery import shared_task\nfrom invoke import task\n\n\n"
        "@task(help={'settings-path': 'settings file'})\n"
        "def load_online_fixtures(context, settings_path=None):\n"
        "    return _download('https://fixtures.example/x.zip')\n\n\n"
        "def _download(url):\n    return requests.get(url).content\n\n\n"
        "@shared_task\ndef refresh_prices():\n    return requests.get('https://prices.example/').json()\n"
    )
    root = _project(tmp_path, {"app/__init__.py": "", "app/tasks.py": tasks})
    module = reach(root, "app/tasks.py")
    assert module.is_tooling("load_online_fixtures") and module.is_tooling("_download")
    assert not module.is_tooling("refresh_prices")
    assert [line for line, _col, _message in check_source(tasks, str(root / "app/tasks.py"))] == [17]


def test_the_callers_budget_counts_this_process_cpu_not_the_machine_wall_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loaded machine (other jobs, ``-j`` siblings) slows every read, yet the same questions
    are answered: the budget is CPU time this process spends, which waiting does not use."""
    from flake8_handler_block.project import callers

    root = _project(tmp_path, {
        "app/__init__.py": "",
        "app/jobs.py": FETCH,
        "app/cli.py": "from app.jobs import fetch\n\n\ndef run(url):\n    fetch(url)\n",
    })
    slow_reads(monkeypatch, "text", 0.05)
    monkeypatch.setattr(callers, "BUDGET_SECONDS", 0.02)
    assert reach(root, "app/jobs.py").is_tooling("fetch")


def test_an_answer_is_the_same_whatever_was_asked_before_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The budget counts modules read, those of a kept answer too: so which questions a ``-j``
    process asked first (one that answered ``sync`` already) changes no answer, at any limit."""
    from flake8_handler_block.project import callers

    root = _project(tmp_path, {
        "app/__init__.py": "",
        "app/jobs.py": FETCH,
        "app/sync.py": "from app.jobs import fetch\n\n\ndef sync(url):\n    fetch(url)\n",
        "app/cli.py": "from app.sync import sync\n\n\ndef run(url):\n    sync(url)\n",
    })
    answers = set()
    for limit in range(12):
        monkeypatch.setattr(callers, "MAX_STEPS", limit)
        monkeypatch.setattr(index, "_PROJECTS", {})
        alone = reach(root, "app/jobs.py").is_tooling("fetch")
        monkeypatch.setattr(index, "_PROJECTS", {})
        reach(root, "app/sync.py").is_tooling("sync")
        after = reach(root, "app/jobs.py").is_tooling("fetch")
        assert alone == after, limit
        answers.add(alone)
    assert answers == {False, True}  # past the budget "not known"; within it, tooling


# -- what the __main__ guard calls ---------------------------------------------------------

WEB_DEMO = (
    "import sys\nimport gradio as gr\nimport requests\n\n\n"
    "def get_model_list(url):\n    return requests.post(url + '/refresh').json()\n\n\n"
    "def load_demo(params, request: gr.Request):\n    return get_model_list(sys.argv[1])\n\n\n"
    "def build_demo():\n    with gr.Blocks() as demo:\n        demo.load(load_demo, [], [])\n    return demo\n\n\n"
    "if __name__ == '__main__':\n    models = get_model_list(sys.argv[1])\n    build_demo().launch()\n"
)


def test_a_function_the_main_guard_calls_is_not_tooling_when_a_callback_calls_it_too(tmp_path: Path) -> None:
    """FastChat's web server lists the models in its script part and again on every page load."""
    root = _project(tmp_path, {"app/__init__.py": "", "app/web.py": WEB_DEMO})
    web = reach(root, "app/web.py")
    assert not web.is_tooling("get_model_list")
    assert web.is_tooling("build_demo")  # called by the __main__ guard alone
    found = check_source(WEB_DEMO, str(root / "app/web.py"))
    assert [(f[0], f[2].split()[0]) for f in found] == [(7, "HB201")]


def test_a_function_the_main_guard_calls_stays_tooling_whatever_other_modules_name_like_it(tmp_path: Path) -> None:
    """``main`` is named everywhere (a local ``main = ...``, another module's own ``main``): only a
    reference known to be this function makes it more than the script's."""
    root = _project(tmp_path, {
        "app/__init__.py": "",
        "app/sync.py": (
            FETCH + "\n\ndef main():\n    fetch('https://example.org')\n\n\nif __name__ == '__main__':\n    main()\n"
        ),
        "app/other.py": "def run(main):\n    handlers = [main]\n    return handlers\n",
    })
    assert reach(root, "app/sync.py").is_tooling("main")


# -- argparse commands that are methods ----------------------------------------------------

CLIENT_CLI = '''import argparse

import requests


class RestClient:
    def __init__(self, url):
        self.url = url
        self.session = requests.Session()

    def enqueue(self, project):
        return self.session.post(f"{self.url}/enqueue", json={"project": project})


class Client:
    def parse(self, argv):
        parser = argparse.ArgumentParser()
        commands = parser.add_subparsers()
        enqueue = commands.add_parser("enqueue")
        enqueue.add_argument("project")
        enqueue.set_defaults(func=self.enqueue)
        return parser.parse_args(argv)

    def enqueue(self, args):
        return RestClient(args.url).enqueue(args.project)

    def run(self, argv):
        args = self.parse(argv)
        return args.func(args)


def main():
    Client().run(None)
'''


def test_an_argparse_command_that_is_a_method_is_tooling(tmp_path: Path) -> None:
    """``set_defaults(func=self.enqueue)`` (zuul's client): the method is a command, and the REST
    client only it builds is the command's alone."""
    root = _project(tmp_path, {"ops/__init__.py": "", "ops/client.py": CLIENT_CLI})
    client = reach(root, "ops/client.py")
    assert client.is_tooling("Client.enqueue") and client.is_tooling("RestClient.enqueue")
    assert check_source(CLIENT_CLI, str(root / "ops/client.py")) == []


def test_a_summary_read_past_the_builds_deadline_ends_the_question_not_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tree's own time check (a module's classes read late, for a subclass) stops a callers'
    question like the question's own budget: "not known", never an HB000 internal error."""
    from flake8_handler_block.project import tree as tree_module

    root = _project(tmp_path, {
        "app/__init__.py": "",
        "app/jobs.py": FETCH,
        "app/admin.py": "from app.jobs import fetch\n\n\ndef main():\n    fetch('x')\n\n\n"
                        "if __name__ == '__main__':\n    main()\n",
    })
    jobs = reach(root, "app/jobs.py")

    read = tree_module.ProjectTree.summary

    def late(self: tree_module.ProjectTree, path: str):  # type: ignore[no-untyped-def]
        if path.endswith("admin.py"):  # the caller's module, read by the question
            raise tree_module.OutOfTime()
        return read(self, path)

    monkeypatch.setattr(tree_module.ProjectTree, "summary", late)
    assert not jobs.is_tooling("fetch")  # not known: not left alone
    text = (root / "app/jobs.py").read_text()
    assert [f for f in check_source(text, str(root / "app/jobs.py")) if "HB000" in f[2]] == []
