import os
from pathlib import Path

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

from genapp.config import settings

# Dev hot reload watches the code only: provider images, test screenshots or bench output written
# under the project folder would otherwise restart the backend (and every running job) mid-way.
_HERE = Path(__file__).resolve().parent
os.environ.setdefault("REFLEX_HOT_RELOAD_OVERRIDE_PATHS", f"{_HERE / 'genapp'}:{_HERE / 'assets'}")

config = rx.Config(
    app_name="genapp",
    db_url=settings.db_url,
    telemetry_enabled=False,
    # Ports go on the command line (see Makefile); the frontend only needs to know where the backend is.
    api_url=f"http://localhost:{settings.backend_port}",
    # Scaled mode: Reflex keeps each tab's state in Redis too (REFLEX_REDIS_URL still overrides this), so
    # a tab can reconnect to any backend. Embedded mode leaves Reflex's default (memory; disk under `make dev`).
    redis_url=settings.redis_url if settings.mode == "scaled" else None,
    # Only the app's own pages may call the backend (Reflex passes this to CORS and to socket.io's handshake).
    cors_allowed_origins=settings.origins(),
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="violet", gray_color="slate", radius="large"))],
    disable_plugins=[SitemapPlugin],
    show_built_with_reflex=False,
)
