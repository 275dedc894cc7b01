# Press Centre in front of its app servers: caches what the app marks public, passes everything personal.
#
# The app servers and the addresses allowed to PURGE live in backends.vcl beside this file (one per
# deployment); start varnishd with `-p vcl_path=<this folder>` so the include below finds it.
#
# Purging by tag: every response the app lets shared caches keep names what it shows in `Surrogate-Key`
# (space-separated tags such as "site item-12 index category-3"; presscentre/pagecache/tags.py). After a change the
# app sends `PURGE /` with `X-Purge-Tags: <tags>`, and every object carrying one of them is banned. The bans test
# only obj.* so the ban lurker clears them in the background. A `PURGE <path>` without tags bans that path with
# every query string, for purging by hand. Only objects that carry tags are kept at all: anything else the app
# answers (a redirect of its API, say) is passed, so nothing stays here that a purge could not reach.
#
# Grace: while the app servers are healthy an expired object is never served (req.grace 0 s); an embargo lift
# reaches Varnish by its purge, and no stale copy outlives it. Grace (an hour) applies only when no app server
# answers its health probe.
#
# ESI: the backend marks pages holding an <esi:include> (the comment form's per-reader challenge) with
# `Surrogate-Control: content="ESI/1.0"`; it only does so when told a surrogate can process ESI.

vcl 4.1;

import directors;
import std;

include "backends.vcl";

sub vcl_recv {
    set req.backend_hint = app.backend();
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Purging is not allowed from this address."));
        }
        if (req.http.X-Purge-Tags) {
            if (req.http.X-Purge-Tags !~ "^[a-z0-9][a-z0-9-]*( [a-z0-9][a-z0-9-]*)*$") {
                return (synth(400, "Tags are lower-case words separated by single spaces."));
            }
            # obj.http.Surrogate-Key ~ (^|[[:blank:]])(item-12|index)([[:blank:]]|$): any object naming any of the
            # tags (no space in the expression: a ban's argument ends at one).
            if (!std.ban("obj.http.Surrogate-Key ~ (^|[[:blank:]])(" + regsuball(req.http.X-Purge-Tags, " ", "|") + ")([[:blank:]]|$)")) {
                return (synth(500, std.ban_error()));
            }
            return (synth(200, "Purged."));
        }
        ban("obj.http.x-presscentre-path == " + regsub(req.url, "\?.*$", ""));
        return (synth(200, "Purged."));
    }
    if (req.method == "BAN") {
        return (synth(405, "Not allowed."));
    }

    # Tell the app a surrogate in front can assemble ESI fragments; never trust a client's own claim.
    set req.http.Surrogate-Capability = {"varnish="ESI/1.0""};

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Staff screens, journalists' personal links, the per-reader comment challenge and the health check.
    if (req.url ~ "^/(admin|django-admin|embargoed|comments/challenge)(/|$)" || req.url ~ "^/healthz") {
        return (pass);
    }
    # Anyone signed in, holding a CSRF token or a held comment of their own sees a page made for them.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|csrftoken|presscentre_comments)=") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # Other cookies (analytics and the like) mean nothing to the app: drop them so the page can be shared.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Remember the path for purges (see vcl_recv); removed again before delivery.
    set beresp.http.x-presscentre-path = regsub(bereq.url, "\?.*$", "");

    if (beresp.http.Surrogate-Control ~ "ESI/1\.0") {
        unset beresp.http.Surrogate-Control;
        set beresp.do_esi = true;
    }
    # A 404 may be an item still under embargo: never keep one, so a lift shows at once.
    if (beresp.status == 404) {
        set beresp.ttl = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Keep only what a purge can reach: a response with tags (static files carry hashed names and never change).
    if (!beresp.http.Surrogate-Key && bereq.url !~ "^/static/") {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Served stale only while every app server is down (see vcl_recv).
    set beresp.grace = 1h;
    # Anything else falls through to Varnish's built-in rules: no caching of Set-Cookie, private, no-store,
    # or Vary: *; the TTL comes from the app's s-maxage.
}

sub vcl_deliver {
    unset resp.http.x-presscentre-path;
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
    # Say whether Varnish answered from its cache: handy when checking a deployment with curl -I.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}

sub vcl_synth {
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.body = resp.reason;
    return (deliver);
}
