# Sourced by build.sh and test.sh: the Debian jars the client needs.
# shellcheck shell=bash
#
# RUNTIME_JARS is the minimal run-time classpath of captoken-client.jar on
# Debian 12 (found by removing jars until the end-to-end test failed).
# COMPILE_ONLY_JARS are needed by javac only. TEST_JARS run the test.
JAVA_LIB=${JAVA_LIB:-/usr/share/java}

RUNTIME_JARS=(
  grpc-api grpc-core grpc-netty grpc-protobuf grpc-protobuf-lite grpc-stub grpc-context
  protobuf guava perfmark-api
  netty-buffer netty-codec netty-codec-http netty-codec-http2 netty-common
  netty-handler netty-resolver netty-transport
)
# For javac only, each optional: javax.annotation.Generated (source
# retention) on the gRPC stub, and the annotations guava's classes refer to
# (without them javac warns "Cannot find annotation method").
GENERATED_ANNOTATION_JAR=geronimo-annotation-1.3-spec
COMPILE_ONLY_JARS=(error_prone_annotations)
# JUnit 4 + hamcrest, and JsonFormat (protobuf-util, which needs gson).
TEST_JARS=(junit4 hamcrest protobuf-util gson)

# jars_to_classpath NAME... -> /usr/share/java/NAME.jar:... (fails on a missing jar)
jars_to_classpath() {
  local out="" jar
  for jar in "$@"; do
    if [[ ! -f "$JAVA_LIB/$jar.jar" ]]; then
      echo "missing $JAVA_LIB/$jar.jar (see client/java/README.md for the Debian packages)" >&2
      return 1
    fi
    out+="${out:+:}$JAVA_LIB/$jar.jar"
  done
  printf '%s' "$out"
}
