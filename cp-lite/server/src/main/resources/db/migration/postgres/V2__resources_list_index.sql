-- Listing by type (and mesh) in name order is the store's most frequent query; Kuma's primary
-- key (name, mesh, type) cannot serve it. Byte order ("C") matches the ORDER BY of the store.
CREATE INDEX IF NOT EXISTS resources_type_mesh_name_index
    ON resources (type, mesh COLLATE "C", name COLLATE "C");
