from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    """Whether the site can serve, naming each part: `ok`, `degraded` or `unhealthy`.

    200 "ok" when the database and the cache answer; 200 "degraded" when only the cache does not (pages are then
    served from the database, slower), so a load balancer keeps sending readers; 503 "unhealthy" when the database
    does not answer, as nothing can be served then.
    """
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy; the name of the part is what matters
        checks["database"] = "unreachable"
    try:
        # A cache that fails soft answers an unreachable Redis with a miss: the read-back tells them apart.
        cache.set("healthz", "ok", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "unreachable"
    except Exception:  # noqa: BLE001
        checks["cache"] = "unreachable"
    if checks["database"] != "ok":
        return JsonResponse({"status": "unhealthy", **checks}, status=503)
    return JsonResponse({"status": "ok" if checks["cache"] == "ok" else "degraded", **checks}, status=200)
