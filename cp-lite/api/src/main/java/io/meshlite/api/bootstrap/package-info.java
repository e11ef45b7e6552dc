/** The bootstrap exchange between kuma-dp and the control plane's dataplane server. */
package io.meshlite.api.bootstrap;
