"""Flask CLI commands: `flask --app wsgi demo-data`."""
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
                   "tinh1, mttq1, nhataitro1.")
