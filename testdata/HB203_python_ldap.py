"""Directory login of an issue tracker: python-ldap binds and searches against the company LDAP."""
import ldap
import ldap.ldapobject
from flask import Blueprint, current_app, request
from ldap import initialize
from ldap.ldapobject import ReconnectLDAPObject

from tracker.directory import initialize as directory_initialize

auth = Blueprint("auth", __name__)
SEARCH_TIMEOUT = 10


@auth.route("/login", methods=["POST"])
def login():
    conn = ldap.initialize(current_app.config["LDAP_URI"])
    conn.set_option(ldap.OPT_REFERRALS, 0)
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 5)  # the connect only: the answers still wait
    conn.start_tls_s()  # expect: HB203[col=5] "conn.start_tls_s() waits for the directory with no timeout" "handler 'login'" "call conn.set_option(ldap.OPT_TIMEOUT, <seconds>) first"
    conn.simple_bind_s(request.form["dn"], request.form["password"])  # expect: HB203 "conn.simple_bind_s() waits" "set conn.timeout = <seconds> first"
    found = conn.search_st("ou=people,dc=example,dc=org", ldap.SCOPE_SUBTREE, "(uid=*)", timeout=SEARCH_TIMEOUT)  # ok: its own timeout
    more = conn.search_ext_s("ou=people,dc=example,dc=org", ldap.SCOPE_SUBTREE, "(uid=*)", None, 0, None, None, 5)  # ok: timeout is the 8th positional
    unbounded = conn.search_st("ou=groups,dc=example,dc=org", ldap.SCOPE_SUBTREE, timeout=ldap.NO_LIMIT)  # expect: HB203 "conn.search_st() waits" "pass timeout=<seconds>"
    members = conn.search_st("ou=groups,dc=example,dc=org", ldap.SCOPE_SUBTREE)  # expect: HB203 "conn.search_st() waits" "pass timeout=<seconds>, or call conn.set_option"
    conn.unbind_s()  # ok: an unbind has no answer to wait for
    return {"found": len(found) + len(more) + len(unbounded) + len(members)}


@auth.route("/ready")
def readiness():
    client = initialize(current_app.config["LDAP_URI"])
    client.timeout = 5  # the calls that read an answer in Python give up after 5 s
    client.simple_bind_s()  # ok: client.timeout is set
    client.whoami_s()  # ok: client.timeout is set
    client.sasl_external_bind_s()  # expect: HB203 "client.sasl_external_bind_s() waits" "client.timeout does not reach it"
    local = ldap.initialize("ldapi:///var/run/slapd/ldapi")
    local.simple_bind_s()  # ok: a Unix socket to the directory on this host
    return "ok"


class DirectoryClient:
    def __init__(self, uri, timeout=ldap.NO_LIMIT):
        self.conn = ReconnectLDAPObject(uri, retry_max=3)
        self.conn.timeout = timeout  # a parameter: a finite value may be passed
        self.unlimited = ldap.ldapobject.SimpleLDAPObject(uri)
        self.unlimited.timeout = -1

    def whoami(self):
        return self.conn.whoami_s()  # ok: self.conn.timeout is set in __init__

    def groups(self, dn):
        return self.unlimited.search_s(dn, ldap.SCOPE_BASE)  # expect: HB203 "self.unlimited.search_s() waits" "method 'DirectoryClient.groups'"


def lookup(conn, dn):
    return conn.search_s(dn, ldap.SCOPE_BASE)  # ok: a parameter of unknown kind


def sync_directory():
    other = directory_initialize(current_app.config["LDAP_URI"])
    return other.simple_bind_s()  # ok: the project's own initialize(), not python-ldap's
