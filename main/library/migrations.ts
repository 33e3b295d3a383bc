// Numbered schema migrations. Entry N brings the database from user_version N-1 to N.
// Append only: never edit a migration that has shipped.
export const migrations: readonly string[] = [
  // 1: the catalog, the cache index and the teacher's own data.
  `
  CREATE TABLE feeds (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    source        TEXT NOT NULL,
    unsigned      INTEGER NOT NULL DEFAULT 0,
    keys_json     TEXT NOT NULL DEFAULT '{}',
    mirrors_json  TEXT NOT NULL DEFAULT '[]',
    revision      INTEGER NOT NULL DEFAULT 0,
    published     TEXT,
    index_sha256  TEXT,
    etag          TEXT,
    last_modified TEXT,
    blob_bases_json TEXT NOT NULL DEFAULT '[]',
    updated_at    INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE shards (
    feed_id   TEXT NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    path      TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    size      INTEGER NOT NULL,
    PRIMARY KEY (feed_id, path)
  ) WITHOUT ROWID;

  CREATE TABLE nodes (
    id        TEXT PRIMARY KEY,            -- "<feed>/<node>"
    feed_id   TEXT NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    parent    TEXT,                        -- global id, NULL for a root
    kind      TEXT NOT NULL CHECK (kind IN ('stage','grade','subject','edition','volume','unit','lesson')),
    title     TEXT NOT NULL,
    ord       REAL NOT NULL DEFAULT 0
  );
  CREATE INDEX nodes_parent ON nodes(parent, ord);
  CREATE INDEX nodes_feed ON nodes(feed_id);

  -- Which shards define a node (nodes are shared across shards by id).
  CREATE TABLE node_shards (
    node_id   TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    feed_id   TEXT NOT NULL,
    shard     TEXT NOT NULL,
    PRIMARY KEY (feed_id, shard, node_id)
  ) WITHOUT ROWID;
  CREATE INDEX node_shards_node ON node_shards(node_id);

  CREATE TABLE resources (
    rid       INTEGER PRIMARY KEY,         -- stable rowid for the search index
    id        TEXT NOT NULL UNIQUE,        -- "<feed>/<resource>"
    feed_id   TEXT NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    shard     TEXT NOT NULL,
    node_id   TEXT NOT NULL,
    type      TEXT NOT NULL,
    title     TEXT NOT NULL,
    revision  INTEGER NOT NULL DEFAULT 0,
    duration  REAL,
    ord       INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX resources_node ON resources(node_id, ord);
  CREATE INDEX resources_shard ON resources(feed_id, shard);

  CREATE TABLE resource_files (
    rid       INTEGER NOT NULL REFERENCES resources(rid) ON DELETE CASCADE,
    idx       INTEGER NOT NULL,
    role      TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    size      INTEGER NOT NULL,
    mime      TEXT NOT NULL,
    height    INTEGER,
    PRIMARY KEY (rid, idx)
  ) WITHOUT ROWID;
  CREATE INDEX resource_files_sha ON resource_files(sha256);

  -- Verified blobs present in the content-addressed cache.
  CREATE TABLE blobs (
    sha256       TEXT PRIMARY KEY,
    size         INTEGER NOT NULL,
    added_at     INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    verified_at  INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- The teacher's own data refers to resources by global id without a foreign key:
  -- a resource that leaves a feed and comes back keeps its favourites and ink.
  CREATE TABLE favourites (
    resource_id TEXT PRIMARY KEY,
    created_at  INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE recent (
    resource_id TEXT PRIMARY KEY,
    opened_at   INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX recent_opened ON recent(opened_at);

  CREATE TABLE lesson_plans (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE lesson_plan_items (
    plan_id     INTEGER NOT NULL REFERENCES lesson_plans(id) ON DELETE CASCADE,
    pos         INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('resource','board')),
    resource_id TEXT,
    board       TEXT,                       -- board template for kind = 'board'
    PRIMARY KEY (plan_id, pos)
  ) WITHOUT ROWID;

  -- Ink, one row per stroke so each stroke is durable as soon as it is drawn.
  CREATE TABLE annotations (
    id         TEXT PRIMARY KEY,
    target     TEXT NOT NULL,               -- resource id or board page id
    page       TEXT NOT NULL,               -- PDF page, video moment or board page
    seq        INTEGER NOT NULL,
    stroke     TEXT NOT NULL,               -- JSON
    created_at INTEGER NOT NULL
  );
  CREATE INDEX annotations_target ON annotations(target, page, seq);

  CREATE TABLE timetable (
    id          INTEGER PRIMARY KEY,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    period      INTEGER NOT NULL,
    starts      TEXT NOT NULL,              -- "HH:MM" local school time
    ends        TEXT NOT NULL,
    class_name  TEXT NOT NULL DEFAULT '',
    resource_id TEXT,
    node_id     TEXT
  );

  CREATE TABLE usage_events (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    resource_id TEXT,
    detail      TEXT
  );
  CREATE INDEX usage_events_at ON usage_events(at);

  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: Chinese search (main/library/search.ts). Distinct titles (resource and node
  // titles share one table, ASCII-lowercased) are indexed once as unigram and bigram
  // token streams; search_res / search_node map rows to their title so deletes work
  // after the catalog rows are gone. A library that already holds a catalog is
  // marked stale and rebuilt by the first search (tokenizing needs JS).
  `
  CREATE TABLE search_text (
    tid   INTEGER PRIMARY KEY,
    text  TEXT NOT NULL UNIQUE
  );
  CREATE VIRTUAL TABLE search_fts USING fts5(
    uni, bi, content='', contentless_delete=1, tokenize='ascii'
  );
  CREATE TABLE search_res (
    rid     INTEGER PRIMARY KEY,
    feed_id TEXT NOT NULL,
    tid     INTEGER NOT NULL
  );
  CREATE INDEX search_res_tid ON search_res(tid);
  CREATE TABLE search_node (
    id      TEXT PRIMARY KEY,
    feed_id TEXT NOT NULL,
    tid     INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX search_node_tid ON search_node(tid);
  -- gen changes with every index change so in-memory search layouts know they are
  -- out of date; stale asks for a full rebuild; garbage says unreferenced titles
  -- may be left in the index (removed by the next update).
  CREATE TABLE search_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    gen     INTEGER NOT NULL,
    stale   INTEGER NOT NULL,
    garbage INTEGER NOT NULL
  );
  INSERT INTO search_state(id, gen, stale, garbage)
    VALUES (1, 0, EXISTS (SELECT 1 FROM resources) OR EXISTS (SELECT 1 FROM nodes), 0);
  -- Removing a feed cascades to its rows without going through the catalog applier.
  CREATE TRIGGER search_feed_deleted AFTER DELETE ON feeds BEGIN
    DELETE FROM search_res WHERE feed_id = old.id;
    DELETE FROM search_node WHERE feed_id = old.id;
    UPDATE search_state SET gen = gen + 1, garbage = 1;
  END;
  `,
  // 3: the offline selection: nodes kept (1) or left browse-only (0); unmarked
  // nodes inherit from their parent, roots from settings 'selection.default'.
  `
  CREATE TABLE offline_selection (
    node_id TEXT PRIMARY KEY,
    keep    INTEGER NOT NULL CHECK (keep IN (0, 1))
  ) WITHOUT ROWID;
  `,
  // 4: each feed's resource and node counts, kept by the catalog applier: counting
  // 150,000 rows took ~6 ms of every change and of every feed list.
  `
  ALTER TABLE feeds ADD COLUMN resource_count INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE feeds ADD COLUMN node_count INTEGER NOT NULL DEFAULT 0;
  UPDATE feeds SET resource_count = (SELECT count(*) FROM resources r WHERE r.feed_id = feeds.id),
                   node_count = (SELECT count(*) FROM nodes n WHERE n.feed_id = feeds.id);
  `,
  // 5: a timetabled lesson's title, kept from when it was timetabled: once a catalog
  // revision removes the lesson, the period can still say which one it was.
  `
  ALTER TABLE timetable ADD COLUMN resource_title TEXT;
  UPDATE timetable SET resource_title = (SELECT r.title FROM resources r WHERE r.id = timetable.resource_id)
    WHERE resource_id IS NOT NULL;
  `,
];
