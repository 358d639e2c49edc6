"""The bot's Matrix session: log in once and keep the device (and its encryption keys) across restarts."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from nio import AsyncClient, LoginResponse, WhoamiResponse

from bot.config import Settings
from bot.matrix.homeserver import FatalMatrixError, Patience
from bot.matrix.nio_adapter import crypto_store_file
from bot.ops.log_secrets import SECRETS
from storage.store import Store

log = logging.getLogger(__name__)

LOGIN_KEY = "matrix.login"
CRYPTO_DEVICE_KEY = "matrix.crypto_device"


def crypto_store_dir(settings: Settings) -> Path:
    """`matrix.store_path`, or a `kring-store` folder beside the database."""
    if settings.matrix.store_path:
        return Path(settings.matrix.store_path)
    return Path(settings.storage.database).resolve().parent / "kring-store"


class Session:
    def __init__(self, settings: Settings, store: Store, client: AsyncClient, patience: Patience) -> None:
        self.settings = settings
        self.store = store
        self.client = client
        self.patience = patience

    async def forget(self) -> None:
        """Drop the stored login (`kring run --new-device`): the next login makes a new device."""
        async with self.store.transaction():
            await self.store.key_values.delete(LOGIN_KEY)
            await self.store.key_values.delete(CRYPTO_DEVICE_KEY)

    async def login(self) -> None:
        matrix = self.settings.matrix
        stored = await self.store.key_values.get(LOGIN_KEY)
        if stored:
            saved = json.loads(stored)
            if saved.get("user_id") == matrix.user_id and saved.get("homeserver") == matrix.homeserver:
                await self._check_crypto_store(saved["device_id"])
                SECRETS.remember(saved["access_token"])
                self.client.restore_login(matrix.user_id, saved["device_id"], saved["access_token"])
                # A homeserver that is down or behind a failing proxy is waited for: logging in again would
                # make a new device (and lose the old one's encryption keys) for nothing.
                whoami = await self.patience.until_answered("checking the stored login", self.client.whoami)
                if isinstance(whoami, WhoamiResponse):
                    log.info("restored login for %s, device %s", matrix.user_id, saved["device_id"])
                    return
                log.warning("the stored login is no longer valid (%s); logging in again", whoami.status_code)
        if matrix.access_token:
            self.client.access_token = matrix.access_token
            whoami = await self.patience.until_answered("checking the access token", self.client.whoami)
            if not isinstance(whoami, WhoamiResponse):
                raise FatalMatrixError(f"the access token was refused: {getattr(whoami, 'message', whoami)}")
            await self._check_crypto_store(whoami.device_id or "")
            self.client.restore_login(whoami.user_id, whoami.device_id or "", matrix.access_token)
            log.info("logged in with access token as %s, device %s", whoami.user_id, whoami.device_id)
            return
        response = await self.patience.until_answered(
            "logging in", lambda: self.client.login(matrix.password, device_name=matrix.device_name)
        )
        if not isinstance(response, LoginResponse):
            raise FatalMatrixError(f"login failed: {getattr(response, 'message', response)}")
        SECRETS.remember(response.access_token)
        record = {
            "user_id": matrix.user_id,
            "homeserver": matrix.homeserver,
            "device_id": response.device_id,
            "access_token": response.access_token,
        }
        async with self.store.transaction():
            await self.store.key_values.set(LOGIN_KEY, json.dumps(record))
        log.info("logged in as %s with new device %s (stored for restarts)", matrix.user_id, response.device_id)

    async def _check_crypto_store(self, device_id: str) -> None:
        """A device whose encryption keys were lost cannot be resumed: say so instead of failing silently."""
        if self.client.store_path is None or not self.settings.matrix.encryption:
            return
        if await self.store.key_values.get(CRYPTO_DEVICE_KEY) != device_id:
            return  # this device never had keys here: nio creates them
        path = crypto_store_file(self.client.store_path, self.settings.matrix.user_id, device_id)
        if await asyncio.to_thread(path.exists):
            return
        raise FatalMatrixError(
            f"the encryption store of device {device_id} is missing ({path}). Without it Kring cannot read "
            "encrypted rooms as that device. Restore the store directory from a backup, or start once with "
            "`kring run --new-device` to log in as a new device (members will see a new, unverified device)."
        )

    async def remember_crypto_device(self) -> None:
        if self.client.olm is not None and self.client.device_id:
            async with self.store.transaction():
                await self.store.key_values.set(CRYPTO_DEVICE_KEY, self.client.device_id)
