-- The same resources table as Kuma's Postgres schema, in SQLite's types: times are UTC text
-- 'YYYY-MM-DD HH:MM:SS.ffffff', labels and status JSON text. Events are emitted in-process, so
-- there is no trigger; a single kuma-cp owns the file, so there is no locks table.

CREATE TABLE IF NOT EXISTS resources (
    name              varchar(253) NOT NULL,
    mesh              varchar(100) NOT NULL,
    type              varchar(100) NOT NULL,
    version           integer      NOT NULL,
    spec              text,
    creation_time     text         NOT NULL,
    modification_time text         NOT NULL,
    owner_name        varchar(100),
    owner_mesh        varchar(100),
    owner_type        varchar(100),
    labels            text         DEFAULT '{}',
    status            text         NOT NULL DEFAULT '{}',
    PRIMARY KEY (name, mesh, type),
    CONSTRAINT owner_fk FOREIGN KEY (owner_name, owner_mesh, owner_type)
        REFERENCES resources (name, mesh, type) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS owner_fk_index ON resources (owner_type, owner_mesh, owner_name);
