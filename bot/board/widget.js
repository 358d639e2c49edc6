// Kring's board as an Element widget: the widget API's handshake (capabilities), then `get_openid`, so that the
// member's client vouches for who they are; Kring checks the token at their homeserver and opens the board.
// The protocol is matrix-widget-api's postMessage one: requests carry api, widgetId, requestId, action, data.
"use strict";
(function () {
    const params = new URLSearchParams(window.location.search);
    const widgetId = params.get("widgetId") || "kring_board";
    const key = window.location.pathname.split("/").pop();
    const status = document.getElementById("status");
    let clientOrigin = null;
    let next = 0;
    const pending = new Map();

    function post(message) {
        window.parent.postMessage(message, clientOrigin || "*");
    }

    function ask(action, data) {
        const requestId = `kring-${++next}`;
        return new Promise((resolve) => {
            pending.set(requestId, resolve);
            post({ api: "fromWidget", widgetId, requestId, action, data: data || {} });
        });
    }

    function refused() {
        status.textContent = status.dataset.refused;
    }

    async function open(credentials) {
        if (!credentials || credentials.state !== "allowed" || !credentials.access_token) return refused();
        const answer = await fetch(`/board/widget/${key}/openid`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({
                access_token: credentials.access_token,
                matrix_server_name: credentials.matrix_server_name,
            }),
        });
        if (!answer.ok) return refused();
        const { session } = await answer.json();
        const page = await fetch("/board", { headers: { Authorization: `Bearer ${session}` } });
        if (!page.ok) return refused();
        document.open();
        document.write(await page.text());
        document.close();
    }

    let asked = false;
    let waitingForCredentials = false;

    async function signIn() {
        if (asked) return;
        asked = true;
        const answer = await ask("get_openid", {});
        if (answer && answer.state === "request") {
            waitingForCredentials = true; // the client asks the member first, then sends openid_credentials
        } else {
            await open(answer);
        }
    }

    const answers = {
        supported_api_versions: () => ({ supported_versions: ["0.0.1", "0.0.2", "org.matrix.msc2871"] }),
        capabilities: () => ({ capabilities: [] }), // the board needs nothing of the client but who this is
    };

    window.addEventListener("message", async (event) => {
        if (event.source !== window.parent || !event.data || typeof event.data !== "object") return;
        const message = event.data;
        if (message.api === "toWidget") {
            clientOrigin = clientOrigin || event.origin;
            if (event.origin !== clientOrigin) return;
            const answer = answers[message.action];
            post({ ...message, response: answer ? answer() : {} });
            if (message.action === "capabilities") {
                setTimeout(signIn, 1500); // clients that send no notify_capabilities
            } else if (message.action === "notify_capabilities") {
                await signIn();
            } else if (message.action === "openid_credentials" && waitingForCredentials) {
                waitingForCredentials = false;
                await open(message.data);
            }
        } else if (message.api === "fromWidget" && pending.has(message.requestId)) {
            pending.get(message.requestId)(message.response);
            pending.delete(message.requestId);
        }
    });
    post({ api: "fromWidget", widgetId, requestId: "kring-loaded", action: "content_loaded", data: {} });
})();
