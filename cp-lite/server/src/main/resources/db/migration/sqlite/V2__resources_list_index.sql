-- Listing by type (and mesh) in name order is the store's most frequent query.
CREATE INDEX IF NOT EXISTS resources_type_mesh_name_index ON resources (type, mesh, name);
