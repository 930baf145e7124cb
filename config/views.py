"""Views outside the API: /healthz and the built PWA at /app/."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from config.health import describe_backends, health


@never_cache
def healthz(request):
    ok, checks = health()
    down = [name for name, value in checks.items() if value != "ok"]
    body = {"status": "ok" if ok else "down", "down": down, "checks": checks, "backends": describe_backends()}
    return JsonResponse(body, status=200 if ok else 503)


# The app shell and the service worker must never be cached by the browser's HTTP cache: the
# service worker decides. Hashed assets under /app/assets/ are immutable.
NO_CACHE = {"index.html", "sw.js", "manifest.webmanifest", "registerSW.js"}


def pwa(request, path: str = ""):
    root = settings.PWA_DIST_DIR.resolve()
    if not root.is_dir():
        return HttpResponse(
            "<h1>The PWA is not built</h1><p>Run <code>make run</code> (or <code>npm --prefix frontend run "
            "build</code>).</p>", status=503)
    target = (root / path).resolve() if path else root / "index.html"
    if not target.is_relative_to(root):
        raise Http404
    if not target.is_file():
        # Hash routing: any other path under /app/ gets the shell, except missing assets.
        if path.startswith("assets/") or "." in path.rsplit("/", 1)[-1]:
            raise Http404
        target = root / "index.html"
    content_type, _ = mimetypes.guess_type(target.name)
    if target.suffix == ".webmanifest":
        content_type = "application/manifest+json"
    response = FileResponse(target.open("rb"), content_type=content_type or "application/octet-stream")
    if target.name in NO_CACHE:
        response["Cache-Control"] = "no-cache"
    elif path.startswith("assets/"):
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    if target.name == "sw.js":
        response["Service-Worker-Allowed"] = "/app/"
    return response
