/** Bodies of the REST API shared by the server and kumactl. */
package io.meshlite.api.rest;
