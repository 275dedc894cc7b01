"""Purging the caches in front of the app (Varnish, a CDN) by cache tag.

`PRESSCENTRE_EDGE_CACHES` (built in settings from the environment, see docs/deploy.md) names each edge and its
kind:

- `varnish`: `PURGE /` with `X-Purge-Tags: <tags>` to each Varnish; deploy/varnish/presscentre.vcl bans every
  object whose `Surrogate-Key` holds one of them;
- `cloudflare`: the zone's purge-by-tag API (`Cache-Tag` on responses);
- `fastly`: the service's purge-by-surrogate-key API (`Surrogate-Key` on responses);
- `everything`: a CDN that purges only by URL (CloudFront): every path under the site, `/*`, is invalidated on
  any purge. Coarse, but never stale.

Each sender has a timeout and raises on failure; `presscentre.pagecache.purge` retries failed sends from the
task queue, so a slow or unreachable edge never blocks or undoes the change that caused the purge.
"""

import json
import logging
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3
PURGE_TAGS_HEADER = "X-Purge-Tags"
# The APIs' own limits on tags per request.
CLOUDFLARE_BATCH = 30
FASTLY_BATCH = 256


class EdgePurgeError(Exception):
    """An edge refused or did not answer a purge."""


@dataclass
class EdgeCache(ABC):
    """One cache in front of the app. Each kind sends `purge_tags` its own way."""

    name: str

    @abstractmethod
    def purge_tags(self, tags: list[str]) -> None:
        """Purge every copy carrying one of `tags`; raise EdgePurgeError when the edge refuses or does not answer."""


def _send(request: urllib.request.Request, *, what: str) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - configured URL
            return response.read()
    except urllib.error.HTTPError as error:
        raise EdgePurgeError(f"{what} answered {error.code}") from error
    except (OSError, ValueError) as error:
        raise EdgePurgeError(f"{what} unreachable: {error}") from error


def _batches(tags: list[str], size: int):
    for start in range(0, len(tags), size):
        yield tags[start : start + size]


@dataclass
class Varnish(EdgeCache):
    location: str = ""

    def purge_tags(self, tags):
        request = urllib.request.Request(  # noqa: S310 - configured URL
            self.location.rstrip("/") + "/",
            method="PURGE",
            headers={PURGE_TAGS_HEADER: " ".join(tags)},
        )
        _send(request, what=f"Varnish {self.name}")


@dataclass
class Cloudflare(EdgeCache):
    zone_id: str = ""
    token: str = ""
    api_url: str = "https://api.cloudflare.com/client/v4"

    def purge_tags(self, tags):
        for batch in _batches(tags, CLOUDFLARE_BATCH):
            request = urllib.request.Request(  # noqa: S310 - configured URL
                f"{self.api_url.rstrip('/')}/zones/{self.zone_id}/purge_cache",
                method="POST",
                data=json.dumps({"tags": batch}).encode(),
                headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            )
            answer = _send(request, what="Cloudflare")
            try:
                succeeded = json.loads(answer or b"{}").get("success", False)
            except ValueError:
                succeeded = False
            if not succeeded:
                raise EdgePurgeError(f"Cloudflare did not accept the purge: {answer[:200]!r}")


@dataclass
class Fastly(EdgeCache):
    service_id: str = ""
    token: str = ""
    api_url: str = "https://api.fastly.com"

    def purge_tags(self, tags):
        for batch in _batches(tags, FASTLY_BATCH):
            request = urllib.request.Request(  # noqa: S310 - configured URL
                f"{self.api_url.rstrip('/')}/service/{self.service_id}/purge",
                method="POST",
                headers={"Fastly-Key": self.token, "Surrogate-Key": " ".join(batch), "Accept": "application/json"},
            )
            _send(request, what="Fastly")


@dataclass
class Everything(EdgeCache):
    """A CDN that only purges by URL: invalidate everything under each site (CloudFront's `/*`)."""

    distribution_id: str = ""

    def purge_tags(self, tags):
        from wagtail.contrib.frontend_cache.backends import CloudfrontBackend

        # One distribution serves the site: its paths, all of them.
        backend = CloudfrontBackend({"DISTRIBUTION_ID": self.distribution_id})
        try:
            backend.purge_batch(["/*"])
        except Exception as error:
            raise EdgePurgeError(f"CloudFront refused the invalidation: {error}") from error


KINDS = {"varnish": Varnish, "cloudflare": Cloudflare, "fastly": Fastly, "everything": Everything}


def edge_caches() -> list[EdgeCache]:
    """The edges configured in `PRESSCENTRE_EDGE_CACHES`, in a stable order."""
    caches = []
    for name, options in sorted(getattr(settings, "PRESSCENTRE_EDGE_CACHES", {}).items()):
        options = dict(options)
        kind = options.pop("kind")
        caches.append(KINDS[kind](name=name, **options))
    return caches


def edge_cache(name: str) -> EdgeCache | None:
    return next((cache for cache in edge_caches() if cache.name == name), None)


def uses_cloudflare() -> bool:
    return any(
        options.get("kind") == "cloudflare" for options in getattr(settings, "PRESSCENTRE_EDGE_CACHES", {}).values()
    )
