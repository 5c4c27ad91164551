from .clients import CLIENT


async def summary():
    return render(CLIENT)


def render(client):
    return client.fetch("/summary")
