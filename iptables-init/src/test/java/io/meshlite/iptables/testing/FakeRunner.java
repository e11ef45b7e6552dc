package io.meshlite.iptables.testing;

import io.meshlite.iptables.system.CommandRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/** A scripted {@link CommandRunner}: answers by the program's file name, records every call. */
public final class FakeRunner implements CommandRunner {
  /** One recorded invocation. */
  public record Call(List<String> argv, String stdin) {
    public String program() {
      String first = argv.getFirst();
      return first.substring(first.lastIndexOf('/') + 1);
    }
  }

  private record Handler(Predicate<Call> match, BiFunction<Call, Integer, Result> answer) {}

  private final List<Call> calls = new ArrayList<>();
  private final List<Handler> handlers = new ArrayList<>();

  /** Answers calls of {@code program} (file name) with {@code answer}; later rules win. */
  public FakeRunner on(String program, BiFunction<Call, Integer, Result> answer) {
    handlers.addFirst(new Handler(c -> c.program().equals(program), answer));
    return this;
  }

  /** Answers calls whose argv contains {@code argument}. */
  public FakeRunner onArg(
      String program, String argument, BiFunction<Call, Integer, Result> answer) {
    handlers.addFirst(
        new Handler(c -> c.program().equals(program) && c.argv().contains(argument), answer));
    return this;
  }

  @Override
  public synchronized Result run(List<String> argv, String stdin) {
    Call call = new Call(List.copyOf(argv), stdin);
    calls.add(call);
    for (Handler handler : handlers) {
      if (handler.match().test(call)) {
        long previous = calls.stream().filter(handler.match()).count() - 1;
        return handler.answer().apply(call, (int) previous);
      }
    }
    return new Result(127, "", call.program() + ": not scripted in this test");
  }

  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  public synchronized List<Call> calls(String program) {
    return calls.stream().filter(c -> c.program().equals(program)).toList();
  }

  public static Result ok(String stdout) {
    return new Result(0, stdout, "");
  }

  public static Result fail(int code, String stderr) {
    return new Result(code, "", stderr);
  }
}
