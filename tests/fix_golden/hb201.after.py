"""HB201 fix: requests calls get timeout=(3.05, 30); formatting and comments stay."""
import requests
from flask import Flask

app = Flask(__name__)
SESSION = requests.Session()


@app.get("/users/<uid>")
def show_user(uid):
    profile = requests.get(f"https://accounts/users/{uid}", timeout=(3.05, 30)).json()  # the profile
    SESSION.post(
        "https://accounts/audit",
        json={"uid": uid},  # who looked
        timeout=(3.05, 30),
    )
    requests.delete(
        f"https://accounts/cache/{uid}",
        timeout=(3.05, 30),
    )
    SESSION.put(
        "https://accounts/seen",
        data=uid,
        timeout=(3.05, 30)
    )
    SESSION.request("GET", "https://accounts/ping", None, None, None, None, None, None, (3.05, 30))
    requests.get("https://accounts/legacy")  # noqa: HB201
    requests.get("https://accounts/ok", timeout=5)
    return profile
