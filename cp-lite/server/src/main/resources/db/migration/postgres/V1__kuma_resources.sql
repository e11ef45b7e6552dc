-- Kuma 2.14's final store schema (the state after its 11 golang-migrate steps), written out as one
-- step: the resources table with owner cascade, labels and status, the leader-election locks
-- table, and the trigger that announces every row change on channel resource_events.

CREATE TABLE IF NOT EXISTS resources (
    name              varchar(253) NOT NULL,
    mesh              varchar(100) NOT NULL,
    type              varchar(100) NOT NULL,
    version           integer      NOT NULL,
    spec              text,
    creation_time     timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    modification_time timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    owner_name        varchar(100),
    owner_mesh        varchar(100),
    owner_type        varchar(100),
    labels            jsonb        DEFAULT '{}'::jsonb,
    status            jsonb        NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (name, mesh, type),
    CONSTRAINT owner_fk FOREIGN KEY (owner_name, owner_mesh, owner_type)
        REFERENCES resources (name, mesh, type) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS owner_fk_index ON resources (owner_type, owner_mesh, owner_name);

CREATE TABLE IF NOT EXISTS locks (
    name                  varchar(255) PRIMARY KEY,
    record_version_number bigint,
    data                  bytea,
    owner                 varchar(255)
);

CREATE SEQUENCE IF NOT EXISTS locks_rvn OWNED BY locks.record_version_number;

CREATE OR REPLACE FUNCTION notify_event() RETURNS trigger AS $$
DECLARE
    changed record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := OLD;
    ELSE
        changed := NEW;
    END IF;
    PERFORM pg_notify('resource_events', json_build_object(
        'action', TG_OP,
        'data', json_build_object('name', changed.name, 'mesh', changed.mesh, 'type', changed.type)
    )::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS products_notify_event ON resources;
CREATE TRIGGER products_notify_event
    AFTER INSERT OR UPDATE OR DELETE ON resources
    FOR EACH ROW EXECUTE PROCEDURE notify_event();
