#!/bin/sh
# Regenerates the DNSSEC replay scenarios (Tests/ReplayTests/Scenarios/val_*.rpl) from zones signed by a real
# signer from Debian (ldnsutils: ldns-keygen, ldns-signzone, ldns-key2ds). Keys are made fresh on every run, so
# the signatures and the trust anchors written into the scenarios change; the scenarios rely only on names,
# data and the validity periods below. The scenario steps (what is asked and what is expected) are templates
# in make-signed-scenarios.py next to this file; this script signs the zones and fills the templates.
#
# Hierarchy (ECDSA P-256 keys, validity 2026-01-01 .. 2036-01-01 unless said otherwise):
#   .            signed, NSEC; DS for every signed child; NSEC proves the unsigned delegations
#   example.     signed, NSEC: www, a wildcard, CNAMEs into insecure. and failed.
#                (later: CNAMEs to wildcard names in example. and nsec3., a DNAME dname.example. -> nsec3.)
#   insecure.    unsigned (no DS at the root)
#   nsec3.       signed, NSEC3 (salt aabb, 0 extra iterations), with the unsigned delegation unsigned.nsec3.
#                (later: a wildcard *.wild.nsec3.)
#   failed.      signed, but the root's DS names a key the zone does not publish (dnssec-failed.org's case)
#   expired.     signed 2025-01-01 .. 2026-01-01 (expired at the scenarios' START_TIME 2026-06-01)
#   future.      signed 2030-01-01 .. 2036-01-01 (not yet valid)
#   nosig.       signed, served without RRSIGs on its data
#   iter.        signed, NSEC3 with 100 iterations (over RFC 9276's limit of 50)
#                (later: a wildcard *.wild.iter.)
#   unsupported. signed, but the root's DS uses algorithm 253 (private, unsupported)
#   keytrap.     signed, with a DNSKEY RRset stuffed with keys sharing the KSK's key tag and junk RRSIGs
#   malformed.   signed, but the root's DS for its KSK carries the SHA-256 digest under digest type 1 (SHA-1)
#   gost.        signed, but the root's DS for its KSK uses digest type 3 (GOST, not implemented)
#   optout.      signed, NSEC3 with Opt-Out (salt cafe, 0 extra iterations); the unsigned delegation
#                deleg.ent.optout. is added after signing, so it and the empty non-terminal ent.optout. have
#                no NSEC3 and fall in an Opt-Out span (RFC 5155 §6, §7.1)
#   same.        signed, NSEC, served by one server together with its children unsigned.same. (no DS) and
#                signed.same. (signed, DS): the server answers for the children without a referral
#   aggr.        signed, NSEC, for RFC 8198: a, m (A, TXT), a wildcard *.w, z, the unsigned delegation sub.aggr.
#   aggr3.       the same names signed with NSEC3 (salt cafe, 0 extra iterations), no delegation
#   aggroo.      signed, NSEC3 with Opt-Out on every span (salt cafe, 0 extra iterations), unsigned delegation ins.
#
# Run from anywhere: sh Tests/ReplayTests/Fixtures/make-signed-scenarios.sh
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# keys ORIGIN: makes a KSK and a ZSK (ECDSA P-256) for ORIGIN; prints "KSK ZSK" base names.
keys() {
    ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "$1")
    zsk=$(ldns-keygen -a ECDSAP256SHA256 "$1")
    echo "$ksk $zsk"
}

# sign NAME ORIGIN INCEPTION EXPIRATION [ldns-signzone options]: signs $NAME.zone into $NAME.signed and writes
# the KSK's SHA-256 DS to $NAME.ds.
sign() {
    name=$1 origin=$2 inception=$3 expiration=$4
    shift 4
    set -- $(keys "$origin") "$@"
    ksk=$1 zsk=$2
    shift 2
    ldns-signzone -i "$inception" -e "$expiration" -o "$origin" -f "$name.signed" "$@" "$name.zone" "$zsk" "$ksk"
    ldns-key2ds -n -2 "$ksk.key" > "$name.ds"
    cp "$ksk.key" "$name.ksk"
}

VALID="20260101000000 20360101000000"

zone() { # zone ORIGIN NSHOST ADDRESS [extra lines on stdin]
    printf '$ORIGIN %s\n$TTL 3600\n@ IN SOA %s hostmaster.%s 1 7200 3600 1209600 300\n@ IN NS %s\n%s IN A %s\n' \
        "$1" "$2" "$2" "$2" "$2" "$3"
    cat
}

zone example. ns.example. 192.0.2.10 > example.zone <<'EOF'
@ IN NS ns2.example.
ns2 IN A 192.0.2.11
www IN A 192.0.2.80
*.wild IN A 192.0.2.99
chain IN CNAME chain.insecure.
tobogus IN CNAME www.failed.
towild IN CNAME x.wild.example.
tonsec3wild IN CNAME y.wild.nsec3.
dname IN DNAME nsec3.
EOF
sign example example. $VALID

zone nsec3. ns.nsec3. 192.0.2.30 > nsec3.zone <<'EOF'
www IN A 192.0.2.81
unsigned IN NS ns.unsigned
ns.unsigned IN A 192.0.2.31
*.wild IN A 192.0.2.98
EOF
sign nsec3 nsec3. $VALID -n -s aabb -t 0

for z in failed:40 nosig:70 unsupported:100 keytrap:110 malformed:120 gost:130; do
    n=${z%%:*}
    zone "$n." "ns.$n." "192.0.2.${z##*:}" > "$n.zone" <<'EOF'
www IN A 192.0.2.82
EOF
done
sign failed failed. $VALID
sign nosig nosig. $VALID
sign unsupported unsupported. $VALID
zone expired. ns.expired. 192.0.2.50 > expired.zone <<'EOF'
www IN A 192.0.2.83
EOF
sign expired expired. 20250101000000 20260101000000
zone future. ns.future. 192.0.2.60 > future.zone <<'EOF'
www IN A 192.0.2.84
EOF
sign future future. 20300101000000 20360101000000
zone iter. ns.iter. 192.0.2.90 > iter.zone <<'EOF'
www IN A 192.0.2.85
*.wild IN A 192.0.2.97
EOF
sign iter iter. $VALID -n -s 00 -t 100
sign keytrap keytrap. $VALID
sign malformed malformed. $VALID
sign gost gost. $VALID

# RFC 8198 (aggressive use of NSEC/NSEC3): aggr. (NSEC), aggr3. (NSEC3), aggroo. (NSEC3 Opt-Out), sub.aggr.
for z in aggr:200 aggr3:210; do
    zone "${z%%:*}." "ns.${z%%:*}." "192.0.2.${z##*:}" > "${z%%:*}.zone" <<'EOF'
a IN A 192.0.2.201
m IN A 192.0.2.202
m IN TXT "m"
*.w IN A 192.0.2.203
z IN A 192.0.2.204
EOF
done
printf 'sub IN NS ns.sub.aggr.\nns.sub IN A 192.0.2.205\n' >> aggr.zone
sign aggr aggr. $VALID
sign aggr3 aggr3. $VALID -n -s cafe -t 0
zone aggroo. ns.aggroo. 192.0.2.220 > aggroo.zone <<'EOF'
www IN A 192.0.2.221
ins IN NS ns.ins.aggroo.
ns.ins IN A 192.0.2.222
EOF
sign aggroo aggroo. $VALID -n -p -s cafe -t 0
zone sub.aggr. ns.sub.aggr. 192.0.2.205 > aggrsub.zone <<'EOF'
www IN A 192.0.2.206
EOF
ldns-read-zone aggrsub.zone > aggrsub.signed

# The DS the root publishes for failed.: a key failed. never publishes.
other=$(ldns-keygen -a ECDSAP256SHA256 -k failed.)
ldns-key2ds -n -2 "$other.key" > failed.ds

# optout.: NSEC3 with Opt-Out. ldns-signzone -p only sets the flag, so the unsigned delegation is added to the
# signed zone afterwards, as an Opt-Out signer leaves it: without an NSEC3 of its own or of its empty non-terminal.
zone optout. ns.optout. 192.0.2.140 > optout.zone <<'EOF'
www IN A 192.0.2.88
*.wild IN A 192.0.2.98
EOF
sign optout optout. $VALID -n -p -s cafe -t 0
printf 'deleg.ent.optout.\t3600\tIN\tNS\tns.deleg.ent.optout.\nns.deleg.ent.optout.\t3600\tIN\tA\t192.0.2.141\n' \
    >> optout.signed

# same.: one server (192.0.2.150) for same., its unsigned child unsigned.same. and its signed child signed.same.
zone signed.same. ns.same. 192.0.2.150 < /dev/null | grep -v '^ns.same. ' > signed.same.zone
printf 'www IN A 192.0.2.153\nnosig IN A 192.0.2.155\n' >> signed.same.zone
sign signed.same signed.same. $VALID
zone same. ns.same. 192.0.2.150 > same.zone <<'EOF'
stripped IN A 192.0.2.154
unsigned IN NS ns.same.
signed IN NS ns.same.
EOF
cat signed.same.ds >> same.zone
sign same same. $VALID
zone unsigned.same. ns.same. 192.0.2.150 < /dev/null | grep -v '^ns.same. ' > unsigned.same.zone
printf 'www IN A 192.0.2.151\nmail IN A 192.0.2.152\n' >> unsigned.same.zone
ldns-read-zone unsigned.same.zone > unsigned.same.signed

# The root: delegations with glue, DS for the signed children, none for insecure.
{
    zone . a.root-servers.net. 192.0.2.1 < /dev/null
    printf 'insecure. IN NS ns.insecure.\nns.insecure. IN A 192.0.2.20\n'
    for z in example:10 nsec3:30 failed:40 expired:50 future:60 nosig:70 iter:90 unsupported:100 keytrap:110 \
        malformed:120 gost:130; do
        n=${z%%:*}
        printf '%s. IN NS ns.%s.\nns.%s. IN A 192.0.2.%s\n' "$n" "$n" "$n" "${z##*:}"
        if [ "$n" = unsupported ]; then
            printf 'unsupported. IN DS 4711 253 2 %s\n' \
                "0000000000000000000000000000000000000000000000000000000000000000"
        elif [ "$n" = malformed ]; then
            awk '{ $7 = 1; print }' malformed.ds
        elif [ "$n" = gost ]; then
            awk '{ $7 = 3; print }' gost.ds
        else
            cat "$n.ds"
        fi
    done
    printf 'example. IN NS ns2.example.\nns2.example. IN A 192.0.2.11\n'
    printf 'optout. IN NS ns.optout.\nns.optout. IN A 192.0.2.140\n'
    cat optout.ds
    printf 'same. IN NS ns.same.\nns.same. IN A 192.0.2.150\n'
    cat same.ds
    for z in aggr:200 aggr3:210 aggroo:220; do
        printf '%s. IN NS ns.%s.\nns.%s. IN A 192.0.2.%s\n' "${z%%:*}" "${z%%:*}" "${z%%:*}" "${z##*:}"
        cat "${z%%:*}.ds"
    done
} > root.zone
sign root . $VALID

zone insecure. ns.insecure. 192.0.2.20 > insecure.zone <<'EOF'
www IN A 192.0.2.86
chain IN CNAME www.nsec3.
EOF
zone unsigned.nsec3. ns.unsigned.nsec3. 192.0.2.31 > unsigned.zone <<'EOF'
www IN A 192.0.2.87
EOF
ldns-read-zone insecure.zone > insecure.signed
ldns-read-zone unsigned.zone > unsigned.signed

# RFC 8509 key sentinel names (val_key_sentinel.rpl): A records in example. at root-key-sentinel-is-ta-TAG and
# -not-ta-TAG for the root KSK's key tag, known only now that the root is signed, and for the next tag; example.
# is signed again with the keys it already has, so the root's DS for it still holds.
roottag=$(awk '{ print $5 }' root.ds)
for kind in is not; do
    for tag in "$roottag" $(((roottag + 1) % 65536)); do
        printf 'root-key-sentinel-%s-ta-%05d IN A 192.0.2.88\n' "$kind" "$tag" >> example.zone
    done
done
ldns-signzone -i "${VALID% *}" -e "${VALID#* }" -o example. -f example.signed example.zone \
    $(ls Kexample.+*.key | sed 's/\.key$//')

python3 "$HERE/make-signed-scenarios.py" "$WORK" "$HERE/../Scenarios"
echo "scenarios written to $HERE/../Scenarios"
