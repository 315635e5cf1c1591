"""Static files: each URL carries its file's content hash (?v=…), so browsers may keep them a
year and still get a changed app.css or app.js at the next page; and /favicon.ico for the
browsers that ask for it by that name."""
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import redirect, url_for

YEAR = 365 * 24 * 3600


def init_app(app):
    static = Path(app.static_folder)

    @lru_cache(maxsize=None)
    def version(filename: str) -> str | None:
        path = (static / filename).resolve()
        if static.resolve() not in path.parents or not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]

    if app.debug:               # files change under `flask run --debug`: hash them every time
        version = version.__wrapped__

    @app.url_defaults
    def versioned_static(endpoint, values):
        if endpoint == "static" and "v" not in values:
            stamp = version(values.get("filename", ""))
            if stamp:
                values["v"] = stamp

    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = YEAR
    app.add_url_rule("/favicon.ico", "favicon",
                     lambda: redirect(url_for("static", filename="favicon.svg"), code=301))
