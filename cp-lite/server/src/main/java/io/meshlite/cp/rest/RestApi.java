package io.meshlite.cp.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.rest.IndexResponse;
import io.meshlite.api.rest.ResourceList;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violation;
import io.meshlite.cp.insights.DataplaneInsights;
import io.meshlite.cp.insights.MeshInsights;
import io.meshlite.cp.manager.ListQuery;
import io.meshlite.cp.manager.ManagerException;
import io.meshlite.cp.manager.Page;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.manager.UpsertResult;
import io.meshlite.cp.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kuma's REST API as a pure function from an aggregated request to a reply, independent of the
 * HTTP server (so it can be tested and reused without sockets). {@link #handle} never throws:
 * every failure goes through {@link RestErrors}.
 *
 * <p>Routes, for every type in {@link ResourceTypes}: global types {@code GET /{plural}} and
 * {@code GET|PUT|DELETE /{plural}/{name}}; mesh-scoped types {@code GET /meshes/{mesh}/{plural}},
 * {@code GET|PUT|DELETE /meshes/{mesh}/{plural}/{name}} and the cross-mesh {@code GET /{plural}};
 * plus {@code GET /}, {@code GET /_resources}, {@code GET /config} and the Dataplane overviews
 * (Dataplane plus DataplaneInsight, see {@link DataplaneInsights#overview}).
 */
final class RestApi {
  static final String LIST = "Could not retrieve resources";
  static final String GET = "Could not retrieve a resource";
  static final String PUT = "Could not process a resource";
  static final String CREATE = "Could not create a resource";
  static final String UPDATE = "Could not update a resource";
  static final String DELETE = "Could not delete a resource";

  private static final Pattern LABEL_FILTER = Pattern.compile("filter\\[labels\\.(.+)]");
  private static final String DP = ResourceTypes.DATAPLANE.plural();
  private static final String OVERVIEWS = DP + "+insights";
  private static final String OVERVIEW = "_overview";
  private static final String MESH_INSIGHTS = "mesh-insights";

  /**
   * An aggregated HTTP request.
   *
   * @param method the HTTP method
   * @param path the raw (percent-encoded) path, without query
   * @param query the decoded query parameters, in request order
   * @param contentType the Content-Type header or null
   * @param origin {@code scheme://host[:port]} the client used, for absolute {@code next} links
   * @param body the request body (possibly empty)
   */
  record Request(
      String method,
      String path,
      Map<String, List<String>> query,
      String contentType,
      String origin,
      byte[] body) {
    Request {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(path, "path");
      query = query == null ? Map.of() : query;
      body = body == null ? new byte[0] : body;
    }
  }

  /**
   * A reply: status and JSON body.
   *
   * @param status the HTTP status
   * @param body the JSON body
   */
  record Reply(int status, JsonNode body) {}

  private final ResourceManager manager;
  private final IndexResponse index;
  private final Supplier<ObjectNode> config;
  private final String basePath;
  private final boolean readOnly;

  /**
   * @param manager the write path and reads
   * @param index the body of {@code GET /}
   * @param config the effective config with secrets redacted, for {@code GET /config}
   * @param basePath the prefix the API is served under ({@code /} by default)
   * @param readOnly when true PUT and DELETE answer 405
   */
  RestApi(
      ResourceManager manager,
      IndexResponse index,
      Supplier<ObjectNode> config,
      String basePath,
      boolean readOnly) {
    this.manager = manager;
    this.index = index;
    this.config = config;
    this.basePath = basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
    this.readOnly = readOnly;
  }

  /** Handles one request; never throws. */
  Reply handle(Request req) {
    try {
      return route(req);
    } catch (TitledFailure f) {
      return RestErrors.reply(f.getCause(), f.title);
    } catch (RuntimeException e) {
      return RestErrors.reply(e, "Could not process the request");
    }
  }

  // ---------------------------------------------------------------- routing

  private Reply route(Request req) {
    String path = req.path();
    if (!basePath.isEmpty()) {
      if (!path.equals(basePath) && !path.startsWith(basePath + "/")) {
        throw notFound(req);
      }
      path = path.substring(basePath.length());
    }
    List<String> segs = segments(path);
    if (segs.isEmpty()) {
      requireGet(req);
      return ok(Json.mapper().valueToTree(index));
    }
    if (segs.size() == 1 && segs.get(0).equals("_resources")) {
      requireGet(req);
      return ok(ResourceDescriptors.json());
    }
    if (segs.size() == 1 && segs.get(0).equals("config")) {
      requireGet(req);
      return ok(config.get());
    }
    if (segs.get(0).equals(MESH_INSIGHTS) && segs.size() <= 2) {
      requireGet(req);
      return meshInsights(req, segs.size() == 2 ? segs.get(1) : null);
    }
    if (isOverview(segs)) {
      requireGet(req);
      return overview(req, segs);
    }
    if (segs.get(0).equals("meshes") && segs.size() >= 3) {
      ResourceType type =
          ResourceTypes.byPlural(segs.get(2))
              .filter(ResourceType::meshScoped)
              .orElseThrow(() -> notFound(req));
      String mesh = segs.get(1);
      if (segs.size() == 3) {
        requireGet(req);
        return list(req, type, mesh, "/meshes/{mesh}/" + type.plural());
      }
      if (segs.size() == 4) {
        return item(req, type, mesh, segs.get(3));
      }
      throw notFound(req);
    }
    ResourceType type = ResourceTypes.byPlural(segs.get(0)).orElseThrow(() -> notFound(req));
    if (segs.size() == 1) {
      requireGet(req);
      return list(req, type, null, "/" + type.plural());
    }
    if (segs.size() == 2 && !type.meshScoped()) {
      return item(req, type, "", segs.get(1));
    }
    throw notFound(req);
  }

  // ---------------------------------------------------------------- dataplane overviews

  /**
   * Kuma's overview paths: {@code /meshes/{mesh}/dataplanes/_overview}, {@code
   * /meshes/{mesh}/dataplanes/{name}/_overview}, the legacy {@code /meshes/{mesh}/dataplanes+insights}
   * and {@code /meshes/{mesh}/dataplanes+insights/{name}}, and the cross-mesh {@code
   * /dataplanes/_overview} and {@code /dataplanes+insights}.
   */
  private static boolean isOverview(List<String> segs) {
    int n = segs.size();
    if (n >= 3 && segs.get(0).equals("meshes")) {
      return (n == 3 && segs.get(2).equals(OVERVIEWS))
          || (n == 4 && segs.get(2).equals(OVERVIEWS))
          || (n == 4 && segs.get(2).equals(DP) && segs.get(3).equals(OVERVIEW))
          || (n == 5 && segs.get(2).equals(DP) && segs.get(4).equals(OVERVIEW));
    }
    return (n == 1 && segs.get(0).equals(OVERVIEWS)) || (n == 2 && segs.get(0).equals(DP) && segs.get(1).equals(OVERVIEW));
  }

  private Reply overview(Request req, List<String> segs) {
    boolean meshScoped = segs.get(0).equals("meshes");
    String mesh = meshScoped ? segs.get(1) : null;
    String name =
        !meshScoped ? null
            : segs.size() == 4 && segs.get(2).equals(OVERVIEWS) ? segs.get(3)
            : segs.size() == 5 ? segs.get(3)
            : null;
    if (name != null) {
      try {
        Resource dp =
            manager
                .get(ResourceTypes.DATAPLANE, mesh, name)
                .orElseThrow(() -> new StoreException.NotFound(ResourceKey.of(ResourceTypes.DATAPLANE, mesh, name)));
        return ok(DataplaneInsights.overview(dp, manager.store().get(DataplaneInsights.insightKey(mesh, name))));
      } catch (RuntimeException e) {
        throw new TitledFailure(GET, e);
      }
    }
    String template = meshScoped ? "/meshes/{mesh}/" + segs.get(2) : "/" + segs.get(0);
    try {
      ListQuery q =
          ListQuery.parse(first(req, "size"), first(req, "offset"), first(req, "name"), labelFilters(req, template));
      DataplaneFilter filter = DataplaneFilter.parse(req.query().get("tag"), first(req, "gateway"));
      if (mesh != null && !manager.meshExists(mesh)) {
        throw new RestException(404, "Failed to retrieve Mesh", "Not found");
      }
      Page page = manager.list(ResourceTypes.DATAPLANE, mesh, q, filter);
      Map<ResourceKey, Resource> insights = new java.util.HashMap<>();
      if (!page.items().isEmpty()) {
        manager.store().list(ResourceTypes.DATAPLANE_INSIGHT, mesh).forEach(i -> insights.put(i.key(), i));
      }
      List<JsonNode> items = new ArrayList<>();
      for (Resource dp : page.items()) {
        items.add(
            DataplaneInsights.overview(
                dp, Optional.ofNullable(insights.get(DataplaneInsights.insightKey(dp.mesh(), dp.name())))));
      }
      String next =
          page.nextOffset().isPresent() ? nextLink(req, page.nextOffset().getAsInt(), q.size()) : null;
      return ok(Json.mapper().valueToTree(new ResourceList(page.total(), items, next)));
    } catch (RuntimeException e) {
      throw new TitledFailure(LIST, e);
    }
  }

  // ---------------------------------------------------------------- mesh insights

  /** {@code GET /mesh-insights[/{name}]}: computed from the store when asked (see {@link MeshInsights}). */
  private Reply meshInsights(Request req, String name) {
    if (name != null) {
      try {
        Resource mesh =
            manager
                .get(ResourceTypes.MESH_TYPE, "", name)
                .orElseThrow(() -> new StoreException.NotFound(ResourceKey.of(ResourceTypes.MESH_TYPE, "", name)));
        return ok(meshInsight(mesh, policyTotals(name)));
      } catch (RuntimeException e) {
        throw new TitledFailure(GET, e);
      }
    }
    try {
      ListQuery q =
          ListQuery.parse(first(req, "size"), first(req, "offset"), first(req, "name"), labelFilters(req, "/" + MESH_INSIGHTS));
      Page page = manager.list(ResourceTypes.MESH_TYPE, null, q);
      Map<String, Map<String, Long>> totals = new java.util.HashMap<>();
      if (!page.items().isEmpty()) {
        for (ResourceType t : ResourceTypes.all()) {
          if (ResourceDescriptors.countedAsPolicy(t)) {
            for (Resource r : manager.store().list(t, null)) {
              totals.computeIfAbsent(r.mesh(), k -> new TreeMap<>()).merge(t.name(), 1L, Long::sum);
            }
          }
        }
      }
      List<JsonNode> items = new ArrayList<>();
      for (Resource mesh : page.items()) {
        items.add(meshInsight(mesh, withZeros(totals.getOrDefault(mesh.name(), Map.of()))));
      }
      String next =
          page.nextOffset().isPresent() ? nextLink(req, page.nextOffset().getAsInt(), q.size()) : null;
      return ok(Json.mapper().valueToTree(new ResourceList(page.total(), items, next)));
    } catch (RuntimeException e) {
      throw new TitledFailure(LIST, e);
    }
  }

  private JsonNode meshInsight(Resource mesh, Map<String, Long> policies) {
    Map<String, Resource> insights = new java.util.HashMap<>();
    manager.store().list(ResourceTypes.DATAPLANE_INSIGHT, mesh.name()).forEach(i -> insights.put(i.name(), i));
    return MeshInsights.compute(
        mesh, manager.store().list(ResourceTypes.DATAPLANE, mesh.name()), insights, policies, java.time.Instant.now());
  }

  private Map<String, Long> policyTotals(String mesh) {
    Map<String, Long> out = new TreeMap<>();
    for (ResourceType t : ResourceTypes.all()) {
      if (ResourceDescriptors.countedAsPolicy(t)) {
        out.put(t.name(), (long) manager.store().list(t, mesh).size());
      }
    }
    return out;
  }

  private static Map<String, Long> withZeros(Map<String, Long> counted) {
    Map<String, Long> out = new TreeMap<>();
    for (ResourceType t : ResourceTypes.all()) {
      if (ResourceDescriptors.countedAsPolicy(t)) {
        out.put(t.name(), counted.getOrDefault(t.name(), 0L));
      }
    }
    return out;
  }

  private Reply item(Request req, ResourceType type, String mesh, String name) {
    return switch (req.method()) {
      case "GET" -> get(type, mesh, name);
      case "PUT" -> {
        requireWritable(type);
        yield put(req, type, mesh, name);
      }
      case "DELETE" -> {
        requireWritable(type);
        yield delete(type, mesh, name);
      }
      default -> throw methodNotAllowed(req, "GET, PUT, DELETE");
    };
  }

  // ---------------------------------------------------------------- operations

  private Reply list(Request req, ResourceType type, String mesh, String template) {
    try {
      ListQuery q =
          ListQuery.parse(first(req, "size"), first(req, "offset"), first(req, "name"), labelFilters(req, template));
      if (mesh != null && !manager.meshExists(mesh)) {
        throw new RestException(404, "Failed to retrieve Mesh", "Not found");
      }
      Page page =
          type == ResourceTypes.DATAPLANE
              ? manager.list(type, mesh, q, DataplaneFilter.parse(req.query().get("tag"), first(req, "gateway")))
              : manager.list(type, mesh, q);
      List<JsonNode> items = new ArrayList<>();
      page.items().forEach(r -> items.add(ResourceCodec.toJson(r)));
      String next =
          page.nextOffset().isPresent() ? nextLink(req, page.nextOffset().getAsInt(), q.size()) : null;
      return ok(Json.mapper().valueToTree(new ResourceList(page.total(), items, next)));
    } catch (RuntimeException e) {
      throw new TitledFailure(LIST, e);
    }
  }

  private Reply get(ResourceType type, String mesh, String name) {
    try {
      Resource r =
          manager
              .get(type, mesh, name)
              .orElseThrow(() -> new StoreException.NotFound(ResourceKey.of(type, mesh, name)));
      return ok(ResourceCodec.toJson(r));
    } catch (RuntimeException e) {
      throw new TitledFailure(GET, e);
    }
  }

  private Reply put(Request req, ResourceType type, String mesh, String name) {
    Resource resource = parseBody(req, type, mesh, name);
    try {
      UpsertResult result = manager.upsert(resource);
      return new Reply(result.created() ? 201 : 200, JsonNodeFactory.instance.objectNode());
    } catch (ManagerException.MeshNotFound e) {
      throw new TitledFailure(CREATE, e);
    } catch (StoreException.Conflict e) {
      throw new TitledFailure(UPDATE, e);
    } catch (RuntimeException e) {
      throw new TitledFailure(PUT, e);
    }
  }

  private Reply delete(ResourceType type, String mesh, String name) {
    try {
      manager.delete(type, mesh, name);
      return ok(JsonNodeFactory.instance.objectNode());
    } catch (RuntimeException e) {
      throw new TitledFailure(DELETE, e);
    }
  }

  // ---------------------------------------------------------------- request parts

  /** Parses and checks the PUT body against the URL; everything wrong is reported together. */
  private static Resource parseBody(Request req, ResourceType type, String mesh, String name) {
    String ct = req.contentType();
    if (ct != null && !ct.isBlank() && !isJson(ct)) {
      throw new RestException(
          415, PUT, "Unsupported media type \"" + ct + "\" (expected: application/json)");
    }
    if (req.body().length == 0) {
      throw new RestException(400, "Bad Request", "invalid " + type.name() + " object: the request body is empty");
    }
    JsonNode node;
    try {
      node = Json.mapper().readTree(req.body());
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      String msg = Objects.requireNonNullElse(e.getOriginalMessage(), "malformed JSON").lines().findFirst().orElse("");
      throw new RestException(400, "Bad Request", "invalid " + type.name() + " object: " + msg + where);
    } catch (IOException e) {
      throw new RestException(400, "Bad Request", "invalid " + type.name() + " object: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new RestException(
          400, "Bad Request", "invalid " + type.name() + " object: the body must be a JSON object");
    }
    List<Violation> mismatches = new ArrayList<>();
    if (!name.equals(node.path("name").asText(null))) {
      mismatches.add(new Violation("name", "name from the URL has to be the same as in body"));
    }
    if (!type.name().equals(node.path("type").asText(null))) {
      mismatches.add(new Violation("type", "type from the URL has to be the same as in body"));
    }
    if (type.meshScoped() && !mesh.equals(node.path("mesh").asText(null))) {
      mismatches.add(new Violation("mesh", "mesh from the URL has to be the same as in body"));
    }
    if (!mismatches.isEmpty()) {
      throw new RestException(400, PUT, "Resource is not valid", mismatches);
    }
    try {
      return ResourceCodec.parse(node);
    } catch (RuntimeException e) {
      throw new TitledFailure(PUT, e);
    }
  }

  private static boolean isJson(String contentType) {
    String mt = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return mt.equals("application/json") || mt.endsWith("+json") || mt.equals("*/*");
  }

  private static Map<String, String> labelFilters(Request req, String template) {
    Map<String, String> labels = new TreeMap<>();
    List<Violation> bad = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : req.query().entrySet()) {
      String key = e.getKey();
      if (!key.startsWith("filter[")) {
        continue;
      }
      String field = template + "." + key;
      Matcher m = LABEL_FILTER.matcher(key);
      if (!key.endsWith("]")) {
        bad.add(new Violation(field, "advanced filters are not supported"));
      } else if (!m.matches()) {
        bad.add(new Violation(field, "filters are only supported on labels"));
      } else if (e.getValue().size() != 1) {
        bad.add(new Violation(field, "must be given once"));
      } else {
        labels.put(m.group(1), e.getValue().get(0));
      }
    }
    if (!bad.isEmpty()) {
      throw new ValidationException("Resource is not valid", bad);
    }
    return labels;
  }

  private static String first(Request req, String name) {
    List<String> v = req.query().get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** The absolute URL of the next page: the same request with {@code offset} (and size) set, keys sorted. */
  private static String nextLink(Request req, int offset, int size) {
    Map<String, List<String>> q = new TreeMap<>(req.query());
    q.put("offset", List.of(Integer.toString(offset)));
    q.put("size", List.of(Integer.toString(size)));
    StringBuilder b = new StringBuilder(req.origin()).append(req.path()).append('?');
    boolean firstParam = true;
    for (Map.Entry<String, List<String>> e : q.entrySet()) {
      for (String v : e.getValue()) {
        if (!firstParam) {
          b.append('&');
        }
        firstParam = false;
        b.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    }
    return b.toString();
  }

  /** Splits a raw path into percent-decoded segments; a trailing slash is ignored. */
  static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String s : rawPath.split("/", -1)) {
      if (!s.isEmpty()) {
        out.add(percentDecode(s));
      }
    }
    return out;
  }

  private static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    int i = 0;
    while (i < s.length()) {
      if (s.charAt(i) == '%' && i + 2 < s.length()) {
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          out.write(hi * 16 + lo);
          i += 3;
          continue;
        }
      }
      int cp = s.codePointAt(i);
      byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
      out.write(bytes, 0, bytes.length);
      i += Character.charCount(cp);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- checks

  private static void requireGet(Request req) {
    if (!req.method().equals("GET")) {
      throw methodNotAllowed(req, "GET");
    }
  }

  private void requireWritable(ResourceType type) {
    if (readOnly) {
      throw new RestException(
          405, "The API server runs in read-only mode (apiServer.readOnly): only GET is served", "Method not allowed");
    }
    if (type.readOnly()) {
      throw new RestException(
          405, type.name() + " is read-only: the control plane writes it", "Method not allowed");
    }
  }

  private static RestException notFound(Request req) {
    return new RestException(404, "Not found", "no endpoint for " + req.method() + " " + req.path());
  }

  private static RestException methodNotAllowed(Request req, String allowed) {
    return new RestException(
        405, "Method not allowed", req.method() + " is not allowed on " + req.path() + " (allowed: " + allowed + ")");
  }

  private static Reply ok(JsonNode body) {
    return new Reply(200, body);
  }

  /** Carries the title of the operation that failed up to {@link #handle}. */
  private static final class TitledFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String title;

    TitledFailure(String title, RuntimeException cause) {
      super(cause);
      this.title = title;
    }

    @Override
    public synchronized RuntimeException getCause() {
      return (RuntimeException) super.getCause();
    }
  }

}
