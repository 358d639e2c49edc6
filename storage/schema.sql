-- The schema Kring's migrations build (version 26, below): generated, do not edit.
-- Change it with a new migration in storage/migrations/, then run `python -m storage.migrations`.

CREATE TABLE announcements (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    kind        TEXT NOT NULL CHECK (kind IN ('reminder', 'deadline', 'update_nudge', 'delivery_nudge', 'confirm_nudge')),
    due_at      INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),
    done_at     INTEGER,
    UNIQUE (proposal_id, kind)
);
CREATE INDEX announcements_pending ON announcements (due_at) WHERE state = 'pending';

CREATE TABLE askable (
    room_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE TRIGGER board_writes_askable_delete AFTER DELETE ON askable BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_askable_insert AFTER INSERT ON askable BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_askable_update AFTER UPDATE ON askable BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE bank_lines (
    id           INTEGER PRIMARY KEY,
    line_key     TEXT NOT NULL UNIQUE,
    booked_on    TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    payer_name   TEXT NOT NULL,
    payer_iban   TEXT NOT NULL,
    text         TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('matched', 'suggested', 'unmatched', 'ignored', 'double')),
    request_id   INTEGER REFERENCES payment_requests (id),
    user_id      TEXT,
    --           the backer whose request it paid: the payer's name and IBAN are their data
            delivery_id  INTEGER REFERENCES deliveries (id),
            imported_at  INTEGER NOT NULL
);
CREATE INDEX bank_lines_of_request ON bank_lines (request_id) WHERE request_id IS NOT NULL;
CREATE TRIGGER board_writes_bank_lines_delete AFTER DELETE ON bank_lines BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_bank_lines_insert AFTER INSERT ON bank_lines BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_bank_lines_update AFTER UPDATE ON bank_lines BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE board_links (
    digest     TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

CREATE TABLE board_rooms (
    room_id TEXT PRIMARY KEY,
    key     TEXT NOT NULL UNIQUE
);
CREATE TRIGGER board_writes_board_rooms_delete AFTER DELETE ON board_rooms BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_board_rooms_insert AFTER INSERT ON board_rooms BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_board_rooms_update AFTER UPDATE ON board_rooms BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE board_sessions (
    digest     TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE board_writes (
    n INTEGER NOT NULL
);

CREATE TABLE bot_messages (
    event_id    TEXT PRIMARY KEY,
    room_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    proposal_id INTEGER REFERENCES proposals (id),
    delivery_id INTEGER REFERENCES deliveries (id)
);
CREATE INDEX bot_messages_about ON bot_messages (proposal_id) WHERE kind = 'announce';

CREATE TABLE credits (
    id              INTEGER PRIMARY KEY,
    room_id         TEXT NOT NULL,
    giver           TEXT,
    receiver        TEXT NOT NULL,
    delta           INTEGER NOT NULL,
    reason          TEXT NOT NULL CHECK (reason IN ('reaction', 'reversal', 'go_proposer', 'go_backer', 'delivered_hours', 'delivered_money', 'helped')),
    source_event_id TEXT,
    target_event_id TEXT,
    emoji           TEXT,
    proposal_id     INTEGER REFERENCES proposals (id),
    reverses        INTEGER UNIQUE REFERENCES credits (id),
    at              INTEGER NOT NULL
);
CREATE INDEX credits_active_key ON credits (target_event_id, giver, emoji) WHERE reason = 'reaction';
CREATE UNIQUE INDEX credits_by_reaction ON credits (source_event_id) WHERE reason = 'reaction';
CREATE INDEX credits_by_source ON credits (source_event_id);
CREATE INDEX credits_effort_given ON credits (room_id, giver, at) WHERE reason IN ('delivered_hours', 'delivered_money');
CREATE INDEX credits_given ON credits (room_id, giver, at) WHERE reason IN ('reaction', 'helped');
CREATE INDEX credits_go_received ON credits (room_id, receiver, at) WHERE reason IN ('go_proposer', 'go_backer');
CREATE TRIGGER board_writes_credits_delete AFTER DELETE ON credits BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_credits_insert AFTER INSERT ON credits BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_credits_update AFTER UPDATE ON credits BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    proposal_id      INTEGER NOT NULL REFERENCES proposals (id),
    user_id          TEXT NOT NULL,
    money_cents      INTEGER NOT NULL CHECK (money_cents >= 0),
    minutes          INTEGER NOT NULL CHECK (minutes >= 0),
    note             TEXT NOT NULL,
    at               INTEGER NOT NULL,
    event_id         TEXT NOT NULL UNIQUE,
    confirmed_by     TEXT,
    confirmed_at     INTEGER,
    confirm_event_id TEXT
);
CREATE INDEX deliveries_of ON deliveries (proposal_id, user_id);
CREATE TRIGGER board_writes_deliveries_delete AFTER DELETE ON deliveries BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_deliveries_insert AFTER INSERT ON deliveries BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_deliveries_update AFTER UPDATE ON deliveries BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE digests (
    room_id TEXT NOT NULL,
    due_at  INTEGER NOT NULL,
    state   TEXT NOT NULL CHECK (state IN ('sent', 'empty')),
    done_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, due_at)
);

CREATE TABLE encrypted_pending (
    event_id   TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    sender     TEXT NOT NULL,
    source     TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    explained  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE forgotten (
    digest       TEXT PRIMARY KEY,
    pseudonym    TEXT NOT NULL,
    forgotten_at INTEGER NOT NULL
);
CREATE TRIGGER board_writes_forgotten_delete AFTER DELETE ON forgotten BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_forgotten_insert AFTER INSERT ON forgotten BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_forgotten_update AFTER UPDATE ON forgotten BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE joins (
    room_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

CREATE TABLE kv (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE members (
    room_id      TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX members_by_folded_name ON members (room_id, lower(display_name));
CREATE INDEX members_by_name ON members (room_id, display_name);
CREATE TRIGGER board_writes_members_delete AFTER DELETE ON members BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_members_insert AFTER INSERT ON members BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_members_update AFTER UPDATE ON members BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE messages (
    event_id  TEXT PRIMARY KEY,
    room_id   TEXT NOT NULL,
    author    TEXT NOT NULL,
    sent_at   INTEGER NOT NULL,
    excerpt   TEXT NOT NULL,
    is_idea   INTEGER NOT NULL,
    score     INTEGER NOT NULL DEFAULT 0,
    redacted  INTEGER NOT NULL DEFAULT 0,
    held_back INTEGER NOT NULL DEFAULT 0,
    look_up   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_commands ON messages (room_id, author, sent_at) WHERE is_idea = 0;
CREATE INDEX messages_sent ON messages (sent_at) WHERE excerpt != '';
CREATE INDEX messages_top_ideas ON messages (room_id, score DESC, sent_at DESC)
    WHERE is_idea = 1 AND redacted = 0 AND score > 0;

CREATE TABLE needs (
    id        INTEGER PRIMARY KEY,
    room_id   TEXT NOT NULL,
    number    INTEGER NOT NULL,
    user_id   TEXT NOT NULL,
    text      TEXT NOT NULL,
    talents   TEXT NOT NULL,
    at        INTEGER NOT NULL,
    event_id  TEXT NOT NULL UNIQUE,
    solved_at INTEGER,
    helped_by TEXT,
    UNIQUE (room_id, number)
);
CREATE TRIGGER board_writes_needs_delete AFTER DELETE ON needs BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_needs_insert AFTER INSERT ON needs BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_needs_update AFTER UPDATE ON needs BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE objections (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    user_id     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
);
CREATE TRIGGER board_writes_objections_delete AFTER DELETE ON objections BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_objections_insert AFTER INSERT ON objections BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_objections_update AFTER UPDATE ON objections BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE opted_out (
    user_id      TEXT PRIMARY KEY,
    opted_out_at INTEGER NOT NULL
);
CREATE TRIGGER board_writes_opted_out_delete AFTER DELETE ON opted_out BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_opted_out_insert AFTER INSERT ON opted_out BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_opted_out_update AFTER UPDATE ON opted_out BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    room_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    proposal_id  INTEGER REFERENCES proposals (id),
    body         TEXT NOT NULL,
    html         TEXT NOT NULL,
    reply_to     TEXT,
    mentions     TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER,
    event_id     TEXT,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dropped', 'parked')),
    thread_root  TEXT,
    opens_thread INTEGER NOT NULL DEFAULT 0,
    delivery_id  INTEGER REFERENCES deliveries (id),
    priority     INTEGER NOT NULL DEFAULT 2,
    attempts     INTEGER NOT NULL DEFAULT 0,
    retry_at     INTEGER,
    last_error   TEXT NOT NULL DEFAULT '',
    reaches      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (priority, id) WHERE state = 'pending';

CREATE TABLE payment_requests (
    id           INTEGER PRIMARY KEY,
    proposal_id  INTEGER NOT NULL REFERENCES proposals (id),
    user_id      TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    reference    TEXT NOT NULL UNIQUE,
    requested_at INTEGER NOT NULL,
    reminded_at  INTEGER,
    UNIQUE (proposal_id, user_id)
);
CREATE TRIGGER board_writes_payment_requests_delete AFTER DELETE ON payment_requests BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_payment_requests_insert AFTER INSERT ON payment_requests BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_payment_requests_update AFTER UPDATE ON payment_requests BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE pledge_history (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    user_id     TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('pledge', 'withdraw')),
    money_cents INTEGER NOT NULL,
    minutes     INTEGER NOT NULL,
    note        TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    at          INTEGER NOT NULL
);

CREATE TABLE pledges (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    user_id     TEXT NOT NULL,
    money_cents INTEGER NOT NULL CHECK (money_cents >= 0),
    minutes     INTEGER NOT NULL CHECK (minutes >= 0),
    note        TEXT NOT NULL,
    pledged_at  INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
);
CREATE INDEX pledges_by_member ON pledges (user_id);
CREATE TRIGGER board_writes_pledges_delete AFTER DELETE ON pledges BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_pledges_insert AFTER INSERT ON pledges BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_pledges_update AFTER UPDATE ON pledges BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE processed_events (
    event_id     TEXT PRIMARY KEY,
    room_id      TEXT NOT NULL,
    processed_at INTEGER NOT NULL
);

CREATE TABLE proposals (
    id                 INTEGER PRIMARY KEY,
    room_id            TEXT NOT NULL,
    number             INTEGER NOT NULL,
    title              TEXT NOT NULL,
    description        TEXT NOT NULL,
    proposer           TEXT NOT NULL,
    money_goal_cents   INTEGER,
    hours_goal_minutes INTEGER,
    min_backers        INTEGER NOT NULL,
    deadline           INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    source_event_id    TEXT NOT NULL,
    idea_event_id      TEXT,
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'go', 'no-go', 'cancelled')),
    decided_at         INTEGER,
    cancel_reason      TEXT,
    fully_backed_at    INTEGER,
    closed             TEXT CHECK (closed IN ('done', 'dropped')),
    closed_at          INTEGER,
    close_reason       TEXT,
    thread_root        TEXT,
    thread_latest      TEXT,
    needs              TEXT NOT NULL DEFAULT '[]',
    UNIQUE (room_id, number)
);
CREATE INDEX proposals_decided ON proposals (room_id, COALESCE(closed_at, decided_at, created_at) DESC, number DESC)
    WHERE status != 'open' AND NOT (status = 'go' AND closed IS NULL);
CREATE INDEX proposals_idea ON proposals (idea_event_id) WHERE idea_event_id IS NOT NULL;
CREATE INDEX proposals_open ON proposals (room_id, deadline) WHERE status = 'open';
CREATE INDEX proposals_thread ON proposals (thread_root) WHERE thread_root IS NOT NULL;
CREATE INDEX proposals_underway ON proposals (room_id, decided_at) WHERE status = 'go' AND closed IS NULL;
CREATE TRIGGER board_writes_proposals_delete AFTER DELETE ON proposals BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_proposals_insert AFTER INSERT ON proposals BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_proposals_update AFTER UPDATE ON proposals BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE reactions (
    event_id        TEXT PRIMARY KEY,
    room_id         TEXT NOT NULL,
    giver           TEXT NOT NULL,
    target_event_id TEXT NOT NULL,
    emoji           TEXT NOT NULL,
    direction       INTEGER NOT NULL CHECK (direction IN (-1, 1)),
    at              INTEGER NOT NULL,
    removed         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX reactions_present ON reactions (target_event_id, giver) WHERE removed = 0;

CREATE TABLE reputation (
    room_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    credits INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX reputation_rank ON reputation (room_id, credits);
CREATE TRIGGER board_writes_reputation_delete AFTER DELETE ON reputation BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_reputation_insert AFTER INSERT ON reputation BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_reputation_update AFTER UPDATE ON reputation BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE room_settings (
    room_id  TEXT PRIMARY KEY,
    language TEXT,
    digest   INTEGER
);
CREATE TRIGGER board_writes_room_settings_delete AFTER DELETE ON room_settings BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_room_settings_insert AFTER INSERT ON room_settings BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_room_settings_update AFTER UPDATE ON room_settings BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE talents (
    room_id  TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    talent   TEXT NOT NULL,
    key      TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id, key)
);
CREATE INDEX talents_in_room ON talents (room_id, key);
CREATE TRIGGER board_writes_talents_delete AFTER DELETE ON talents BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_talents_insert AFTER INSERT ON talents BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_talents_update AFTER UPDATE ON talents BEGIN UPDATE board_writes SET n = n + 1; END;

CREATE TABLE told (
    room_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    topic   TEXT NOT NULL,
    told_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id, topic)
);

CREATE TABLE updates (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    user_id     TEXT NOT NULL,
    text        TEXT NOT NULL,
    percent     INTEGER CHECK (percent BETWEEN 0 AND 100),
    at          INTEGER NOT NULL,
    event_id    TEXT NOT NULL UNIQUE
);
CREATE INDEX updates_of ON updates (proposal_id, at);
CREATE TRIGGER board_writes_updates_delete AFTER DELETE ON updates BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_updates_insert AFTER INSERT ON updates BEGIN UPDATE board_writes SET n = n + 1; END;
CREATE TRIGGER board_writes_updates_update AFTER UPDATE ON updates BEGIN UPDATE board_writes SET n = n + 1; END;

PRAGMA user_version = 26;
