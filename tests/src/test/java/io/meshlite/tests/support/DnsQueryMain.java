package io.meshlite.tests.support;

import java.io.IOException;
import java.time.Duration;
import java.util.stream.Collectors;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * One DNS query to the first nameserver of the host's {@code /etc/resolv.conf} (in a namespace:
 * the namespace's own one), over UDP, for end-to-end tests that need the response code, which
 * glibc's tools do not show. Prints {@code rcode=<RCODE> answers=<rdata,...>} and exits 0; exits 1
 * with a message if no answer came within 3 s.
 *
 * <p>Usage: {@code DnsQueryMain <name> [type]}
 */
public final class DnsQueryMain {
  private DnsQueryMain() {}

  public static void main(String[] args) {
    try {
      SimpleResolver resolver = new SimpleResolver();
      resolver.setTimeout(Duration.ofSeconds(3));
      int type = args.length > 1 ? Type.value(args[1]) : Type.A;
      Message reply = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(args[0], Name.root), type, DClass.IN)));
      String answers = reply.getSection(Section.ANSWER).stream().map(Record::rdataToString).collect(Collectors.joining(","));
      System.out.println("rcode=" + Rcode.string(reply.getRcode()) + " answers=" + answers);
    } catch (IOException e) {
      System.out.println("no answer: " + e);
      System.exit(1);
    }
  }
}
