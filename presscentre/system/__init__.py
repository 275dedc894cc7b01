"""Cross-app system tests: the product's real processes (gunicorn, the task workers, the embargo sweep, Varnish,
the demo's Procfile) started against a real database, driven over HTTP as readers, editors and Varnish meet them.

They sit outside every app because they test the apps together: `test_scale_out.py` (two app servers, two workers,
the sweep and Varnish on PostgreSQL and Redis) and `test_demo_processes.py` (the demo's processes and caches). The
process and HTTP helpers they share are in `processes.py`.
"""
