"""Integrations of a test management app: bugs filed on GitLab (python-gitlab) and Jira, SMS by Twilio."""
import gitlab
from django.conf import settings
from django.http import JsonResponse
from gitlab import Gitlab
from rest_framework import viewsets

from trackers.http import tracker_session
from trackers.vendor import Gitlab as VendoredGitlab

GITLAB_TIMEOUT = 20
CLIENT_OPTIONS = {"private_token": settings.GITLAB_TOKEN, "timeout": GITLAB_TIMEOUT}


class GitlabTracker:
    def __init__(self, tracker):
        self.rpc = gitlab.Gitlab(tracker.base_url, private_token=tracker.api_password)  # expect: HB203[col=20] "gitlab.Gitlab() has no timeout" "python-gitlab hands it to every API request"
        self.bounded = gitlab.Gitlab(tracker.base_url, private_token=tracker.api_password, timeout=GITLAB_TIMEOUT)  # ok: timeout given

    def report(self, execution):
        project = self.rpc.projects.get(execution.run.plan.product.name)
        return project.issues.create({"title": execution.case.summary})


class IssueViewSet(viewsets.ViewSet):
    def create(self, request):
        client = Gitlab(settings.GITLAB_URL, private_token=request.auth, timeout=None)  # expect: HB203 "Gitlab() passes timeout=None" "handler 'IssueViewSet.create'"
        issue = client.projects.get(request.data["project"]).issues.create(request.data["issue"])
        return JsonResponse({"iid": issue.iid})

    def list(self, request):
        configured = Gitlab(settings.GITLAB_URL, **CLIENT_OPTIONS)  # ok: the dict holds "timeout"
        positional = Gitlab(settings.GITLAB_URL, settings.GITLAB_TOKEN, None, None, True, None, None, 30)  # ok: the 8th positional is the timeout
        own = Gitlab(settings.GITLAB_URL, private_token=request.auth, session=tracker_session())  # ok: a session of the app's may bound it
        from_file = gitlab.Gitlab.from_config("tracker", ["/etc/python-gitlab.cfg"])  # ok: its file may set a timeout
        vendored = VendoredGitlab(settings.GITLAB_URL)  # ok: another Gitlab (the project's)
        found = [c.projects.list(get_all=False) for c in (configured, positional, own, from_file, vendored)]
        return JsonResponse({"count": sum(len(f) for f in found)})


import jira  # noqa: E402
from jira import JIRA  # noqa: E402

JIRA_OPTIONS = {"server": settings.JIRA_URL, "timeout": (3.05, 30)}


class JiraTracker:
    def __init__(self, tracker):
        self.rpc = jira.JIRA(tracker.base_url, basic_auth=(tracker.api_username, tracker.api_password))  # expect: HB203 "jira.JIRA() has no timeout" "jira's session gives it to every request"
        self.bounded = JIRA(tracker.base_url, basic_auth=(tracker.api_username, tracker.api_password), timeout=10)  # ok: timeout given
        self.configured = JIRA(**JIRA_OPTIONS)  # ok: the dict holds "timeout"

    def issue(self, key):
        return self.rpc.issue(key)


from twilio.http.http_client import TwilioHttpClient  # noqa: E402
from twilio.rest import Client as TwilioClient  # noqa: E402

SMS = TwilioClient(settings.TWILIO_SID, settings.TWILIO_TOKEN)  # expect: HB203 "TwilioClient() has no timeout" "http_client=TwilioHttpClient(timeout=<seconds>)"
SMS_BOUNDED = TwilioClient(settings.TWILIO_SID, settings.TWILIO_TOKEN, http_client=TwilioHttpClient(timeout=10))  # ok: an HTTP client with a timeout
SMS_CONFIGURED = TwilioClient(**settings.TWILIO_OPTIONS)  # ok: the options may hand it an HTTP client


def notify_failure(execution):
    SMS.messages.create(to=execution.tested_by.phone, from_=settings.TWILIO_FROM, body=execution.case.summary)


from pydiscourse import DiscourseClient  # noqa: E402
from pydiscourse.client import DiscourseClient as ForumClient  # noqa: E402


class ForumSync:
    _client = None

    @property
    def client(self):
        if not self._client:
            self._client = DiscourseClient(settings.DISCOURSE_URL, api_username="system", api_key=settings.DISCOURSE_KEY)  # expect: HB203 "DiscourseClient() has no timeout" "pydiscourse hands it to every API request"
        return self._client

    def bounded(self):
        return ForumClient(settings.DISCOURSE_URL, "system", settings.DISCOURSE_KEY, 15)  # ok: timeout given, fourth positional

    def configured(self):
        return ForumClient(settings.DISCOURSE_URL, "system", settings.DISCOURSE_KEY, timeout=settings.FORUM_TIMEOUT)  # ok: timeout given as a name


import jenkins  # noqa: E402
from jenkins import Jenkins as CIServer  # noqa: E402

CI_OPTIONS = {"username": settings.JENKINS_USER, "password": settings.JENKINS_TOKEN, "timeout": 30}


class BuildTrigger:
    def __init__(self):
        self.server = jenkins.Jenkins(settings.JENKINS_URL, username=settings.JENKINS_USER, password=settings.JENKINS_TOKEN)  # expect: HB203 "jenkins.Jenkins() has no timeout" "python-jenkins hands it to every request"
        self.bounded = CIServer(settings.JENKINS_URL, settings.JENKINS_USER, settings.JENKINS_TOKEN, 30)  # ok: timeout given, fourth positional
        self.configured = CIServer(settings.JENKINS_URL, **CI_OPTIONS)  # ok: the dict holds "timeout"
        self.by_name = CIServer(settings.JENKINS_URL, timeout=settings.JENKINS_TIMEOUT)  # ok: timeout given as a name

    def trigger(self, job, params):
        return self.server.build_job(job, params)
