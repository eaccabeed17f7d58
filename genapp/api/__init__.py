"""The backend's own HTTP routes, beside Reflex's (mounted with `rx.App(api_transformer=...)`):
`/media/<file>` (images, to their owner), `/auth/...` (sessions), and `/api/...` (the HTTP API)."""

from starlette.applications import Starlette
from starlette.routing import Mount

from genapp.api.media import routes as media_routes
from genapp.api.rest import rest
from genapp.auth.routes import routes as auth_routes

api = Starlette(routes=[*media_routes, *auth_routes, Mount("/api", app=rest)])
