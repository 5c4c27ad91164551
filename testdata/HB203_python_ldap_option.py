"""LDAP login whose module gives python-ldap an API timeout for the process: every call is bounded."""
import ldap
from django.conf import settings
from django.contrib.auth.backends import ModelBackend

ldap.set_option(ldap.OPT_TIMEOUT, settings.LDAP_TIMEOUT)  # every synchronous call gives up in time


class DirectoryBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        conn = ldap.initialize(settings.LDAP_URI)
        conn.start_tls_s()  # ok: OPT_TIMEOUT bounds libldap's wait
        conn.simple_bind_s(f"uid={username},ou=people,dc=example,dc=org", password)  # ok: OPT_TIMEOUT is set
        return super().authenticate(request, username=username, password=password, **kwargs)
