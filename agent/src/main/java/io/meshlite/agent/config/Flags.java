package io.meshlite.agent.config;

import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * kuma-dp's command line is built with picocli's programmatic API rather than its annotations: reading
 * annotations costs a cold JVM a dynamic proxy class per annotation type and a reflective accessor per
 * field (≈ 90 ms before the first log line, all of it before the control plane's TLS handshake can
 * start). Each option is bound to its field by a getter and a setter, and starts from the field's
 * value when the model is built.
 */
public final class Flags {
  private Flags() {}

  /**
   * An option of {@code type} bound to a field.
   *
   * @param label the parameter label in the usage help, as picocli derives it from a field ({@code <name>})
   */
  public static <T> OptionSpec.Builder option(
      Class<T> type, Supplier<T> get, Consumer<T> set, String label, String description, String... names) {
    return OptionSpec.builder(names)
        .type(type)
        .paramLabel(label)
        .description(description)
        .initialValue(get.get()) // what the field holds now, as picocli keeps for an annotated field
        .getter(new IGetter() {
          @Override
          @SuppressWarnings("unchecked")
          public <V> V get() {
            return (V) get.get();
          }
        })
        .setter(new ISetter() {
          @Override
          @SuppressWarnings("unchecked")
          public <V> V set(V value) {
            V old = (V) get.get();
            set.accept(type.cast(value));
            return old;
          }
        });
  }

  /**
   * {@code -h, --help} and {@code -V, --version}, as picocli's {@code mixinStandardHelpOptions} adds
   * them (whose mixin is itself an annotated class).
   */
  public static CommandSpec withHelpOptions(CommandSpec spec) {
    boolean[] asked = new boolean[2];
    spec.addOption(option(Boolean.class, () -> asked[0], v -> asked[0] = v, "", "Show this help message and exit.",
        "-h", "--help").arity("0").usageHelp(true).build());
    spec.addOption(option(Boolean.class, () -> asked[1], v -> asked[1] = v, "", "Print version information and exit.",
        "-V", "--version").arity("0").versionHelp(true).build());
    return spec;
  }
}
