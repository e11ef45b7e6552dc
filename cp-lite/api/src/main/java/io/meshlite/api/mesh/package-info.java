/** Typed, validated views of the specs the control plane acts on (Mesh, Dataplane). */
package io.meshlite.api.mesh;
