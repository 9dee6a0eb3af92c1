#!/bin/sh
# Regenerates the RFC 5011 fixtures of the TrustAnchor tests with ldns from Debian (ldnsutils): DNSKEY RRsets
# of the zone managed.example. holding different key sets, each signed by chosen keys, so that a key rollover,
# a revocation and forged additions can be replayed through the real validator.
#
# Keys (ECDSAP256SHA256): K1 and K2 key-signing keys (flags 257), K3 an intruder's key-signing key, Z a
# zone-signing key (flags 256), and K1 revoked (flags 385, made by ldns-revoke from K1).
# Output: trust-anchor-<set>.signed, one signed zone per set (SOA, NS, DNSKEY), and trust-anchor-k1.ds (DS for
# K1). The DNSKEY TTL is 172800 (2 days), the validity period 2026-01-01 .. 2036-01-01, as for the other
# fixtures. Keys are fresh on every run; the tests depend only on the structure. Run from anywhere:
# sh Tests/DNSSECTests/Fixtures/make-trust-anchor-fixtures.sh
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
INCEPTION=20260101000000
EXPIRATION=20360101000000
ORIGIN=managed.example.
cd "$WORK"

make_key() {
    name=$1
    shift
    base=$(ldns-keygen -a ECDSAP256SHA256 "$@" "$ORIGIN")
    mv "$base.key" "$name.key"
    mv "$base.private" "$name.private"
    rm -f "$base.ds"
}
make_key k1 -k
make_key k2 -k
make_key k3 -k
make_key z
cp k1.private k1rev.private
cp k1.key k1rev.key
ldns-revoke k1rev.key
ldns-key2ds -n -2 k1.key > "$HERE/trust-anchor-k1.ds"

# dnskey NAME: the DNSKEY line of a key with the 2-day TTL.
dnskey() {
    awk -v origin="$ORIGIN" '$0 !~ /^;/ && NF { $1 = origin; $2 = "172800"; print }' "$1.key" \
        | sed 's/ IN DNSKEY / IN DNSKEY /'
}

# set NAME "KEYS PUBLISHED" "KEYS SIGNING": one signed zone.
set_of() {
    name=$1 published=$2 signers=$3
    {
        echo "\$ORIGIN $ORIGIN"
        echo "\$TTL 3600"
        echo "@ IN SOA ns1 hostmaster 2026010101 7200 3600 1209600 300"
        echo "@ IN NS ns1"
        echo "ns1 IN A 192.0.2.1"
        for key in $published; do dnskey "$key"; done
    } > "$name.zone"
    ldns-signzone -d -i "$INCEPTION" -e "$EXPIRATION" -o "$ORIGIN" -f "$HERE/trust-anchor-$name.signed" \
        "$name.zone" $signers
}

set_of k1          "k1 z"        "z k1"
set_of k1-k2       "k1 k2 z"     "z k1 k2"
set_of k2          "k2 z"        "z k2"
set_of k1rev-k2    "k1rev k2 z"  "z k1rev k2"
set_of k1-k3-by-k3 "k1 k3 z"     "z k3"
set_of k1rev-by-k1 "k1rev k2 z"  "z k1 k2"
set_of k1rev       "k1rev z"     "z k1rev"
echo "trust-anchor fixtures written to $HERE"
