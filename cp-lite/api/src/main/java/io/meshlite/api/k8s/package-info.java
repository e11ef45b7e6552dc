/**
 * How Kuma's resource types live in a Kubernetes cluster: one CustomResourceDefinition per type in
 * group {@code kuma.io}, version {@code v1alpha1}, with Kuma's kinds, plurals and scopes; Secrets
 * and GlobalSecrets are native Secrets. Shared by kuma-cp's Kubernetes store and {@code kumactl
 * install control-plane}, so both agree on every name without either depending on a Kubernetes
 * client library.
 */
package io.meshlite.api.k8s;
