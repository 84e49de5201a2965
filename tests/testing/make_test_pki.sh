#!/bin/bash
# Makes a throw-away PKI for TLS tests in DIR (openssl CLI only):
#   make_test_pki.sh DIR
#
#   ca.pem / ca.key                  the test CA
#   server.pem / server.key          CN=captoken-server-v1, SAN IP:127.0.0.1
#   server-v2.pem / server-v2.key    the same SAN, CN=captoken-server-v2
#   frontend.*                       SAN URI spiffe://example.org/ns/web/sa/frontend
#   batch.*                          SAN URI spiffe://example.org/ns/batch/sa/job
#   legacy.*                         no SAN, CN=legacy-service
#   nameless.*                       no SAN URI and no CN (O=captoken-test)
#   two-uris.*                       CN=legacy-service (a policy's name) and
#                                    two URI SANs, the frontend's SPIFFE ID
#                                    and an https URI: refused, never the CN
#   dotted.*                         SAN URI spiffe://example.org/ns/batch/sa/
#                                    ../../web/sa/frontend (not canonical)
#   revoked.*                        the frontend's identity, revoked in crls/
#   expired.*                        the frontend's identity, expired in 2020
#   stranger.*                       the frontend's identity from another CA
#   crls/<hash>.r0                   the CA's CRL, named as `openssl rehash` does
set -euo pipefail
dir=$1
mkdir -p "$dir/crls"
cd "$dir"

cat > ca.cnf <<'CNF'
[ ca ]
default_ca = test_ca
[ test_ca ]
database = index.txt
new_certs_dir = .
serial = serial
crlnumber = crlnumber
default_md = sha256
default_days = 2
default_crl_days = 2
policy = anything
copy_extensions = copy
unique_subject = no
[ anything ]
commonName = optional
organizationName = optional
CNF
: > index.txt
echo 1000 > serial
echo 1000 > crlnumber

key_and_csr() {  # NAME SUBJECT [SAN]
  local san=()
  [[ -n ${3:-} ]] && san=(-addext "subjectAltName=$3")
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1.key" -out "$1.csr" -subj "$2" "${san[@]}" 2>/dev/null
}

issue() {  # NAME SUBJECT SAN [STARTDATE ENDDATE]
  key_and_csr "$1" "$2" "${3:-}"
  local dates=()
  [[ -n ${4:-} ]] && dates=(-startdate "$4" -enddate "$5")
  openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
    -in "$1.csr" -out "$1.pem" -notext "${dates[@]}" 2>/dev/null
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout ca.key -out ca.pem -days 2 -subj /CN=captoken-test-ca 2>/dev/null

issue server /CN=captoken-server-v1 "IP:127.0.0.1,DNS:localhost"
issue server-v2 /CN=captoken-server-v2 "IP:127.0.0.1,DNS:localhost"
frontend=URI:spiffe://example.org/ns/web/sa/frontend
issue frontend /O=captoken-test "$frontend"
issue batch /O=captoken-test URI:spiffe://example.org/ns/batch/sa/job
issue legacy /CN=legacy-service ""
issue nameless /O=captoken-test "DNS:nameless.example"
issue two-uris /CN=legacy-service "$frontend,URI:https://client.example.org"
issue dotted /O=captoken-test \
  "URI:spiffe://example.org/ns/batch/sa/../../web/sa/frontend"
issue revoked /O=captoken-test "$frontend"
issue expired /O=captoken-test "$frontend" 20200101000000Z 20200102000000Z

openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
  -revoke revoked.pem 2>/dev/null
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
  -gencrl -out crl.pem 2>/dev/null
cp crl.pem "crls/$(openssl crl -hash -noout -in crl.pem).r0"

# A certificate for the frontend's identity from a CA the server does not
# trust.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=other-ca 2>/dev/null
key_and_csr stranger /O=captoken-test "$frontend"
openssl x509 -req -in stranger.csr -CA other-ca.pem -CAkey other-ca.key \
  -CAcreateserial -out stranger.pem -days 2 -copy_extensions copy 2>/dev/null
