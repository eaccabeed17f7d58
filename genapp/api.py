"""HTTP routes beside the Reflex app: the image files that image providers made.

Mounted with `rx.App(api_transformer=...)`, so they are served by the backend process.
A file is named by its job's unguessable id, which is what grants access to it.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from genapp.config import settings
from genapp.media import URL_PATH, MediaStore, content_type

_media = MediaStore(settings.media_dir)


async def media_file(request: Request) -> Response:
    name = request.path_params["name"]
    path = _media.path(name)
    if path is None:
        return JSONResponse({"detail": "No such image."}, status_code=404)
    # Retries rewrite the same name, so browsers must revalidate (the ETag makes that cheap).
    return FileResponse(path, media_type=content_type(name), headers={"Cache-Control": "private, no-cache"})


api = Starlette(routes=[Route(URL_PATH + "/{name}", media_file, methods=["GET", "HEAD"])])
