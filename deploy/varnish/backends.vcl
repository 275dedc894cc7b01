# One machine: the app server (gunicorn) on this host, and only this host may purge.
# For several app servers add a backend per server, add each to the director, and list every app server
# and worker address in `purgers` (the worker purges after a lift too).

# The probe asks as a reader would through nginx: with the site's host name (the app answers 400 to a host
# name not in ALLOWED_HOSTS, such as 127.0.0.1) and saying HTTPS (the app redirects plain HTTP when
# SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto). Replace press.example.org with the site's host name.
probe healthz {
    .request =
        "GET /healthz HTTP/1.1"
        "Host: press.example.org"
        "X-Forwarded-Proto: https"
        "Connection: close";
    .interval = 5s;
    .timeout = 2s;
    .window = 5;
    .threshold = 3;
}

backend app1 {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = healthz;
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(app1);
}
