"""A wiki kept in git, synchronised with a remote from its admin pages (GitPython).

GitPython runs git as a child and waits for it with no limit unless given kill_after_timeout=;
the commands that talk to the remote wait on the network, where a stalled peer holds the request.
"""
import git
from flask import Flask, current_app, request
from git import Repo
from git.cmd import Git as GitCommand

app = Flask(__name__)
GIT_TIMEOUT = 60
BOUNDED = {"kill_after_timeout": GIT_TIMEOUT}


class WikiRepository:
    def __init__(self, path):
        self.repo = Repo(path)
        self.origin = self.repo.remotes.origin

    def push(self, branch):
        self.repo.git.push("origin", branch)  # expect: HB204 "self.repo.git.push() has no timeout" "handler 'admin_push' via WikiRepository.push()" "kill_after_timeout"

    def pull(self):
        self.origin.pull(kill_after_timeout=GIT_TIMEOUT)  # ok: HB204 timeout by name

    def history(self):
        return self.repo.git.log("-20", "--format=%H %s")  # ok: HB204 a local command ends on its own


@app.post("/admin/push")
def admin_push():
    WikiRepository(current_app.config["WIKI_PATH"]).push(request.form["branch"])
    return "pushed"


@app.post("/admin/pull")
def admin_pull():
    wiki = WikiRepository(current_app.config["WIKI_PATH"])
    wiki.pull()
    wiki.repo.remote("upstream").fetch(**BOUNDED)  # ok: HB204 **dict with the timeout
    mirror = git.Repo(current_app.config["MIRROR_PATH"])
    mirror.remotes.upstream.fetch()  # expect: HB204 "mirror.remotes.upstream.fetch() has no timeout" "handler 'admin_pull'"
    return wiki.history()


@app.post("/admin/remote")
def admin_remote():
    url = request.form["url"]
    git.Git().ls_remote("--exit-code", url, "HEAD")  # expect: HB204 "git.Git().ls_remote() has no timeout" "handler 'admin_remote'"
    git.Git().ls_remote("--exit-code", url, "HEAD", kill_after_timeout=(GIT_TIMEOUT))  # ok: HB204 parenthesised name
    GitCommand().ls_remote("--heads", url)  # expect: HB204 "GitCommand().ls_remote() has no timeout" "handler 'admin_remote'"
    mirror = Repo.clone_from(url, "/srv/mirror")  # expect: HB204 "Repo.clone_from() has no timeout (GitPython's clone_from() takes none)" "GIT_HTTP_LOW_SPEED_TIME"
    mirror.git.status()  # ok: HB204 a local command
    backup = mirror.clone("/srv/backup")  # ok: HB204 a clone of the local repository
    backup.index.commit("snapshot")  # ok: HB204 a local commit
    return "ok"


def sync_all(repos):
    for repo in repos:
        repo.git.pull()  # ok: HB204 a receiver of unknown kind


def nightly_mirror(url):
    # no handler reaches it: the rule looks where a request waits
    Repo.clone_from(url, "/srv/nightly")  # ok: HB204 not reached by a handler
