// An Element-like test member: matrix-js-sdk with its Rust crypto, sharing keys with and decrypting from
// cross-signed devices only (MSC4153), driven by JSON lines: one request on stdin, one response on stdout.
// Logs go to stderr; stdout carries nothing but responses.
//
// Request:  {"id": 1, "op": "send", "room_id": "!r:localhost", "type": "m.room.message", "content": {...}}
// Response: {"id": 1, "ok": true, "result": {"event_id": "$e"}}  or  {"id": 1, "ok": false, "error": "..."}
// ops (arguments → result):
//   login {homeserver, user_id, password, device_name, reset_cross_signing?} → {user_id, device_id, ...}
//   create_room {name?, invite?, encrypted?} → {room_id}      join {room_id} → {room_id, encrypted}
//   invite {room_id, user_id} → {}                            send {room_id, type, content} → {event_id}
//   events {room_id, retry_failed?} → {events: [event]}
//   wait_for {room_id, sender?, event_id?, type?, contains?, failure?, timeout_ms?, retry_failed?} → {event}
//   device_status {user_id, device_id, refresh?} → {known, signed_by_owner, cross_signing_verified, ...}
//   cross_sign_device {device_id} → {}                        stop {} → {} (then the process exits)
//   set_up_secret_storage {} → {recovery_key, master_key, private_keys_in_secret_storage}
// An event: {event_id, sender, type, content, encrypted, decryption_failure, decryption_failure_pending,
//   decryption_failure_text, sender_device_id, shield, shield_reason, local_echo}.

import { createInterface } from "node:readline";
import { format } from "node:util";

const writeOut = process.stdout.write.bind(process.stdout);
for (const level of ["log", "info", "debug", "warn", "error", "trace"]) {
    console[level] = (...args) => process.stderr.write(`${new Date().toISOString()} ${level} ${format(...args)}\n`);
}

// Imported after console is redirected: the SDK logs through console.
const sdk = await import("matrix-js-sdk");
const cryptoApi = await import("matrix-js-sdk/lib/crypto-api/index.js");
const { logger } = await import("matrix-js-sdk/lib/logger.js");
logger.setLevel("debug"); // the log is a file, read when a test fails

// Failures that may still resolve when a key arrives; every other failure is a refusal or final.
const PENDING_FAILURES = new Set(["MEGOLM_UNKNOWN_INBOUND_SESSION_ID", "OLM_UNKNOWN_MESSAGE_INDEX"]);

let client = null;
let password = null;
let recoveryKey = null; // the secret storage key this member made, offered when the SDK asks for it
const timelines = new Map(); // room id -> MatrixEvent[] in arrival order (an event object appears once)

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, timeoutMs, check) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(100);
    }
}

function crypto() {
    const api = client?.getCrypto();
    if (!api) throw new Error("not logged in");
    return api;
}

function remember(event, room) {
    if (!room) return;
    const events = timelines.get(room.roomId) ?? [];
    if (!events.includes(event)) events.push(event);
    timelines.set(room.roomId, events);
}

async function uploadCrossSigningKeys(makeRequest) {
    // User-interactive auth as Element does it: try without, then answer the password stage of that session.
    try {
        await makeRequest(null);
    } catch (error) {
        const session = error?.data?.session;
        if (error?.httpStatus !== 401 || !error?.data?.flows) throw error;
        const identifier = { type: "m.id.user", user: client.getUserId() };
        await makeRequest({ type: "m.login.password", identifier, password, session });
    }
}

async function login({ homeserver, user_id, password: secret, device_name, reset_cross_signing = false }) {
    if (client) throw new Error("already logged in");
    const anonymous = sdk.createClient({ baseUrl: homeserver });
    const session = await anonymous.loginRequest({
        type: "m.login.password",
        identifier: { type: "m.id.user", user: user_id },
        password: secret,
        initial_device_display_name: device_name ?? "element-member",
    });
    password = secret;
    client = sdk.createClient({
        baseUrl: homeserver,
        userId: session.user_id,
        deviceId: session.device_id,
        accessToken: session.access_token,
        cryptoCallbacks: {
            getSecretStorageKey: async ({ keys }) => {
                const [keyId] = Object.keys(keys);
                return recoveryKey && keyId ? [keyId, recoveryKey.privateKey] : null;
            },
        },
    });
    await client.initRustCrypto({ useIndexedDB: false });
    crypto().setDeviceIsolationMode(new cryptoApi.OnlySignedDevicesIsolationMode());
    // Without secret storage a new device cannot get the account's existing private keys: bootstrapping would
    // make a new identity, and every device the old one had signed would be unsigned. Only when asked.
    const { master_keys } = await client.downloadKeysForUsers([session.user_id]);
    if (master_keys?.[session.user_id] && !reset_cross_signing) {
        throw new Error(`${session.user_id} already has cross-signing keys; reset_cross_signing would replace them`);
    }
    await crypto().bootstrapCrossSigning({
        authUploadDeviceSigningKeys: uploadCrossSigningKeys,
        setupNewCrossSigning: reset_cross_signing,
    });
    client.on(sdk.RoomEvent.Timeline, (event, room) => remember(event, room));
    const prepared = new Promise((resolve, reject) => {
        client.on(sdk.ClientEvent.Sync, (state) => {
            if (state === sdk.SyncState.Prepared || state === sdk.SyncState.Syncing) resolve();
            if (state === sdk.SyncState.Error && !client.isInitialSyncComplete()) reject(new Error("initial sync failed"));
        });
    });
    await client.startClient({ initialSyncLimit: 50 });
    await prepared;
    // Our device counts as signed once the server's copy of its keys, with the new signature, has come back.
    const signed = async () =>
        (await crypto().getDeviceVerificationStatus(session.user_id, session.device_id))?.signedByOwner;
    await until("our own device to be cross-signed", 30_000, async () => {
        if (await signed()) return true;
        await crypto().getUserDeviceInfo([session.user_id], true);
        return false;
    });
    return {
        user_id: session.user_id,
        device_id: session.device_id,
        cross_signing_ready: await crypto().isCrossSigningReady(),
        signed_by_owner: Boolean(await signed()),
    };
}

async function createRoom({ name, invite = [], encrypted = true }) {
    const initial_state = encrypted
        ? [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }]
        : [];
    const { room_id } = await client.createRoom({ name, invite, preset: "private_chat", initial_state });
    await joined(room_id);
    return { room_id };
}

async function joined(roomId) {
    await until(`${roomId} to be joined in the client`, 30_000, () => client.getRoom(roomId)?.getMyMembership() === "join");
    const encrypted = await crypto().isEncryptionEnabledInRoom(roomId);
    return { room_id: roomId, encrypted };
}

async function join({ room_id }) {
    await client.joinRoom(room_id);
    return joined(room_id);
}

async function invite({ room_id, user_id }) {
    await client.invite(room_id, user_id);
    return {};
}

async function send({ room_id, type, content }) {
    // sendEvent encrypts when the room is encrypted, sharing the room key with cross-signed devices only.
    const { event_id } = await client.sendEvent(room_id, type, content);
    return { event_id };
}

async function senderDevice(event) {
    const wire = event.getWireContent();
    if (wire.device_id) return wire.device_id;
    const senderKey = wire.sender_key ?? event.getSenderKey();
    if (!senderKey) return null;
    const devices = (await crypto().getUserDeviceInfo([event.getSender()])).get(event.getSender()) ?? new Map();
    for (const device of devices.values()) {
        if (device.getIdentityKey() === senderKey) return device.deviceId;
    }
    return null;
}

async function describe(event) {
    await client.decryptEventIfNeeded(event);
    const failure = event.decryptionFailureReason ?? null;
    const info = event.isEncrypted() && !failure ? await crypto().getEncryptionInfoForEvent(event) : null;
    return {
        event_id: event.getId(),
        sender: event.getSender(),
        // Decrypted type and content; for an event that could not be decrypted, what came on the wire.
        type: failure ? event.getWireType() : event.getType(),
        content: failure ? event.getWireContent() : event.getContent(),
        encrypted: event.isEncrypted(),
        decryption_failure: failure,
        decryption_failure_text: failure ? event.getContent().body : null,
        decryption_failure_pending: failure !== null && PENDING_FAILURES.has(failure),
        sender_device_id: event.isEncrypted() ? await senderDevice(event) : null,
        shield: info ? cryptoApi.EventShieldColour[info.shieldColour] : null,
        shield_reason: info?.shieldReason != null ? cryptoApi.EventShieldReason[info.shieldReason] : null,
        local_echo: event.status !== null,
        ...pushOf(event),
    };
}

function pushOf(event) {
    // What Element's own push processor makes of the event for this member, on its decrypted content: the
    // server cannot read an encrypted event, so the member's client applies the push rules itself.
    const actions = client.getPushActionsForEvent(event, true);
    return { notify: Boolean(actions?.notify), highlight: Boolean(actions?.tweaks?.highlight) };
}

async function roomEvents(roomId, retryFailed) {
    const events = timelines.get(roomId) ?? [];
    if (retryFailed) {
        await Promise.allSettled(
            events.filter((e) => e.isDecryptionFailure()).map((e) => e.attemptDecryption(crypto(), { isRetry: true })),
        );
    }
    const seen = new Set();
    const described = [];
    for (const event of events) {
        if (seen.has(event.getId())) continue;
        seen.add(event.getId());
        described.push(await describe(event));
    }
    return described;
}

async function events({ room_id, retry_failed = false }) {
    return { events: await roomEvents(room_id, retry_failed) };
}

function matches(event, { sender, event_id, type, contains, failure }) {
    if ((sender && event.sender !== sender) || (event_id && event.event_id !== event_id)) return false;
    if (failure) {
        const final = event.decryption_failure && !event.decryption_failure_pending;
        return Boolean(final) && (failure === true || failure === event.decryption_failure);
    }
    if (event.decryption_failure || (type && event.type !== type)) return false;
    return contains == null || (typeof event.content?.body === "string" && event.content.body.includes(contains));
}

async function waitFor({ room_id, timeout_ms = 30_000, retry_failed = false, ...wanted }) {
    const deadline = Date.now() + timeout_ms;
    let lastRetry = 0;
    for (;;) {
        const retry = retry_failed && Date.now() - lastRetry > 2_000;
        if (retry) lastRetry = Date.now();
        const seen = await roomEvents(room_id, retry);
        const found = seen.find((event) => matches(event, wanted));
        if (found) return { event: found };
        if (Date.now() > deadline) {
            const lines = seen.map(
                (e) =>
                    `  ${e.event_id} ${e.sender} ${e.type}` +
                    (e.decryption_failure ? ` UNDECRYPTABLE(${e.decryption_failure})` : "") +
                    (typeof e.content?.body === "string" ? ` ${JSON.stringify(e.content.body.slice(0, 120))}` : ""),
            );
            throw new Error(
                `no event ${JSON.stringify(wanted)} in ${room_id} within ${timeout_ms} ms; ` +
                    `saw ${seen.length} event(s):\n${lines.join("\n")}`,
            );
        }
        await sleep(200);
    }
}

async function deviceStatus({ user_id, device_id, refresh = true }) {
    if (refresh) {
        // Forget what we know of everyone's devices and ask the server again, as after a device-list change;
        // getUserDeviceInfo waits (briefly) for that query, and downloads users we do not track yet.
        await crypto().markAllTrackedUsersAsDirty();
        // Send the query now rather than after the next sync (the request loop is internal to the SDK).
        await crypto().outgoingRequestsManager?.doProcessOutgoingRequests();
    }
    const devices = (await crypto().getUserDeviceInfo([user_id], true)).get(user_id) ?? new Map();
    const status = await crypto().getDeviceVerificationStatus(user_id, device_id);
    const user = await crypto().getUserVerificationStatus(user_id);
    return {
        known: devices.has(device_id),
        known_devices: [...devices.keys()],
        signed_by_owner: status?.signedByOwner ?? null,
        cross_signing_verified: status?.crossSigningVerified ?? null,
        locally_verified: status?.localVerified ?? null,
        verified: status ? status.isVerified() : null,
        user_identity_known: user.known,
        user_cross_signing_verified: user.isCrossSigningVerified(),
    };
}

async function crossSignDevice({ device_id }) {
    // Sign another device of our own account with our self-signing key, as verifying it in Element would.
    const me = client.getUserId();
    await until(`our device ${device_id} to be known`, 30_000, async () =>
        (await crypto().getUserDeviceInfo([me], true)).get(me)?.has(device_id),
    );
    await crypto().crossSignDevice(device_id);
    return {};
}

async function setUpSecretStorage() {
    // What Element's "Set up recovery" does: a new recovery key, secret storage under it, and the account's
    // cross-signing private keys stored there. The key is returned as Element shows it to its user.
    recoveryKey = await crypto().createRecoveryKeyFromPassphrase();
    await crypto().bootstrapSecretStorage({
        createSecretStorageKey: async () => recoveryKey,
        setupNewSecretStorage: true,
    });
    const status = await crypto().getCrossSigningStatus();
    return {
        recovery_key: recoveryKey.encodedPrivateKey,
        master_key: await crypto().getCrossSigningKeyId(),
        private_keys_in_secret_storage: status.privateKeysInSecretStorage,
    };
}

async function stop() {
    client?.stopClient();
    client = null;
    return {};
}

const handlers = {
    login,
    create_room: createRoom,
    join,
    invite,
    send,
    events,
    wait_for: waitFor,
    device_status: deviceStatus,
    cross_sign_device: crossSignDevice,
    set_up_secret_storage: setUpSecretStorage,
    stop,
};

async function handle(line) {
    let request;
    try {
        request = JSON.parse(line);
    } catch {
        return { id: null, ok: false, error: `not JSON: ${line.slice(0, 200)}` };
    }
    const { id, op, ...args } = request;
    const handler = handlers[op];
    if (!handler) return { id, ok: false, error: `unknown op ${JSON.stringify(op)}; known: ${Object.keys(handlers)}` };
    if (op !== "login" && op !== "stop" && !client) return { id, ok: false, error: "log in first" };
    try {
        return { id, ok: true, result: await handler(args) };
    } catch (error) {
        console.error(`${op} failed:`, error);
        return { id, ok: false, error: String(error?.stack ?? error) };
    }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", async (line) => {
    if (!line.trim()) return;
    const response = await handle(line);
    writeOut(`${JSON.stringify(response)}\n`);
    if (response.ok && JSON.parse(line).op === "stop") process.exit(0);
});
lines.on("close", async () => {
    await stop();
    process.exit(0);
});
