"""Third-party applications through OAuth 2.0 (django-oauth-toolkit), beside the personal API tokens.

An administrator registers an application (name, redirect URIs, the scopes it may ask for); a user
authorises it on the consent page (/oauth/authorize/, authorization code with PKCE); its access
token then acts as that user — the user's role and visibility apply — and only within the scopes
granted (scopes.py maps every API operation to the scope it needs). A server-to-server application
(client credentials) acts as the user the administrator named for it. Revoking an application
deletes all its tokens and grants at once; a user revokes their own grants on
/oauth/connected/.
"""
