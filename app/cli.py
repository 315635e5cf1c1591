"""Flask CLI commands: `flask --app wsgi demo-data`, `worker`, `backup`, `restore`."""
import time

import click

from app.extensions import db


def register_cli(app):
    @app.cli.command("demo-data")
    @click.option("--households", default=3000, show_default=True, help="Số hộ cần tạo.")
    @click.option("--seed", default=2026, show_default=True, help="Hạt giống ngẫu nhiên (tái lập).")
    @click.option("--if-empty", is_flag=True, help="Bỏ qua (không lỗi) khi CSDL đã có dữ liệu.")
    def demo_data(households, seed, if_empty):
        """Tạo tỉnh mẫu với đơn vị, tài khoản demo, hộ và thành viên."""
        from app import demo
        if not demo.is_empty():
            if if_empty:
                click.echo("Cơ sở dữ liệu đã có dữ liệu: bỏ qua dữ liệu mẫu.")
                return
            raise click.ClickException("Cơ sở dữ liệu đã có dữ liệu; dùng một CSDL trống.")
        if households < 1 or households > 5_000_000:
            raise click.BadParameter("từ 1 đến 5.000.000", param_hint="--households")
        started = time.perf_counter()

        def progress(done, total):
            click.echo(f"  {done:>9,} / {total:,} hộ  ({time.perf_counter() - started:.0f} s)")

        result = demo.load(households, seed, progress=progress)
        db.session.remove()
        click.echo(f"Đã tạo {result['households']:,} hộ, {result['communes']} xã, "
                   f"{result['units']} đơn vị trong {time.perf_counter() - started:.1f} s. "
                   f"Tài khoản demo (mật khẩu {demo.DEMO_PASSWORD}): admin, xa1, xa2, huyen1, "
                   "tinh1, mttq1, nhataitro1, xa1b, xa2b.")

    @app.cli.command("worker")
    @click.option("--threads", default=2, show_default=True, help="Số việc chạy cùng lúc.")
    def worker(threads):
        """Chạy các việc dài trong hàng đợi (nhập Excel lớn…); `make run` tự chạy lệnh này."""
        from app.ops import jobs
        jobs.queue().create_consumer(workers=threads, worker_type="thread").run()

    @app.cli.command("backup")
    @click.argument("path", required=False)
    def backup_command(path):
        """Sao lưu CSDL và tệp đính kèm vào một tệp .tar.gz (an toàn khi ứng dụng đang chạy)."""
        from app.ops import backup
        path = path or backup.default_path(app.instance_path)
        started = time.perf_counter()
        try:
            manifest = backup.backup(_database_url(), app.config["UPLOAD_DIR"], path)
        except backup.BackupError as exc:
            raise click.ClickException(str(exc))
        rows = sum(count for count, _ in manifest["tables"].values())
        click.echo(f"Đã sao lưu {rows:,} dòng / {len(manifest['tables'])} bảng và "
                   f"{manifest['files']:,} tệp vào {path} ({time.perf_counter() - started:.1f} s).")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def restore_command(path):
        """Khôi phục một bản sao lưu vào CSDL trống (không bao giờ ghi đè dữ liệu đang có)."""
        from app.ops import backup
        try:
            manifest = backup.restore(_database_url(), app.config["UPLOAD_DIR"], path)
        except backup.BackupError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"Đã khôi phục bản sao lưu lúc {manifest['created_at']} (phiên bản CSDL "
                   f"{manifest['revision']}); số dòng và tổng kiểm tra của mọi bảng khớp. "
                   "Chạy `flask db upgrade` nếu mã nguồn mới hơn.")


def _database_url() -> str:
    db.session.remove()
    return db.engine.url.render_as_string(hide_password=False)
