/**
 * {@code kumactl install control-plane}: the manifests of Kuma's control plane in Kubernetes mode
 * (namespace, CRDs, RBAC, Deployment, Service, admission webhook and its certificate), built as
 * Jackson trees from {@link io.meshlite.api.k8s.KumaCrds} without a Kubernetes client library.
 */
package io.meshlite.kumactl.install;
