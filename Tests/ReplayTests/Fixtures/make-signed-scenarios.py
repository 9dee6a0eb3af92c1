#!/usr/bin/env python3
"""Fills the DNSSEC replay scenario templates with zones signed by make-signed-scenarios.sh.

Usage: make-signed-scenarios.py WORKDIR SCENARIODIR. WORKDIR holds NAME.signed (ldns-signzone output, one
record per line), NAME.ds and NAME.ksk. Each scripted server answers like a minimal authoritative server:
exact answers with their RRSIGs, referrals with DS or the NSEC/NSEC3 proving there is none, and denials
with the NSEC/NSEC3 records a validator needs (RFC 4035 §3.1.3, RFC 5155 §7.2).
"""

import base64
import hashlib
import os
import random
import re
import struct
import sys

WORK, OUT = sys.argv[1], sys.argv[2]
rng = random.Random(5011)


def fold(name):
    return name.lower()


def labels(name):
    return [] if name == "." else name.rstrip(".").split(".")


def canonical_key(name):
    return [l.lower().encode() for l in reversed(labels(name))]


def parent(name):
    parts = labels(name)
    return "." if len(parts) <= 1 else ".".join(parts[1:]) + "."


def below(name, zone):
    return zone == "." or fold(name) == fold(zone) or fold(name).endswith("." + fold(zone))


class Zone:
    def __init__(self, name, origin, address, signed=True):
        self.origin, self.address = origin, address
        self.rrsets, self.sigs, self.order = {}, {}, []
        with open(os.path.join(WORK, name + ".signed")) as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith(";") or line.startswith("$"):
                    continue
                parts = line.split()
                owner, rtype = parts[0], parts[3]
                if rtype == "RRSIG":
                    self.sigs.setdefault((fold(owner), parts[4]), []).append(line)
                else:
                    key = (fold(owner), rtype)
                    if key not in self.rrsets:
                        self.order.append(key)
                    self.rrsets.setdefault(key, []).append(line)
        self.cuts = [o for (o, t) in self.rrsets if t == "NS" and o != fold(origin)]
        nsec3 = [k for k in self.rrsets if k[1] == "NSEC3"]
        self.nsec3 = None
        if nsec3:
            first = self.rrsets[nsec3[0]][0].split()
            self.nsec3 = (int(first[6]), first[7])  # iterations, salt

    def rrset(self, owner, rtype, signed=True, rename=None):
        lines = list(self.rrsets.get((fold(owner), rtype), []))
        if signed:
            lines += self.sigs.get((fold(owner), rtype), [])
        if rename:
            lines = [rename + line[len(line.split()[0]):] for line in lines]
        return lines

    def glue(self, name):
        return any(below(name, cut) and fold(name) != cut for cut in self.cuts)

    # Denial records -----------------------------------------------------------------------------------

    def nsec_for(self, name):
        """The NSEC matching or covering `name`."""
        nsecs = sorted((k for k in self.rrsets if k[1] == "NSEC"), key=lambda k: canonical_key(k[0]))
        key = canonical_key(name)
        best = nsecs[-1]
        for k in nsecs:
            if canonical_key(k[0]) <= key:
                best = k
        return best[0]

    def nsec3_hash(self, name):
        iterations, salt = self.nsec3
        salt = b"" if salt == "-" else bytes.fromhex(salt)
        wire = b"".join(bytes([len(l)]) + l.lower().encode() for l in labels(name)) + b"\0"
        digest = hashlib.sha1(wire + salt).digest()
        for _ in range(iterations):
            digest = hashlib.sha1(digest + salt).digest()
        return base64.b32encode(digest).decode().translate(
            str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHIJKLMNOPQRSTUV")).lower()

    def nsec3_for(self, name):
        """The NSEC3 matching or covering the hash of `name`."""
        hashed = self.nsec3_hash(name)
        owners = sorted((k[0] for k in self.rrsets if k[1] == "NSEC3"), key=lambda o: o.split(".")[0])
        best = owners[-1]
        for owner in owners:
            if owner.split(".")[0] <= hashed:
                best = owner
        return best

    def proofs(self, name):
        """NSEC/NSEC3 records for `name`, every ancestor up to the apex and their wildcards: a superset of the
        closest encloser, next closer and wildcard proofs (RFC 4035 §3.1.3, RFC 5155 §7.2.1-7.2.6)."""
        names, current = [], name
        while True:
            names += [current, "*." + current if current != "." else "*."]
            if fold(current) == fold(self.origin):
                break
            current = parent(current)
        owners = []
        for n in names:
            owner = self.nsec3_for(n) if self.nsec3 else self.nsec_for(n)
            if owner not in owners:
                owners.append(owner)
        rtype = "NSEC3" if self.nsec3 else "NSEC"
        return [line for o in owners for line in self.rrset(o, rtype)]


def entry(qname, qtype, answer=(), authority=(), additional=(), rcode="NOERROR", aa=True, match=None, label=""):
    out = ["ENTRY_BEGIN" + (" " + label if label else "")]
    out.append("MATCH " + (match or "opcode qname qtype"))
    out.append("REPLY QR " + ("AA " if aa else "") + rcode)
    out += ["SECTION QUESTION", "%s IN %s" % (qname, qtype)]
    for title, lines in (("ANSWER", answer), ("AUTHORITY", authority), ("ADDITIONAL", additional)):
        if lines:
            out.append("SECTION " + title)
            out += list(lines)
    out.append("ENTRY_END")
    return "\n".join(out)


def server(zone, children=(), extra=(), strip=False, keys=None, address=None):
    """Entries of one authoritative server for `zone`: `extra` first (special answers), then every
    authoritative RRset, DS answers, then referrals to `children` (Zone objects or (name, unsigned))."""
    entries = list(extra)
    sign = not strip
    for (owner, rtype) in zone.order:
        if rtype in ("NSEC", "NSEC3") or zone.glue(owner) or (rtype == "NS" and owner in zone.cuts):
            continue
        if rtype == "DNSKEY" and keys is not None:
            entries.append(entry(owner, "DNSKEY", keys))
            continue
        if rtype == "CNAME":
            answer = zone.rrset(owner, "CNAME", sign)
            target = answer[0].split()[4]
            answer += zone.rrset(target, "A", sign)
            entries.append(entry(owner, "A", answer))
            continue
        answer = zone.rrset(owner, rtype, sign or rtype == "DNSKEY")
        entries.append(entry(owner, rtype, answer))
    # DS below the apex at a name that is no cut: NODATA with the NSEC/NSEC3 at the name (no NS), as a
    # validator looking for a cut hidden by a server that answers for its children finds it (RFC 4035 §4.3).
    for owner in dict.fromkeys(o for (o, t) in zone.order if t not in ("NSEC", "NSEC3")):
        if owner == fold(zone.origin) or owner in zone.cuts or zone.glue(owner) or owner.startswith("*"):
            continue
        if zone.nsec3:
            proof = zone.rrset(zone.nsec3_for(owner), "NSEC3", sign)
        else:
            proof = zone.rrset(owner, "NSEC", sign)
        entries.append(entry(owner, "DS", authority=zone.rrset(zone.origin, "SOA", sign) + proof))
    for cut in zone.cuts:
        ns = zone.rrset(cut, "NS", False)
        glue = [l for (o, t) in zone.order if t in ("A", "AAAA") and zone.glue(o) and below(o, cut)
                for l in zone.rrset(o, t, False)]
        ds = zone.rrset(cut, "DS")
        if ds:
            proof = ds
            entries.append(entry(cut, "DS", ds))
        elif zone.sigs:
            proof = zone.rrset(zone.nsec3_for(cut), "NSEC3") if zone.nsec3 else zone.rrset(cut, "NSEC")
            entries.append(entry(cut, "DS", authority=zone.rrset(zone.origin, "SOA") + proof))
        else:
            proof = []
            entries.append(entry(cut, "DS", authority=zone.rrset(zone.origin, "SOA")))
        entries.append(entry(cut, "A", authority=ns + proof, additional=glue, aa=False, match="opcode subdomain",
                             label="referral-" + cut.rstrip(".")))
    addresses = address or zone.address
    return "RANGE_BEGIN 0 1000\n\tADDRESS %s\n%s\nRANGE_END\n" % (addresses, "\n".join(entries))


def negative(zone, qname, qtype, nxdomain=True, proofs=None):
    authority = zone.rrset(zone.origin, "SOA") + (zone.proofs(qname) if proofs is None else proofs)
    return entry(qname, qtype, authority=authority, rcode="NXDOMAIN" if nxdomain else "NOERROR")


def wildcard(zone, qname, source, with_proof=True):
    answer = zone.rrset(source, "A", rename=qname)
    proof = wildcard_proof(zone, qname, source) if with_proof else []
    return entry(qname, "A", answer, authority=proof)


def wildcard_proof(zone, qname, source):
    """The denial a wildcard answer for `qname` synthesised from `source` carries: the NSEC covering `qname`
    (RFC 4035 §3.1.3.3) or the NSEC3 covering the next closer name (RFC 5155 §7.2.6)."""
    if not zone.nsec3:
        return zone.rrset(zone.nsec_for(qname), "NSEC")
    next_closer = ".".join(labels(qname)[-len(labels(source)):]) + "."
    return zone.rrset(zone.nsec3_for(next_closer), "NSEC3")


def dname_answer(zone, qname, qtype, owner):
    """A query at or below a DNAME's owner (RFC 6672 §3.2): the signed DNAME and the unsigned CNAME
    synthesised from it (§3.1), with the DNAME's TTL."""
    dname = zone.rrset(owner, "DNAME")
    fields = dname[0].split()
    target = qname[: len(qname) - len(owner)] + fields[4]
    cname = "%s\t%s\tIN\tCNAME\t%s" % (qname, fields[1], target)
    return entry(qname, qtype, dname + [cname])


def cname_to_wildcard(zone, owner, source):
    """A CNAME whose target a wildcard expands in the same zone: the CNAME, the expansion and its proof."""
    cname = zone.rrset(owner, "CNAME")
    target = cname[0].split()[4]
    answer = cname + zone.rrset(source, "A", rename=target)
    return entry(owner, "A", answer, authority=wildcard_proof(zone, target, source))


def keytrap_keys(zone):
    """The keytrap. DNSKEY RRset: the real KSK first, then 30 made-up P-256 keys with the KSK's key tag, then
    the ZSK; signed only by 12 junk RRSIGs claiming that tag (KeyTrap, CVE-2023-50387)."""
    lines = zone.rrset(zone.origin, "DNSKEY", signed=False)
    ksk = next(l for l in lines if l.split()[4] == "257")
    zsk = [l for l in lines if l is not ksk]
    flags, proto, alg = 257, 3, 13
    real = base64.b64decode("".join(ksk.split()[7:]))

    def tag(key):
        data = struct.pack("!HBB", flags, proto, alg) + key
        acc = sum((data[i] << 8) + (data[i + 1] if i + 1 < len(data) else 0) for i in range(0, len(data), 2))
        acc += (acc >> 16) & 0xFFFF
        return acc & 0xFFFF

    target = tag(real)
    fakes = []
    while len(fakes) < 30:
        body = bytes(rng.getrandbits(8) for _ in range(62))
        for word in range(65536):
            key = body + struct.pack("!H", word)
            if tag(key) == target:
                fakes.append("keytrap.\t3600\tIN\tDNSKEY\t257 3 13 " + base64.b64encode(key).decode())
                break
    junk = ["keytrap.\t3600\tIN\tRRSIG\tDNSKEY 13 1 3600 20360101000000 20260101000000 %d keytrap. %s"
            % (target, base64.b64encode(bytes(rng.getrandbits(8) for _ in range(64))).decode()) for _ in range(12)]
    return [ksk] + fakes + zsk + junk


def aggressive_servers(zones):
    """The servers of the RFC 8198 scenarios (val_aggressive_nsec*.rpl): aggr. (NSEC) with its unsigned child
    sub.aggr., aggr3. (NSEC3) and aggroo. (NSEC3 Opt-Out). Names are chosen by their place in the chains (the
    hashes depend on the salt only, not on the keys): b, d and e.aggr3. hash into one NSEC3 span, c, x.w and
    t.w.aggr3. into another; b and c.aggroo. share an Opt-Out span."""
    ag, ag3, oo, sub = zones["aggr"], zones["aggr3"], zones["aggroo"], zones["aggrsub"]

    denials = [(n, "A", True) for n in ("b", "c", "d", "e", "x.m")] + [("m", "AAAA", False), ("x.w", "TXT", False)]
    return [
        server(ag, extra=[negative(ag, q + ".aggr.", t, nxdomain=nx) for q, t, nx in denials]
               + [wildcard(ag, q + ".aggr.", "*.w.aggr.") for q in ("x.w", "t.w")]),
        server(sub, extra=[entry("nothere.sub.aggr.", "A", authority=sub.rrset("sub.aggr.", "SOA"),
                                 rcode="NXDOMAIN")]),
        server(ag3, extra=[negative(ag3, q + ".aggr3.", t, nxdomain=nx) for q, t, nx in denials]
               + [wildcard(ag3, q + ".aggr3.", "*.w.aggr3.") for q in ("x.w", "t.w")]),
        server(oo, extra=[negative(oo, q + ".aggroo.", "A") for q in ("b", "c")]),
    ]


def main():
    root = Zone("root", ".", "192.0.2.1")
    zones = {n: Zone(n, n + ".", a) for n, a in [
        ("example", "192.0.2.10"), ("nsec3", "192.0.2.30"), ("failed", "192.0.2.40"), ("expired", "192.0.2.50"),
        ("future", "192.0.2.60"), ("nosig", "192.0.2.70"), ("iter", "192.0.2.90"),
        ("unsupported", "192.0.2.100"), ("keytrap", "192.0.2.110"), ("malformed", "192.0.2.120"),
        ("gost", "192.0.2.130")]}
    zones["insecure"] = Zone("insecure", "insecure.", "192.0.2.20")
    zones["unsigned"] = Zone("unsigned", "unsigned.nsec3.", "192.0.2.31")
    for name, address in [("aggr", "192.0.2.200"), ("aggr3", "192.0.2.210"), ("aggroo", "192.0.2.220")]:
        zones[name] = Zone(name, name + ".", address)
    zones["aggrsub"] = Zone("aggrsub", "sub.aggr.", "192.0.2.205")
    ex, n3 = zones["example"], zones["nsec3"]
    with open(os.path.join(WORK, "root.ksk")) as f:
        root_key = f.read().split(None, 3)
    ds_anchor = open(os.path.join(WORK, "root.ds")).read().split()
    example_ds = open(os.path.join(WORK, "example.ds")).read().split()

    root_server = server(root, extra=[entry(".", "NS", root.rrset(".", "NS"), additional=root.rrset(
        "a.root-servers.net.", "A"), label="priming")])
    servers = {
        "root": root_server,
        "example": server(ex, extra=[
            wildcard(ex, "a.wild.example.", "*.wild.example."),
            wildcard(ex, "b.wild.example.", "*.wild.example.", with_proof=False),
            negative(ex, "nothere.example.", "A"),
            negative(ex, "zzz.example.", "A", proofs=ex.rrset("example.", "NSEC")),
            cname_to_wildcard(ex, "towild.example.", "*.wild.example."),
            dname_answer(ex, "www.dname.example.", "A", "dname.example."),
            dname_answer(ex, "www.dname.example.", "CNAME", "dname.example."),
        ], address="192.0.2.10\n\tADDRESS 192.0.2.11"),
        "nsec3": server(n3, extra=[
            negative(n3, "nothere.nsec3.", "A"),
            negative(n3, "badproof.nsec3.", "A", proofs=n3.rrset(n3.nsec3_for("nsec3."), "NSEC3")),
            wildcard(n3, "a.wild.nsec3.", "*.wild.nsec3."),
            wildcard(n3, "y.wild.nsec3.", "*.wild.nsec3."),
        ]),
        "iter": server(zones["iter"], extra=[negative(zones["iter"], "nothere.iter.", "A"),
                                             wildcard(zones["iter"], "a.wild.iter.", "*.wild.iter.")]),
        "nosig": server(zones["nosig"], strip=True),
        "keytrap": server(zones["keytrap"], keys=keytrap_keys(zones["keytrap"])),
    }
    for name in ("insecure", "unsigned", "failed", "expired", "future", "unsupported", "malformed", "gost"):
        servers[name] = server(zones[name])

    # The stripping server: example.'s data without RRSIGs (DNSKEY included) at 192.0.2.10, the good copy at .11.
    stripped = server(ex, strip=True, address="192.0.2.10").replace(
        entry("example.", "DNSKEY", ex.rrset("example.", "DNSKEY")),
        entry("example.", "DNSKEY", ex.rrset("example.", "DNSKEY", signed=False)))
    good = server(ex, address="192.0.2.11")

    values = {
        "ROOT_ANCHOR": "trust-anchor: . IN DS " + " ".join(ds_anchor[4:]),
        "ROOT_DNSKEY_ANCHOR": "trust-anchor: . IN DNSKEY " + root_key[3].split(";")[0].strip(),
        "EXAMPLE_ANCHOR": "trust-anchor: example. IN DS " + " ".join(example_ds[4:]),
        "STRIP_SERVERS": servers["root"] + stripped + good,
    }
    # RFC 8509 key sentinel labels: the root KSK's key tag and the next one, five digits (val_key_sentinel.rpl).
    values["ROOT_KSK_TAG"] = "%05d" % int(ds_anchor[4])
    values["OTHER_KSK_TAG"] = "%05d" % ((int(ds_anchor[4]) + 1) % 65536)
    for name, text in servers.items():
        values["SERVER_" + name.upper()] = text
    values["ALL_SERVERS"] = "\n".join(servers.values())
    values["AGGR_SERVERS"] = "\n".join([servers["root"]] + aggressive_servers(zones))
    everything = [root] + list(zones.values())

    # optout.: NSEC3 with Opt-Out; the denials carry exactly the records RFC 5155 §7.2 asks for (issue 15, item 3).
    oo = Zone("optout", "optout.", "192.0.2.140")

    def nsec3_proof(zone, *names):
        owners = []
        for name in names:
            if zone.nsec3_for(name) not in owners:
                owners.append(zone.nsec3_for(name))
        return [line for owner in owners for line in zone.rrset(owner, "NSEC3")]

    optout_proofs = {
        "ENT": nsec3_proof(oo, "optout.", "ent.optout."),
        "WILD": nsec3_proof(oo, "wild.optout.", "nothere.wild.optout.", "*.wild.optout."),
        "NXDOMAIN": nsec3_proof(oo, "optout.", "nothere.optout.", "*.optout."),
        "WWW": nsec3_proof(oo, "www.optout."),
    }
    values["SERVER_OPTOUT"] = server(oo, extra=[
        negative(oo, "ent.optout.", "A", nxdomain=False, proofs=optout_proofs["ENT"]),
        negative(oo, "nothere.wild.optout.", "AAAA", nxdomain=False, proofs=optout_proofs["WILD"]),
        negative(oo, "nothere.optout.", "A", proofs=optout_proofs["NXDOMAIN"]),
        negative(oo, "www.optout.", "AAAA", nxdomain=False, proofs=optout_proofs["WWW"]),
        # The child deleg.ent.optout. served by optout.'s own server, without a referral (item 8).
        entry("www.deleg.ent.optout.", "A", ["www.deleg.ent.optout.\t3600\tIN\tA\t192.0.2.142"]),
        negative(oo, "ent.optout.", "DS", nxdomain=False, proofs=optout_proofs["ENT"]),
    ])
    for name, lines in optout_proofs.items():
        values["OPTOUT_%s_PROOF" % name] = "\n".join(lines)

    # same.: one server answers for same. and its children, without a referral (issue 15, item 8).
    same = Zone("same", "same.", "192.0.2.150")
    same_unsigned = Zone("unsigned.same", "unsigned.same.", "192.0.2.150")
    same_signed = Zone("signed.same", "signed.same.", "192.0.2.150")
    values["SERVER_SAME"] = server(same_unsigned, extra=[
        negative(same_unsigned, "www.unsigned.same.", "AAAA", nxdomain=False, proofs=[]),
    ]) + server(same_signed, extra=[
        entry("nosig.signed.same.", "A", same_signed.rrset("nosig.signed.same.", "A", signed=False)),
    ]) + server(same, extra=[
        entry("stripped.same.", "A", same.rrset("stripped.same.", "A", signed=False)),
    ])
    everything += [oo, same, same_unsigned, same_signed]

    def records(match):
        owner, rtype = match.group(1), match.group(2)
        zone = max((z for z in everything if below(owner, z.origin)), key=lambda z: len(labels(z.origin)))
        return "\n".join(zone.rrset(owner, rtype))

    def zone_of(owner):
        return max((z for z in everything if below(owner, z.origin)), key=lambda z: len(labels(z.origin)))

    def wildcard_proofs(match):
        return "\n".join(wildcard_proof(zone_of(match.group(1)), match.group(1), match.group(2)))

    def expanded(match):
        return "\n".join(zone_of(match.group(1)).rrset(match.group(2), "A", rename=match.group(1)))

    def denial(match):
        zone = zone_of(match.group(1))
        return "\n".join(zone.rrset(zone.origin, "SOA") + zone.proofs(match.group(1)))

    templates = os.path.join(os.path.dirname(os.path.abspath(__file__)), "signed-templates")
    for file in sorted(os.listdir(templates)):
        text = open(os.path.join(templates, file)).read()
        for key, value in values.items():
            text = text.replace("{{%s}}" % key, value)
        text = re.sub(r"\{\{RRSET (\S+) (\S+)\}\}", records, text)
        text = re.sub(r"\{\{WILDCARD_PROOF (\S+) (\S+)\}\}", wildcard_proofs, text)
        text = re.sub(r"\{\{DENIAL (\S+)\}\}", denial, text)
        text = re.sub(r"\{\{EXPANDED (\S+) (\S+)\}\}", expanded, text)
        header = "; GENERATED by Tests/ReplayTests/Fixtures/make-signed-scenarios.sh from signed-templates/%s;\n" \
                 "; edit the template and run the script again.\n" % file
        with open(os.path.join(OUT, file), "w") as out:
            out.write(header + text)


main()
