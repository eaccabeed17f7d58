"""`/media/<file>`: the image files that image providers made.

A file is served only to its job's owner (the session cookie the browser sends with the image
request); "not yours" and "no such file" get the same 404. The headers keep a browser from
reading it as anything but the image it is.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from genapp.auth.cookie import SESSION_COOKIE, valid_token
from genapp.auth.runtime import get_auth
from genapp.config import settings
from genapp.jobs.runtime import get_service
from genapp.media import URL_PATH, MediaStore, content_type

media_store = MediaStore(settings.media_dir)


MEDIA_HEADERS = {
    "Cache-Control": "private, no-cache",  # retries rewrite the same name: revalidate (the ETag makes it cheap)
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",  # opened on its own, it can run nothing
}


async def media_file(request: Request) -> Response:
    name = request.path_params["name"]
    path = media_store.path(name)
    identity = await get_auth().resolve(valid_token(request.cookies.get(SESSION_COOKIE)))
    if path is None or identity is None or await get_service().get(owner=identity.user_id, job_id=name.rsplit(".", 1)[0]) is None:
        return JSONResponse({"detail": "No such image."}, status_code=404, headers={"X-Content-Type-Options": "nosniff"})
    return FileResponse(path, media_type=content_type(name), headers=MEDIA_HEADERS)


routes = [Route(URL_PATH + "/{name}", media_file, methods=["GET", "HEAD"])]
