"""Conference back office (Django): each organiser may send through their own SMTP server.

The project's settings set no EMAIL_TIMEOUT, so Django's SMTP backend connects with none
unless the call passes timeout=.
"""
from django.conf import settings
from django.contrib import messages
from django.core import mail
from django.core.mail import EmailMessage, get_connection, send_mail
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.core.mail.backends.smtp import EmailBackend
from django.http import HttpResponse, JsonResponse
from django.views.generic import FormView, View

from billing.db import get_connection as get_db_connection

MAIL_TIMEOUT = 10
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
RELAY = {"host": "relay.internal.example", "port": 587, "use_tls": True, "timeout": MAIL_TIMEOUT}


class OrganiserSMTPBackend(EmailBackend):
    """Django's SMTP backend with a connection test for the settings page."""

    def test(self, from_addr):
        try:
            self.open()
            self.connection.ehlo_or_helo_if_needed()
            self.connection.mail(from_addr)
        finally:
            self.close()


class TimedSMTPBackend(EmailBackend):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timeout", MAIL_TIMEOUT)
        super().__init__(*args, **kwargs)


class MailSettingsView(FormView):
    def form_valid(self, form):
        form.save()
        conf = self.request.event.mail_settings
        backend = OrganiserSMTPBackend(host=conf["smtp_host"], port=conf["smtp_port"], fail_silently=False)  # expect: HB202[col=19] "OrganiserSMTPBackend() has no timeout and the project sets no EMAIL_TIMEOUT" "(or set EMAIL_TIMEOUT in the settings)"
        try:
            backend.test(conf["mail_from"])
        except Exception as exc:
            messages.warning(self.request, f"Could not reach the SMTP server: {exc}")
        bounded = OrganiserSMTPBackend(host=conf["smtp_host"], timeout=MAIL_TIMEOUT)  # ok: timeout given
        bounded.test(conf["mail_from"])
        timed = TimedSMTPBackend(host=conf["smtp_host"], port=conf["smtp_port"])  # ok: its __init__ may give one
        timed.test(conf["mail_from"])
        return super().form_valid(form)


class ComposeView(View):
    def post(self, request):
        conf = request.event.mail_settings
        options = {"host": conf["smtp_server"], "port": conf["smtp_port"]}
        if conf["secured"] == "ssl":
            options.update({"use_ssl": True})
        with mail.get_connection(**options) as connection:  # expect: HB202 "mail.get_connection() has no timeout" "handler 'ComposeView.post'"
            EmailMessage("Hello", request.POST["body"], to=[request.POST["to"]], connection=connection).send()
        with get_connection(**RELAY) as relay:  # ok: the dict holds "timeout"
            EmailMessage("Copy", request.POST["body"], to=[conf["archive"]], connection=relay).send()
        return HttpResponse(status=204)

    def put(self, request):
        conf = request.event.mail_settings
        direct = EmailBackend(conf["smtp_server"], conf["smtp_port"])  # expect: HB202 "EmailBackend() has no timeout" "handler 'ComposeView.put'"
        direct.send_messages([EmailMessage("Hi", "", to=[conf["archive"]])])
        positional = EmailBackend(conf["smtp_server"], 25, None, None, False, False, False, MAIL_TIMEOUT)  # ok: 8th positional is the timeout
        positional.close()
        named = get_connection(SMTP_BACKEND, fail_silently=False)  # ok: a name, not a string: which backend is not read
        named.close()
        return HttpResponse(status=204)

    def patch(self, request):
        smtp = get_connection("django.core.mail.backends.smtp.EmailBackend", fail_silently=False)  # expect: HB202 "get_connection() has no timeout" "handler 'ComposeView.patch'"
        smtp.close()
        unbounded = get_connection(host=request.event.smtp_host, timeout=None)  # expect: HB202 "get_connection() passes timeout=None"
        unbounded.close()
        console = get_connection("django.core.mail.backends.console.EmailBackend", host="localhost")  # ok: not SMTP
        console.close()
        configured = get_connection(backend=settings.ORGANISER_EMAIL_BACKEND, host="localhost")  # ok: backend not known
        configured.close()
        return HttpResponse(status=204)

    def delete(self, request):
        send_mail("Removed", "", None, [request.user.email])  # ok: settings' backend, and no module names a mail server
        default = get_connection()  # ok: settings' backend, no SMTP arguments, no EMAIL_HOST in the project
        default.close()
        quiet = get_connection(fail_silently=True)  # ok: settings' backend, no SMTP arguments, no EMAIL_HOST
        quiet.close()
        signed = get_connection(username=request.user.email, password=request.POST["pw"])  # ok: auth only, as send_mail() passes
        signed.close()
        memory = MemoryBackend(host="ignored")  # ok: locmem backend opens no socket
        memory.close()
        db = get_db_connection(host="db.internal", port=5432)  # ok: another library's get_connection
        db.close()
        return JsonResponse({"deleted": True})
