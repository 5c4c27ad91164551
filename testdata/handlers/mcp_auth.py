"""Bearer authentication of an MCP server: the SDK's (and FastMCP's) middleware awaits the
verifier's verify_token() on every request, and the SDK's OAuth provider serves its auth endpoints."""

import httpx
from mcp.server.auth.provider import AccessToken, OAuthAuthorizationServerProvider, TokenVerifier

from .tokens import TokenVerifier as EmailTokenVerifier


class IntrospectionTokenVerifier(TokenVerifier):
    def __init__(self, endpoint: str):
        self.endpoint = endpoint

    async def verify_token(self, token: str) -> AccessToken | None:  # handler
        async with httpx.AsyncClient(timeout=5) as client:
            reply = await client.post(self.endpoint, data={"token": token})
        return self._access(reply.json())

    def _access(self, claims: dict) -> AccessToken | None:
        if not claims.get("active"):
            return None
        return AccessToken(token=claims["jti"], client_id=claims["client_id"], scopes=claims["scope"].split())


class NotesOAuthProvider(OAuthAuthorizationServerProvider):
    def __init__(self):
        self.codes = {}

    async def load_authorization_code(self, client, authorization_code):  # handler
        return self.codes.get(authorization_code)

    async def load_access_token(self, token):  # handler
        return None

    def describe(self):
        return "notes"


class EmailMatches(EmailTokenVerifier):
    def verify_token(self, token, email):
        return token.email == email
