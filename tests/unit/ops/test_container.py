"""The container files: a non-root image with everything in the /data volume, and a compose trial whose Kring
config is valid. (Images are built elsewhere; this checks what an operator relies on without building one.)"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # PyYAML comes with Synapse (the test extra), without stubs

from bot.config import check_ready_for_matrix, load_settings
from bot.matrix.session import crypto_store_dir

ROOT = Path(__file__).resolve().parents[3]


def instructions() -> list[tuple[str, str]]:
    """The Containerfile's instructions as (KEYWORD, arguments), continuation lines joined, comments left out."""
    joined: list[str] = []
    pending = ""
    for line in (ROOT / "Containerfile").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        joined.append(pending + stripped)
        pending = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in joined]


def test_the_image_runs_kring_as_a_user_on_the_data_volume() -> None:
    steps = instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [args for keyword, args in steps if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert json.loads(next(args for keyword, args in steps if keyword == "VOLUME")) == ["/data"]
    cmd = json.loads(next(args for keyword, args in steps if keyword == "CMD"))
    assert cmd == ["kring", "run", "-c", "/data/config.toml"]
    (entrypoint,) = json.loads(next(args for keyword, args in steps if keyword == "ENTRYPOINT"))
    copies = [shlex.split(args) for keyword, args in steps if keyword == "COPY"]
    sources = [part for words in copies for part in words[:-1] if not part.startswith("--")]
    assert all((ROOT / source).exists() for source in sources), sources
    assert any(words[-1] == f"/usr/local/bin/{entrypoint}" for words in copies)
    # The user is made before it is switched to, and owns /data.
    run = " ".join(args for keyword, args in steps if keyword == "RUN")
    assert "useradd" in run and f"chown {users[-1]}:" in run and "/data" in run


def test_the_compose_trial_builds_this_image_and_its_config_is_ready() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    kring = compose["services"]["kring"]
    assert kring["build"]["dockerfile"] == "Containerfile"
    assert "kring-data:/data" in kring["volumes"]
    mounted = next(v for v in kring["volumes"] if v.endswith(":ro")).split(":")
    config_path = kring["command"][kring["command"].index("-c") + 1]
    assert mounted[1] == config_path
    settings = load_settings(ROOT / mounted[0], environ={"KRING_PASSWORD": "trial", "KRING_PICKLE_KEY": "trial-key"})
    check_ready_for_matrix(settings)  # no placeholder left, nothing missing
    assert settings.storage.database.startswith("/data/")
    assert str(crypto_store_dir(settings)).startswith("/data/")  # the device's keys stay in the volume too
    assert settings.matrix.homeserver == "http://synapse:8008" and "synapse" in compose["services"]
    assert settings.metrics.listen.endswith(":9464") and "127.0.0.1:9464:9464" in kring["ports"]


def test_the_entry_point_names_a_missing_config_and_otherwise_runs_the_command(tmp_path: Path) -> None:
    script = str(ROOT / "container" / "entrypoint.sh")
    missing = tmp_path / "config.toml"
    refused = subprocess.run(["sh", script, "kring", "run", "-c", str(missing)], capture_output=True, text=True)
    assert refused.returncode == 2 and f"kring: {missing} is missing" in refused.stderr
    missing.write_text("", encoding="utf-8")
    ran = subprocess.run(["sh", script, "echo", "-c", str(missing)], capture_output=True, text=True)
    assert ran.returncode == 0 and ran.stdout == f"-c {missing}\n"


def test_the_image_checks_its_health_on_the_metrics_port_and_exposes_the_board() -> None:
    steps = instructions()
    exposed = next(args for keyword, args in steps if keyword == "EXPOSE").split()
    assert exposed == ["9464", "8090"]
    check = next(args for keyword, args in steps if keyword == "HEALTHCHECK")
    command = json.loads(check[check.index("CMD") + len("CMD") :])
    assert command[0] == "python" and "/health" in command[-1]
    # The check itself, run as the image runs it: healthy on 200, unhealthy on 503 or nothing listening.
    for status, healthy in ((200, True), (503, False), (None, False)):
        with health_server(status) as url:
            run = subprocess.run(
                [sys.executable, *command[1:]],
                env={**os.environ, "KRING_HEALTH_URL": url},
                capture_output=True,
                timeout=30,
                check=False,
            )
        assert (run.returncode == 0) is healthy, (status, run.stderr)


@contextlib.contextmanager
def health_server(status: int | None) -> Iterator[str]:
    """A /health that answers `status`; None: a port where nothing listens."""

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status or 500)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    port = server.server_address[1]
    if status is None:
        server.server_close()
        yield f"http://127.0.0.1:{port}/health"
        return
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/health"
    finally:
        server.shutdown()
        server.server_close()


def test_the_readme_sets_up_a_venv_and_says_what_production_needs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    trying = readme[readme.index("## Try it in one minute") : readme.index("## Run the tests")]
    assert "Python 3.11 or newer" in trying and "python3 -m venv .venv && . .venv/bin/activate" in trying
    testing = readme[readme.index("## Run the tests") : readme.index("## Measure it")]
    assert "about 12 minutes on 2 cores" in testing and "a few minutes" not in testing
    production = readme[readme.index("## Running it in production") : readme.index("## Operating Kring")]
    for needed in (
        "useradd --system",
        "pip install /srv/kring/src",  # a normal install, not an editable one
        "**Upgrading**: stop, back up, install, start",
        "secrets.token_urlsafe",  # the pickle key
        "**The recovery key**",
        "**The bot's power level**",
        "--log-level",
        "scrape_configs",
        "-mtime +30",  # backup rotation
        "--entrypoint install -v kring-data:/data",  # config.toml into the volume
        "-p 127.0.0.1:8090:8090",  # the board's port
        "HEALTHCHECK",
    ):
        assert needed in production, needed
    assert "pip install -e" not in production
