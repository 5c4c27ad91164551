"""Account sync: a library function, a click command and a script entry point in one module."""
import click
import requests

ACCOUNTS_URL = "https://accounts.internal"


def fetch_accounts():
    # Library code: whoever calls it can hang on a stalled upstream.
    return requests.get(f"{ACCOUNTS_URL}/all").json()  # expect: HB201 "requests.get() has no timeout" "function 'fetch_accounts'"


@click.command()
@click.option("--since")
def sync(since):
    # A CLI command, run by an operator: tooling, not a request's work.
    for account in requests.get(f"{ACCOUNTS_URL}/since/{since}").json():  # ok: HB201 click command (tooling)
        click.echo(account["id"])


def main():
    rows = requests.get(f"{ACCOUNTS_URL}/export").json()  # ok: HB201 only run as a script (tooling)
    print(len(rows))


if __name__ == "__main__":
    requests.get(f"{ACCOUNTS_URL}/health")  # ok: HB201 script entry point (tooling)
    main()
