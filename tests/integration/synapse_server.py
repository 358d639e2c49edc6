"""A throwaway Synapse homeserver on 127.0.0.1, run as a subprocess for integration tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from signedjson.key import generate_signing_key, write_signing_keys

# Talk to 127.0.0.1 directly, even when the environment sets http_proxy.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
APPSERVICE_PREFIX = "stamped-"


def _relaxed() -> dict[str, float]:
    return {"per_second": 10_000, "burst_count": 100_000}


def _rate_limits() -> dict[str, Any]:
    """Return rate limits so relaxed that no test hits them (all the ``rc_*`` keys of Synapse 1.163)."""
    return {
        "rc_message": _relaxed(),
        "rc_registration": _relaxed(),
        "rc_registration_token_validity": _relaxed(),
        "rc_login": {"address": _relaxed(), "account": _relaxed(), "failed_attempts": _relaxed()},
        "rc_admin_redaction": _relaxed(),
        "rc_joins": {"local": _relaxed(), "remote": _relaxed()},
        "rc_joins_per_room": _relaxed(),
        "rc_3pid_validation": _relaxed(),
        "rc_invites": {"per_room": _relaxed(), "per_user": _relaxed(), "per_issuer": _relaxed()},
        "rc_third_party_invite": _relaxed(),
        "rc_media_create": _relaxed(),
        "rc_presence": {"per_user": _relaxed()},
        "rc_delayed_event_mgmt": _relaxed(),
        "rc_room_creation": _relaxed(),
        "rc_reports": _relaxed(),
        "rc_user_directory": _relaxed(),
        "rc_profile": _relaxed(),
        "rc_key_requests": _relaxed(),
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Recursively merge ``extra`` into a copy of ``base``; a ``None`` value deletes the key."""
    merged = dict(base)
    for key, value in extra.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "<no log>"


class SynapseServer:
    """One Synapse process with a SQLite database, listening on a fixed free port of 127.0.0.1."""

    def __init__(
        self,
        base_dir: Path,
        *,
        server_name: str = "localhost",
        overrides: Mapping[str, Any] | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self.base_dir = Path(base_dir)
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.overrides: dict[str, Any] = dict(overrides or {})
        self.start_timeout = start_timeout
        self.shared_secret = secrets.token_hex(16)
        # An application service without a URL (nothing is pushed to it): it may act as any user whose localpart
        # starts with APPSERVICE_PREFIX and stamp their events with `?ts=`, as a foreign homeserver could.
        self.appservice_token = secrets.token_hex(16)
        self.config_path = self.base_dir / "homeserver.yaml"
        self.log_path = self.base_dir / "homeserver.log"
        self.stdout_path = self.base_dir / "synapse.stdout.log"
        self._server_name = server_name
        self._process: subprocess.Popen[bytes] | None = None
        self._admin_token: str | None = None
        self.last_start_seconds: float | None = None

    @property
    def url(self) -> str:
        """Client-server API base URL, e.g. ``http://127.0.0.1:8448``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def server_name(self) -> str:
        """The domain part of user ids (``@alice:localhost``)."""
        return self._server_name

    @property
    def running(self) -> bool:
        """Whether the Synapse process is alive."""
        return self._process is not None and self._process.poll() is None

    def user_id(self, localpart: str) -> str:
        """Return the full user id for ``localpart``."""
        return f"@{localpart}:{self._server_name}"

    def config(self) -> dict[str, Any]:
        """Return the homeserver.yaml content (written as JSON, which is YAML) with ``overrides`` merged in.

        In ``overrides`` nested mappings are merged key by key and a ``None`` value removes a key.
        """
        base = self.base_dir
        config: dict[str, Any] = {
            "server_name": self._server_name,
            "public_baseurl": f"{self.url}/",
            "pid_file": str(base / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    # openid: /_matrix/federation/v1/openid/userinfo, where Kring's board checks a widget's member
                    "resources": [{"names": ["client", "openid"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(base / "homeserver.db")}},
            "log_config": str(base / "log.yaml"),
            "media_store_path": str(base / "media_store"),
            "signing_key_path": str(base / "signing.key"),
            "registration_shared_secret": self.shared_secret,
            "app_service_config_files": [str(base / "appservice.json")],
            "macaroon_secret_key": self.shared_secret + "-macaroon",
            "form_secret": self.shared_secret + "-form",
            "report_stats": False,
            "enable_registration": False,
            "bcrypt_rounds": 4,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "presence": {"enabled": False},
            "url_preview_enabled": False,
            "enable_metrics": False,
            **_rate_limits(),
        }
        return _merge(config, self.overrides)

    def _write_files(self) -> None:
        key_path = self.base_dir / "signing.key"
        if not key_path.exists():
            with key_path.open("w") as fh:
                write_signing_keys(fh, [generate_signing_key("auto")])
        log_config = {
            "version": 1,
            "formatters": {"precise": {"format": "%(asctime)s %(name)s %(levelname)s %(request)s %(message)s"}},
            "filters": {"context": {"()": "synapse.logging.context.LoggingContextFilter"}},
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "filename": str(self.log_path),
                    "formatter": "precise",
                    "filters": ["context"],
                }
            },
            "loggers": {"synapse.storage.SQL": {"level": "WARNING"}},
            "root": {"level": "INFO", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        (self.base_dir / "log.yaml").write_text(json.dumps(log_config, indent=2))
        appservice = {
            "id": "stamping",
            "url": None,
            "as_token": self.appservice_token,
            "hs_token": self.shared_secret + "-hs",
            "sender_localpart": f"{APPSERVICE_PREFIX}sender",
            "namespaces": {"users": [{"exclusive": True, "regex": f"@{APPSERVICE_PREFIX}.*"}]},
            "rate_limited": False,
        }
        (self.base_dir / "appservice.json").write_text(json.dumps(appservice, indent=2))
        self.config_path.write_text(json.dumps(self.config(), indent=2))

    def start(self) -> None:
        """Start Synapse and block until its client API answers."""
        if self.running:
            raise RuntimeError("Synapse is already running")
        self._write_files()
        with self.stdout_path.open("ab") as out:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                cwd=self.base_dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started = time.monotonic()
        deadline = started + self.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._fail(f"Synapse exited with code {self._process.returncode} during startup")
            try:
                with _OPENER.open(f"{self.url}/_matrix/client/versions", timeout=2):
                    self.last_start_seconds = time.monotonic() - started
                    return
            except OSError:  # includes URLError: not listening yet
                time.sleep(0.05)
        self.stop()
        self._fail(f"Synapse did not answer on {self.url} within {self.start_timeout:.0f} s")

    def _fail(self, message: str) -> NoReturn:
        raise RuntimeError(
            f"{message}\n--- {self.stdout_path} ---\n{_tail(self.stdout_path, 20)}"
            f"\n--- {self.log_path} ---\n{_tail(self.log_path)}"
        )

    def stop(self, timeout: float = 15.0) -> None:
        """Stop Synapse: SIGTERM, then SIGKILL if it has not exited after ``timeout`` seconds."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self, overrides: Mapping[str, Any] | None = None) -> None:
        """Stop and start again on the same port and database.

        ``overrides``, if given, replaces ``self.overrides``: ``restart({"rc_message": {...}})`` tightens a
        limit, ``restart({})`` goes back to the relaxed defaults.
        """
        self.stop()
        if overrides is not None:
            self.overrides = dict(overrides)
        self.start()

    def start_with(self, overrides: Mapping[str, Any]) -> None:
        """Start a stopped Synapse with ``overrides`` in place of ``self.overrides`` (see ``restart``)."""
        self.overrides = dict(overrides)
        self.start()

    def _request(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers=headers)
        try:
            with _OPENER.open(request, timeout=30) as response:
                result: dict[str, Any] = json.load(response)
                return result
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path} failed: {exc.code} {exc.read().decode(errors='replace')}") from exc

    def _register(self, localpart: str, password: str, admin: bool) -> dict[str, Any]:
        path = "/_synapse/admin/v1/register"
        nonce = str(self._request("GET", path)["nonce"])
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        for part in (nonce, localpart, password):
            mac.update(part.encode() + b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        body = {"nonce": nonce, "username": localpart, "password": password, "admin": admin}
        return self._request("POST", path, {**body, "mac": mac.hexdigest()})

    def register_user(self, localpart: str, password: str, admin: bool = False, *, keep_device: bool = True) -> str:
        """Register a user through the shared-secret admin API and return its full user id.

        Registering also logs the user in as a new device; ``keep_device=False`` logs that session out again,
        so the account starts without devices (for counting the devices a bot creates).
        """
        reply = self._register(localpart, password, admin)
        if not keep_device:
            self._request("POST", "/_matrix/client/v3/logout", {}, token=str(reply["access_token"]))
        return str(reply["user_id"])

    @property
    def admin_token(self) -> str:
        """Access token of an admin user, registered on first use."""
        if self._admin_token is None:
            reply = self._register(f"admin-{secrets.token_hex(4)}", secrets.token_hex(16), admin=True)
            self._admin_token = str(reply["access_token"])
        return self._admin_token

    def admin_get(self, path: str) -> dict[str, Any]:
        """GET an admin API path (e.g. ``/_synapse/admin/v2/users/<id>/devices``) as the admin user."""
        return self._request("GET", path, token=self.admin_token)

    def admin_post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST to an admin API path (e.g. ``/_synapse/admin/v1/users/<id>/override_ratelimit``) as the admin."""
        return self._request("POST", path, body, token=self.admin_token)

    def register_stamping_user(self, name: str) -> str:
        """A user of the application service (`@stamped-<name>`): its events can carry any timestamp."""
        body = {"type": "m.login.application_service", "username": f"{APPSERVICE_PREFIX}{name}"}
        reply = self._request("POST", "/_matrix/client/v3/register", body, token=self.appservice_token)
        return str(reply["user_id"])

    def act_as(
        self, user_id: str, method: str, path: str, body: Mapping[str, Any] | None = None, *, ts: int | None = None
    ) -> dict[str, Any]:
        """A client-server API call (`path` below `/_matrix/client/v3`) as the application service's `user_id`,
        with `ts` as the origin_server_ts of the event it sends."""
        query = {"user_id": user_id, **({"ts": str(ts)} if ts is not None else {})}
        full = f"/_matrix/client/v3{path}?{urllib.parse.urlencode(query)}"
        return self._request(method, full, body, token=self.appservice_token)

    def client_request(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, *, token: str
    ) -> dict[str, Any]:
        """A raw client-server API call (`path` below `/_matrix/client/v3`) with a member's access token: for
        requests nio would not send as they are (a redaction whose body says more than a reason)."""
        return self._request(method, f"/_matrix/client/v3{path}", body, token=token)
