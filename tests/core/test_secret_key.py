"""SECRET_KEY: from the environment, else instance/config.py, else instance/secret_key, made
once (random, 0600) and shared by every worker — never a literal default."""
import multiprocessing
import os
import secrets
import stat
import time
from secrets import token_hex

import pytest
from flask import Flask

from app.config import Config, instance_secret_key, load_config


def _key(instance_path) -> str:
    app = Flask("probe", instance_path=str(instance_path), instance_relative_config=True)
    load_config(app, type("Production", (Config,), {}))
    return app.config["SECRET_KEY"]


@pytest.fixture(autouse=True)
def no_env_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)


def test_without_a_key_one_is_made_once_and_kept(tmp_path, capsys, caplog):
    key = _key(tmp_path)
    path = tmp_path / "secret_key"
    assert len(key) == 64 and int(key, 16) and key != "dev-only-change-me"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _key(tmp_path) == key   # a restart: sessions survive
    assert sorted(os.listdir(tmp_path)) == ["secret_key"]   # no candidate left behind
    out = capsys.readouterr()
    assert key not in out.out + out.err + caplog.text


def test_environment_and_instance_config_win(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text('SECRET_KEY = "from-instance-config"\n')
    assert _key(tmp_path) == "from-instance-config"
    monkeypatch.setenv("SECRET_KEY", "from-environment")
    assert _key(tmp_path) == "from-environment"
    assert not (tmp_path / "secret_key").exists()


def test_an_empty_key_file_is_refused(tmp_path):
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(RuntimeError, match="secret_key is empty"):
        _key(tmp_path)


def _worker(instance_path, start, keys):
    def slow_token_hex(n):   # widens the window between two workers' checks and writes
        time.sleep(0.05)
        return token_hex(n)
    secrets.token_hex = slow_token_hex   # in this forked worker only
    start.wait()
    keys.put(instance_secret_key(instance_path))


def test_workers_starting_together_share_one_key(tmp_path):
    """gunicorn --workers N on a fresh machine: N processes race to make the file."""
    context = multiprocessing.get_context("fork")
    workers = 8
    start, keys = context.Barrier(workers), context.Queue()
    processes = [context.Process(target=_worker, args=(str(tmp_path / "instance"), start, keys))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    seen = {keys.get(timeout=30) for _ in processes}
    for process in processes:
        process.join(timeout=30)
    assert len(seen) == 1 and all(p.exitcode == 0 for p in processes)
    assert os.listdir(tmp_path / "instance") == ["secret_key"]
    assert (tmp_path / "instance" / "secret_key").read_text().strip() == seen.pop()
