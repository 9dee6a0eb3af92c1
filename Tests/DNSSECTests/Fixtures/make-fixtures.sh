#!/bin/sh
# Regenerates the signed-zone fixtures of DNSSECTests with a real signer from Debian (ldnsutils):
# one small zone per DNSSEC algorithm signed with NSEC, and NSEC3 variants (salted, unsalted with Opt-Out,
# and one over the RFC 9276 iteration limit). Keys are made fresh, so signatures change on every run; the
# tests only rely on the names and data below and on the fixed validity period 2026-01-01 .. 2036-01-01.
#
# Output per zone NAME in this folder: NAME.signed (the signed zone) and NAME.ds (DS records, SHA-256 and
# for the NSEC zones also SHA-1 and SHA-384). Run from anywhere: sh Tests/DNSSECTests/Fixtures/make-fixtures.sh
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
INCEPTION=20260101000000
EXPIRATION=20360101000000

# unsigned_zone ORIGIN: the common content; names chosen to exercise wildcards, an empty non-terminal,
# an unsigned and a signed delegation, and a CNAME.
unsigned_zone() {
    cat <<ZONE
\$ORIGIN $1
\$TTL 3600
@            IN SOA   ns1 hostmaster 2026010101 7200 3600 1209600 300
@            IN NS    ns1
ns1          IN A     192.0.2.1
www          IN A     192.0.2.10
www          IN A     192.0.2.11
www          IN AAAA  2001:db8::10
Mixed        IN TXT   "case is kept in the owner, folded in the signed data"
mail         IN MX    10 www
alias        IN CNAME www
*.wild       IN A     192.0.2.99
*.wild       IN TXT   "wildcard"
host.ent     IN A     192.0.2.20
insecure     IN NS    ns.insecure
ns.insecure  IN A     192.0.2.30
secure       IN NS    ns.secure
secure       IN DS    12345 13 2 0000000000000000000000000000000000000000000000000000000000000000
ns.secure    IN A     192.0.2.31
ZONE
}

# sign NAME ORIGIN ALGORITHM [ldns-signzone NSEC3 options...]
sign() {
    name=$1 origin=$2 algorithm=$3
    shift 3
    cd "$WORK"
    unsigned_zone "$origin" > "$name.zone"
    ksk=$(ldns-keygen -a "$algorithm" -k -b 2048 "$origin" 2>/dev/null || ldns-keygen -a "$algorithm" -k "$origin")
    zsk=$(ldns-keygen -a "$algorithm" -b 2048 "$origin" 2>/dev/null || ldns-keygen -a "$algorithm" "$origin")
    ldns-signzone -i "$INCEPTION" -e "$EXPIRATION" -o "$origin" -f "$HERE/$name.signed" "$@" "$name.zone" "$zsk" "$ksk"
    ldns-key2ds -n -2 "$ksk.key" > "$HERE/$name.ds"
    case "$algorithm" in
        ECDSAP384SHA384) ldns-key2ds -n -4 "$ksk.key" >> "$HERE/$name.ds" ;;
        *) ldns-key2ds -n -1 "$ksk.key" >> "$HERE/$name.ds" ;;
    esac
    rm -f K*
}

sign alg5  alg5.example.  RSASHA1
sign alg7  alg7.example.  RSASHA1-NSEC3-SHA1
sign alg8  alg8.example.  RSASHA256
sign alg10 alg10.example. RSASHA512
sign alg13 alg13.example. ECDSAP256SHA256
sign alg14 alg14.example. ECDSAP384SHA384
sign alg15 alg15.example. ED25519
sign alg16 alg16.example. ED448
sign nsec3        nsec3.example.        ECDSAP256SHA256 -n -s aabbccdd -t 10
sign nsec3-optout nsec3-optout.example. ECDSAP256SHA256 -n -s "" -t 0 -p
sign nsec3-iter   nsec3-iter.example.   ECDSAP256SHA256 -n -s 00 -t 100
echo "fixtures written to $HERE"
