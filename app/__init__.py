"""Thoát Nghèo: household case files followed to a sustainable exit from poverty."""
from flask import Flask, current_app, render_template, request, session
from flask_wtf.csrf import CSRFError

from flask_babel import gettext

from app.config import load_config
from app.core.i18n import N_
from app.ops import jobs, logs
from app.core import sensitive, text
from app.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate, trust_proxies


def _locale():
    from flask import current_app
    return session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(config=None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    logs.init_app(app)
    jobs.init_app(app)
    trust_proxies(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=_locale)
    limiter.init_app(app)
    _configure_login()
    from app.auth import sessions
    sessions.init_app(app)
    _configure_sqlite(app)

    from app import models  # noqa: F401  (every model registered on the metadata)
    from app.admin.routes import bp as admin_bp
    from app.auth.routes import bp as auth_bp
    from app.households.routes import bp as households_bp
    from app.main.routes import bp as main_bp
    from app.ops.health import bp as health_bp
    app.register_blueprint(health_bp)
    from app.core import static_files
    static_files.init_app(app)
    # Modules that add views to a blueprint defined elsewhere (none imports another).
    from app.reviews import round_step_routes, round_supervision  # noqa: F401
    from app.reviews.round_routes import bp as rounds_bp
    from app.reviews.routes import bp as reviews_bp
    from app.reviews.standard_routes import bp as standards_bp
    for bp in (main_bp, auth_bp, admin_bp, households_bp, reviews_bp, standards_bp):
        app.register_blueprint(bp)
    app.register_blueprint(rounds_bp)
    from app.reviews.official_list_routes import bp as official_lists_bp
    from app.reviews.survey_grid_routes import bp as survey_bp
    app.register_blueprint(survey_bp)
    app.register_blueprint(official_lists_bp)
    from app.imports.routes import bp as imports_bp
    app.register_blueprint(imports_bp)
    from app.reviews.exit_routes import bp as exits_bp
    from app.reviews.transition_routes import bp as transitions_bp
    app.register_blueprint(exits_bp)
    app.register_blueprint(transitions_bp)
    from app.reports.routes import bp as reports_bp
    app.register_blueprint(reports_bp)
    from app.supports import plan_routes, verify_routes  # noqa: F401  (views on its blueprint)
    from app.supports.routes import bp as supports_bp
    app.register_blueprint(supports_bp)
    from app.sponsors.portal import bp as portal_bp
    from app.sponsors.routes import bp as sponsors_bp
    app.register_blueprint(sponsors_bp)
    app.register_blueprint(portal_bp)
    from app.funds.routes import bp as funds_bp
    app.register_blueprint(funds_bp)
    from app.targets.deadline_routes import bp as deadlines_bp
    from app.targets.report_routes import bp as periodic_bp
    from app.targets import figure_routes  # noqa: F401  (views on the targets blueprint)
    from app.targets.routes import bp as targets_bp
    for bp in (targets_bp, periodic_bp, deadlines_bp):
        app.register_blueprint(bp)

    _register_template_helpers(app)
    _register_error_pages(app)
    app.after_request(_security_headers)
    from app.cli import register_cli
    register_cli(app)
    return app


def _migrations_dir():
    import os
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def _configure_login():
    from app.core.users import load_user
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Vui lòng đăng nhập để tiếp tục.")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


def _configure_sqlite(app):
    """WAL and foreign keys for the embedded SQLite database."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _pragmas(dbapi_connection, _record):
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()


# Everything is served from this origin: no CDN, no third party sees personal data pages.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # Nearly every page shows personal data or a form with a CSRF token, so no page is kept by
    # the browser or a proxy (a shared computer's back button, a disk cache); static files are.
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    if current_app.config["PREFERRED_URL_SCHEME"] == "https":  # see load_config
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _register_template_helpers(app):
    app.jinja_env.filters.update(
        date=text.format_date, number=text.format_number, vnd=text.format_vnd,
        mask_id=text.mask_id)
    app.jinja_env.globals.update(percent=text.format_percent, current_locale=_locale,
                                 **sensitive.TEMPLATE_HELPERS)


def _register_error_pages(app):
    def page(code, message):
        def handler(error):
            return render_template("errors/error.html", code=code, message=message), code
        return handler

    app.register_error_handler(403, page(403, N_("Bạn không có quyền truy cập chức năng này.")))
    app.register_error_handler(404, page(404, N_("Không tìm thấy trang hoặc hồ sơ này.")))
    app.register_error_handler(405, page(405, N_("Phương thức không được hỗ trợ.")))
    app.register_error_handler(413, page(413, N_("Tệp tải lên quá lớn.")))
    app.register_error_handler(429, page(429, N_("Quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.")))
    app.register_error_handler(500, page(500, N_("Đã có lỗi xảy ra. Vui lòng thử lại.")))
    app.register_error_handler(CSRFError, page(400, N_(
        "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (CSRF). "
        "Hãy tải lại trang rồi thử lại.")))
