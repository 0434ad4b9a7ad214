"""The image's HEALTHCHECK: GET /healthz from gunicorn inside the container, no third-party tool (the slim image
has no curl). /healthz asks nothing of the database, so an outage of PostgreSQL does not mark every web container
unhealthy. The Host header is the first of ALLOWED_HOSTS, which Django insists on; /healthz is exempt from the
HTTPS redirect (SECURE_REDIRECT_EXEMPT), so plain HTTP is answered."""

import os
import sys
import urllib.request

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000").split(",")[0]
port = bind.rsplit(":", 1)[-1]
hosts = [host.strip().lstrip(".") for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
request = urllib.request.Request(  # a fixed http address on the loopback
    f"http://127.0.0.1:{port}/healthz", headers={"Host": hosts[0] if hosts else "localhost"}
)
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310
        sys.exit(0 if response.status == 200 else 1)
except Exception as error:  # any failure is "unhealthy", its reason shown by `docker inspect`
    print(f"/healthz: {error}", file=sys.stderr)
    sys.exit(1)
