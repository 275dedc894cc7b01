# One machine: the app server (gunicorn) on this host, and only this host may purge.
# For several app servers add a backend per server, add each to the director, and list every app server
# and worker address in `purgers` (the worker purges after a lift too).

probe healthz {
    .url = "/healthz";
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
