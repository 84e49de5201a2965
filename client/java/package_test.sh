#!/usr/bin/env bash
# The jar as a Maven user gets it: build.sh builds captoken-client.jar, then
# `mvn -o install:install-file -DpomFile=pom.xml` installs it under its real
# coordinates (dev.captoken:captoken-client:VERSION) into a fresh local
# repository outside the source tree. A new Maven project there depends on
# those coordinates only, compiles a small program with maven-compiler-plugin,
# resolves its classpath with maven-dependency-plugin, and runs it: it mints
# and verifies a token from a development server.
#
# Everything resolves offline from Debian's /usr/share/maven-repo
# (maven-settings.xml): the client's grpc-java and protobuf-java dependencies
# and Maven's own plugins (bazel/setup.sh test installs them).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../package_test_lib.sh"

"$here/build.sh" >/dev/null
local_repo=$work/m2
# -o: never the network. aether.offline.protocols=file: offline mode would
# otherwise refuse the file:// mirror too. Its output goes to a log, shown
# only on failure (even -B -q prints colour resets).
mvn=(mvn -B -q -o -s "$here/maven-settings.xml" -Daether.offline.protocols=file
     -Dmaven.repo.local="$local_repo")

# Full plugin coordinates: without a project, a bare install:install-file
# would look up the plugin's latest version in repository metadata.
"${mvn[@]}" org.apache.maven.plugins:maven-install-plugin:3.1.0:install-file \
  -Dfile="$here/build/captoken-client.jar" -DpomFile="$here/pom.xml" >"$work/install.log" 2>&1 || {
  cat "$work/install.log" >&2
  exit 1
}
# The version the installed POM declares, then the files Maven put under
# those coordinates.
installed_version=$(find "$local_repo/dev/captoken/captoken-client" -mindepth 1 -maxdepth 1 -type d -printf '%f\n')
check_version "the installed dev.captoken:captoken-client" "$installed_version"
installed=$local_repo/dev/captoken/captoken-client/$version
[[ -f $installed/captoken-client-$version.jar && -f $installed/captoken-client-$version.pom ]] || {
  echo "package test: dev.captoken:captoken-client:$version is not in $local_repo:" >&2
  find "$local_repo/dev" >&2 2>/dev/null || true
  exit 1
}

app=$work/app
mkdir -p "$app/src/main/java/app"
cat >"$app/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>mint</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>11</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>dev.captoken</groupId>
      <artifactId>captoken-client</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <!-- Pinned to the versions Debian 12 packages: Maven's defaults
           (compiler 3.1, resources 2.6) are older than what is installed. -->
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.10.1</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.5.0</version>
      </plugin>
    </plugins>
  </build>
</project>
POM
cat >"$app/src/main/java/app/Mint.java" <<'JAVA'
package app;

import dev.captoken.client.AccessTokens;
import dev.captoken.client.Capabilities;
import dev.captoken.client.MintedToken;
import dev.captoken.client.TokenClient;
import dev.captoken.v1.TokenKind;
import java.time.Duration;

public final class Mint {
  public static void main(String[] args) {
    // Loaded from the local Maven repository, not the source tree's build/.
    String jar = TokenClient.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    if (!jar.startsWith(System.getProperty("localRepository") + "/")) {
      throw new IllegalStateException("TokenClient loaded from " + jar);
    }
    String account = "AC00000000000000000000000000000000";
    try (TokenClient client = TokenClient.builder(args[0]).deadline(Duration.ofSeconds(5)).build()) {
      MintedToken access = client.mintAccessToken(
          AccessTokens.request(account, "alice").addGrants(AccessTokens.video("standup")).build());
      MintedToken minted = client.mintCapabilityToken(
          Capabilities.request(account).addScopes(Capabilities.clientIncoming("alice")).build());
      System.out.println(minted.getToken());
      boolean ok = client.verifyToken(minted.getToken()).getValid()
          && client.verifyToken(access.getToken()).getKind() == TokenKind.TOKEN_KIND_ACCESS;
      System.out.println(ok ? "valid" : "invalid");
    }
  }
}
JAVA
(cd "$app" && "${mvn[@]}" compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt) >"$work/mvn.log" 2>&1 || {
  cat "$work/mvn.log" >&2
  exit 1
}
# The classpath Maven resolved, in the local repository only (nothing from
# the source tree or /usr/share/java).
classpath=$(<"$app/target/classpath.txt")
tr ':' '\n' <<<"$classpath" | grep -v "^$local_repo/" && {
  echo "package test: resolved outside $local_repo (above)" >&2
  exit 1
}
(cd "$app" && java -DlocalRepository="$local_repo" -cp "target/classes:$classpath" app.Mint "$address") >"$work/out"
check_minted "$work/out"
echo "ok: dev.captoken:captoken-client:$version, installed with mvn -o install:install-file, resolved by a Maven project, minted and verified a token"
