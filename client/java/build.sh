#!/usr/bin/env bash
# Builds build/captoken-client.jar: the Java classes generated from
# proto/captoken/v1/*.proto (messages + gRPC stub, package dev.captoken.v1)
# and the wrapper (package dev.captoken.client). Generated sources live in
# build/ only and are never checked in. Uses Debian's protoc, gRPC Java plugin,
# JDK and jars; no Maven.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
source ./classpath.sh

proto_root=${CAPTOKEN_PROTO_DIR:-$(cd "$here/../../proto" && pwd)}
protoc=${PROTOC:-protoc}
grpc_plugin=${GRPC_JAVA_PLUGIN:-/usr/bin/grpc_java_plugin}
# Java 11 bytecode, so the jar also runs on older JDKs than the one building it.
release=${JAVA_RELEASE:-11}

# A POM must carry its version as a literal: stamp the repository's VERSION
# into pom.xml's project version (the <version> right after
# <artifactId>captoken-client</artifactId>; a no-op when they agree;
# tests/check_versions.sh fails if a stamped change was not committed).
version=$(<../../VERSION)
perl -0pi -e 's{(<artifactId>captoken-client</artifactId>\s*<version>)[^<]*(</version>)}{${1}'"$version"'${2}}' pom.xml

out=build
rm -rf "$out/gen" "$out/classes" "$out/example-classes" "$out/captoken-client.jar"
mkdir -p "$out/gen" "$out/classes" "$out/example-classes"

echo "build.sh: generating Java from $proto_root/captoken/v1/*.proto"
"$protoc" -I "$proto_root" -I /usr/include \
  --java_out="$out/gen" \
  --plugin=protoc-gen-grpc-java="$grpc_plugin" --grpc-java_out="$out/gen" \
  "$proto_root"/captoken/v1/*.proto

compile_cp=$(jars_to_classpath "${RUNTIME_JARS[@]}")
for jar in "${COMPILE_ONLY_JARS[@]}"; do
  if [[ -f "$JAVA_LIB/$jar.jar" ]]; then compile_cp+=":$JAVA_LIB/$jar.jar"; fi
done
# The gRPC stub carries @javax.annotation.Generated, which JDK 9+ lacks. It
# has source retention, so a jar that declares it is needed by javac only;
# without one, drop the annotation from the generated source.
if [[ -f "$JAVA_LIB/$GENERATED_ANNOTATION_JAR.jar" ]]; then
  compile_cp+=":$JAVA_LIB/$GENERATED_ANNOTATION_JAR.jar"
else
  echo "build.sh: no $GENERATED_ANNOTATION_JAR.jar; removing @javax.annotation.Generated from the stub"
  find "$out/gen" -name '*Grpc.java' -exec \
    perl -0pi -e 's/\@javax\.annotation\.Generated\(.*?\)\n//s' {} +
fi

echo "build.sh: compiling"
find "$out/gen" src/main/java -name '*.java' >"$out/sources.txt"
javac --release "$release" -encoding UTF-8 -Xlint:-options \
  -cp "$compile_cp" -d "$out/classes" @"$out/sources.txt"
jar --create --file "$out/captoken-client.jar" -C "$out/classes" .

# The example must keep compiling against the jar.
javac --release "$release" -encoding UTF-8 -Xlint:-options \
  -cp "$out/captoken-client.jar:$compile_cp" -d "$out/example-classes" example/Example.java

# The run-time classpath to put next to the jar.
jars_to_classpath "${RUNTIME_JARS[@]}" >"$out/runtime-classpath.txt"
echo >>"$out/runtime-classpath.txt"
echo "build.sh: built $here/$out/captoken-client.jar"
echo "build.sh: run-time classpath in $here/$out/runtime-classpath.txt"
