from .clients.http import CLIENT


def load_user():
    return CLIENT.get_json("/me")
