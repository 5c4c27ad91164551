"""A JupyterHub spawner and authenticator: the hub's handlers await the spawner's start(), stop()
and poll() (the spawn and stop requests, a user's status) and the authenticator's authenticate()
(the login request) and pre_spawn_start() (the spawn request) in the request."""
import asyncio

from jupyterhub.auth import Authenticator
from jupyterhub.spawner import Spawner
from traitlets import Unicode

from sso.plugins import Authenticator as SsoAuthenticator  # another package's class of that name


class QueueSpawner(Spawner):
    submit_cmd = Unicode("sbatch --parsable")

    async def start(self):  # handler
        self.job_id = await self._run(self.submit_cmd)
        return ("127.0.0.1", 8888)

    async def poll(self):  # handler
        state = await self._run(f"squeue -h -j {self.job_id}")
        return None if state else 0

    async def stop(self, now=False):  # handler
        await self._run(f"scancel {self.job_id}")

    async def _run(self, cmd):
        """A helper the hooks call: reached from them, not a handler of its own."""
        proc = await asyncio.create_subprocess_shell(cmd, stdout=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate()
        return out.decode()

    def get_state(self):
        """Saved to the database as the hub shuts down: no request waits on it."""
        return {"job_id": self.job_id}


class GroupSpawner(QueueSpawner):
    async def start(self):  # handler
        return await super().start()


class DirectoryAuthenticator(Authenticator):
    async def authenticate(self, handler, data):  # handler
        return data["username"]

    async def pre_spawn_start(self, user, spawner):  # handler
        spawner.environment["USER"] = user.name

    def normalize_username(self, username):
        """Called as the hub reads its configuration too: not a request's hook here."""
        return username.lower()


class TicketChecker(SsoAuthenticator):
    """Another package's authenticator: its hooks are not the hub's."""

    def authenticate(self, handler, data):
        return None
