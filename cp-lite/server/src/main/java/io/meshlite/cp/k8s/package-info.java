/**
 * Kubernetes mode of kuma-cp ({@code environment: kubernetes}): the sidecar injector behind the
 * {@code /inject-sidecar} admission webhook ({@link io.meshlite.cp.k8s.SidecarInjector}, a pure
 * function of Pod and Namespace, served by {@link io.meshlite.cp.k8s.WebhookServer} on 5443), the
 * pod → Dataplane controller ({@link io.meshlite.cp.k8s.PodController} with the pure {@link
 * io.meshlite.cp.k8s.PodToDataplane}), and {@code serviceAccountToken} authentication of proxies
 * ({@link io.meshlite.cp.k8s.ServiceAccountTokenAuthenticator}, one of the dataplane server's
 * {@link io.meshlite.cp.tokens.dp.ProxyAuthenticator}s, wired by kuma-cp wherever the Kubernetes
 * store is used). {@link
 * io.meshlite.cp.k8s.KubernetesRuntime} wires them on the Kubernetes store's client.
 *
 * <p>Design notes: the injector and the converter take plain JSON / fabric8 models and return
 * data, so their behaviour is pinned by golden files without a cluster; everything that talks to
 * the API server goes through fabric8's client built from a {@code Config}, so the tests run the
 * production code against fabric8's mock API server. The CRDs and install manifests live in {@code
 * io.meshlite.api.k8s} and kumactl, which do not depend on fabric8.
 */
package io.meshlite.cp.k8s;
