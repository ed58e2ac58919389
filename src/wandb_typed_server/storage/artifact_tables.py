"""Tables for artifacts: types, collections, versions, memberships, aliases, tags, files,
manifests, uses and the content-addressed blobs.

Kept free of imports so that ``db.py`` can create them with the core tables.

The model, as W&B has it:

- an **artifact type** (``dataset``, ``model``) belongs to a project;
- a **collection** belongs to a project and has a type; it is a *sequence* (where versions
  are logged, the birth collection of each version) or a *portfolio* (where versions are
  linked); its name is unique in its project;
- an **artifact** (a version) is born in one sequence; it is ``PENDING`` until committed,
  then ``COMMITTED``; ``DELETED`` is a tombstone kept so other versions' manifests can still
  name it as the birth artifact of their files;
- a **membership** puts a committed artifact in a collection under a version index ``vN``:
  the birth membership when the artifact is committed, one more per portfolio it is linked
  into. Each collection hands out indices from its own counter, so indices are dense
  (an aborted upload never takes one) and never reused;
- an **alias** names one membership's artifact in a collection (unique per collection);
- the **files** of a committed artifact are its manifest's entries; a stored entry points
  at a blob by md5, a reference entry (``s3://``, ``https://``...) keeps only its URI;
- a **blob** is stored once per md5, whatever number of versions hold it.
"""

from __future__ import annotations

ARTIFACT_DDL: list[str] = [
    """CREATE TABLE IF NOT EXISTS artifact_types (
        pk INTEGER PRIMARY KEY,
        project_pk INTEGER NOT NULL REFERENCES projects(pk),
        name TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (project_pk, name)
    )""",
    """CREATE TABLE IF NOT EXISTS artifact_collections (
        pk INTEGER PRIMARY KEY,
        project_pk INTEGER NOT NULL REFERENCES projects(pk),
        type_pk INTEGER NOT NULL REFERENCES artifact_types(pk),
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('SEQUENCE', 'PORTFOLIO')),
        description TEXT,
        state TEXT NOT NULL DEFAULT 'READY' CHECK (state IN ('READY', 'DELETED')),
        next_version_index INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    # A name is taken by one live collection per project; deleted ones free it.
    "CREATE UNIQUE INDEX IF NOT EXISTS artifact_collections_name ON artifact_collections"
    " (project_pk, name) WHERE state = 'READY'",
    """CREATE TABLE IF NOT EXISTS artifacts (
        pk INTEGER PRIMARY KEY,
        sequence_pk INTEGER NOT NULL REFERENCES artifact_collections(pk),
        state TEXT NOT NULL CHECK (state IN ('PENDING', 'COMMITTED', 'DELETED')),
        digest TEXT NOT NULL,
        description TEXT,
        metadata TEXT,
        ttl_seconds INTEGER NOT NULL DEFAULT -1,
        history_step INTEGER,
        client_id TEXT,
        sequence_client_id TEXT,
        run_pk INTEGER,
        user_pk INTEGER NOT NULL REFERENCES users(pk),
        pending_aliases TEXT NOT NULL DEFAULT '[]',
        commit_hash TEXT,
        size_bytes INTEGER NOT NULL DEFAULT 0,
        file_count INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS artifacts_sequence ON artifacts (sequence_pk, state)",
    "CREATE INDEX IF NOT EXISTS artifacts_run ON artifacts (run_pk)",
    "CREATE INDEX IF NOT EXISTS artifacts_client_id ON artifacts (client_id)",
    """CREATE TABLE IF NOT EXISTS artifact_memberships (
        pk INTEGER PRIMARY KEY,
        collection_pk INTEGER NOT NULL REFERENCES artifact_collections(pk),
        artifact_pk INTEGER NOT NULL REFERENCES artifacts(pk),
        version_index INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (collection_pk, version_index),
        UNIQUE (collection_pk, artifact_pk)
    )""",
    "CREATE INDEX IF NOT EXISTS artifact_memberships_artifact ON artifact_memberships"
    " (artifact_pk)",
    """CREATE TABLE IF NOT EXISTS artifact_aliases (
        pk INTEGER PRIMARY KEY,
        collection_pk INTEGER NOT NULL REFERENCES artifact_collections(pk),
        artifact_pk INTEGER NOT NULL REFERENCES artifacts(pk),
        alias TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (collection_pk, alias)
    )""",
    "CREATE INDEX IF NOT EXISTS artifact_aliases_artifact ON artifact_aliases (artifact_pk)",
    # Tag names, shared by artifact versions and collections.
    """CREATE TABLE IF NOT EXISTS artifact_tag_names (
        pk INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    )""",
    """CREATE TABLE IF NOT EXISTS artifact_tags (
        artifact_pk INTEGER NOT NULL REFERENCES artifacts(pk),
        tag_pk INTEGER NOT NULL REFERENCES artifact_tag_names(pk),
        PRIMARY KEY (artifact_pk, tag_pk)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS artifact_collection_tags (
        collection_pk INTEGER NOT NULL REFERENCES artifact_collections(pk),
        tag_pk INTEGER NOT NULL REFERENCES artifact_tag_names(pk),
        PRIMARY KEY (collection_pk, tag_pk)
    ) WITHOUT ROWID""",
    # A version's files. Rows are written by createArtifactFiles (what the client will upload)
    # and replaced by the manifest's entries at commit. blob_md5 (hex) is null for references.
    """CREATE TABLE IF NOT EXISTS artifact_files (
        pk INTEGER PRIMARY KEY,
        artifact_pk INTEGER NOT NULL REFERENCES artifacts(pk),
        path TEXT NOT NULL,
        digest TEXT NOT NULL,
        size_bytes INTEGER,
        ref TEXT,
        blob_md5 TEXT,
        birth_artifact_id TEXT,
        extra TEXT,
        UNIQUE (artifact_pk, path)
    )""",
    "CREATE INDEX IF NOT EXISTS artifact_files_blob ON artifact_files (blob_md5)",
    # One manifest per version; its bytes are <data-dir>/artifacts/manifests/<pk>.json.
    """CREATE TABLE IF NOT EXISTS artifact_manifests (
        pk INTEGER PRIMARY KEY,
        artifact_pk INTEGER NOT NULL UNIQUE REFERENCES artifacts(pk),
        type TEXT NOT NULL,
        digest TEXT NOT NULL,
        base_artifact_pk INTEGER,
        uploaded_md5 TEXT,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS artifact_uses (
        artifact_pk INTEGER NOT NULL REFERENCES artifacts(pk),
        run_pk INTEGER NOT NULL,
        used_as TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (artifact_pk, run_pk)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS artifact_uses_run ON artifact_uses (run_pk)",
    # The content-addressed store: one row (and one file) per md5 (hex).
    """CREATE TABLE IF NOT EXISTS artifact_blobs (
        md5 TEXT PRIMARY KEY,
        size_bytes INTEGER NOT NULL,
        created_at TEXT NOT NULL
    ) WITHOUT ROWID""",
    # Multipart uploads in progress (files of 2 GiB and more): the expected part md5s.
    """CREATE TABLE IF NOT EXISTS artifact_multipart_uploads (
        upload_id TEXT PRIMARY KEY,
        artifact_pk INTEGER NOT NULL REFERENCES artifacts(pk),
        md5 TEXT NOT NULL,
        parts TEXT NOT NULL,
        created_at TEXT NOT NULL
    ) WITHOUT ROWID""",
]
