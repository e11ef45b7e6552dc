/**
 * kumactl: Kuma's command-line client over the control plane's REST API. {@link
 * io.meshlite.kumactl.KumactlMain} wires the picocli command tree; {@link
 * io.meshlite.kumactl.KumactlMain#run} runs it in-process for tests. Every failure ends with exit
 * code 1 and exactly one {@code Error: ...} line on stderr.
 */
package io.meshlite.kumactl;
