import dev.captoken.client.Capabilities;
import dev.captoken.client.MintedToken;
import dev.captoken.client.TokenClient;
import java.time.Duration;

/** Mints a token from the development server (`./dev server`). */
public final class Example {
  public static void main(String[] args) {
    String target = args.length > 0 ? args[0] : "127.0.0.1:50051";
    try (TokenClient client = TokenClient.builder(target).deadline(Duration.ofSeconds(5)).build()) {
      MintedToken minted = client.mintCapabilityToken(
          Capabilities.request("AC00000000000000000000000000000000")
              .addScopes(Capabilities.clientIncoming("alice"))
              .setTtl(Capabilities.durationOf(Duration.ofMinutes(10)))
              .build());
      System.out.println(minted.getToken());
      System.err.println("expires " + minted.getExpireTime());
    }
  }
}
