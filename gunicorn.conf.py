"""gunicorn settings for production: `gunicorn wsgi:app` reads this file from the working
directory. Every value can be overridden on the command line or by the environment below."""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")   # nginx in front (deploy/nginx.conf)
# Sync workers: requests are short (a few ms of SQL and rendering), long work goes to the job
# queue. Two per core plus one keeps both cores busy while one worker waits on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))   # an Excel export of a province
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, staggered, so a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
# Only the local nginx may tell gunicorn the request came over HTTPS; the app reads the client
# address through TRUSTED_PROXIES (Werkzeug's ProxyFix), not through gunicorn.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The client address as the proxy reported it, the time in microseconds; no query string
# (%(U)s is the path only): search terms are names of people.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(m)s %(U)s" %(s)s %(B)s %(D)sus'
