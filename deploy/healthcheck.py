"""Container healthcheck for the web service: GET /healthz as nginx would send it.

Exits 0 only on a 200 (a 503 or a redirect fails). The Host header is the first allowed
host (Django answers 400 to others) and X-Forwarded-Proto says https (else
SECURE_SSL_REDIRECT would answer 301).
"""

import os
import sys
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # Following a redirect to the public https URL could reach a healthy sibling instead.
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


host = os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".")
request = urllib.request.Request(
    f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz",
    headers={"Host": host if host not in {"", "*"} else "localhost", "X-Forwarded-Proto": "https"},
)
try:
    with urllib.request.build_opener(_NoRedirect).open(request, timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
