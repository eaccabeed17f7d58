import reflex as rx

from genapp.config import settings

config = rx.Config(
    app_name="genapp",
    db_url=settings.db_url,
    telemetry_enabled=False,
    frontend_port=settings.frontend_port,
    backend_port=settings.backend_port,
    plugins=[rx.plugins.RadixThemesPlugin()],
    disable_plugins=["reflex.plugins.sitemap.SitemapPlugin"],
    show_built_with_reflex=False,
)
