// Mints a capability token from the development server (`./dev server`):
//   npm run build && node dist/example.js [HOST:PORT]
import { TokenClient, clientIncoming, clientOutgoing, Profile } from "@captoken/client";

async function main(): Promise<void> {
  const client = new TokenClient(process.argv[2] ?? "127.0.0.1:50051", { deadlineMs: 2000 });
  try {
    const { token, expireTime } = await client.mintCapabilityToken({
      accountSid: "AC00000000000000000000000000000000",
      scopes: [
        clientIncoming("alice"),
        clientOutgoing("AP89abcdef0123456789abcdef01234567", { params: [["To", "+15551234567"]] }),
      ],
      ttlSeconds: 600,
      profile: Profile.PROFILE_TWILIO_NODE,
    });
    console.log(token);
    console.error(`expires ${expireTime.toISOString()}`);
  } finally {
    client.close();
  }
}

main().catch((err: Error) => {
  console.error(err.message); // e.g. "UNAVAILABLE: No connection established..."
  process.exitCode = 1;
});
