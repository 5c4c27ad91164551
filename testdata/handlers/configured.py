# config: handler-decorators = ["command_handler", "acme.rpc.method"]
# config: handler-base-classes = ["ServiceEndpoint", "acme.web.Resource"]
"""An in-house framework: handlers declared with the project's own decorators and bases."""
import acme.rpc
import other.models
from acme import rpc, web
from acme.bus import command_handler
from acme.web import ServiceEndpoint
from other.rpc import method as other_method

from .accounts import Accounts

accounts = Accounts()


@command_handler("CreateAccount")
def create_account(command):  # handler
    return accounts.create(command.payload)


@acme.rpc.method("accounts.get")
def get_account(account_id):  # handler
    return accounts.get(account_id)


@rpc.method("accounts.close")
def close_account(account_id):  # handler
    accounts.close(account_id)


@other_method("accounts.audit")
def audit(account_id):
    """Same last name as a full-path entry, from another package: not a handler."""
    return accounts.audit(account_id)


class AccountsEndpoint(ServiceEndpoint):
    def get(self, account_id):  # handler
        return accounts.get(account_id)

    def handle(self, message):  # handler
        return accounts.apply(message)

    def _load(self, account_id):
        return accounts.get(account_id)


class Statements(web.Resource):
    def on_get(self, account_id):  # handler
        return accounts.statements(account_id)


class Snapshot(other.models.Resource):
    def get(self, account_id):
        """`Resource` from elsewhere: the entry names acme.web.Resource by its full path."""
        return accounts.snapshot(account_id)


def apply_fee(account_id):
    accounts.charge(account_id, 1)
