# Mamori: the two set-up commands for a fresh Debian 12 machine (as root) are `make run` and
# `make test`. Each installs what is missing first, quietly when everything is there.

SWIFT ?= swift
# Debian packages the build and the tests need: OpenSSL and libsystemd headers, the lab's
# authoritative servers and signer, Unbound for side-by-side runs, dig/kdig, and libfaketime (a
# daemon test runs mamorid under it), libfstrm and fstrm_capture for dnstap, and promtool (prometheus)
# to check the metrics exposition.
APT_PACKAGES := libssl-dev libsystemd-dev pkg-config nsd knot knot-dnsutils ldnsutils bind9-dnsutils \
	bind9-utils unbound dnsperf libfaketime openssl libnghttp2-dev curl \
	libfstrm-dev fstrm-bin prometheus

.PHONY: deps build test lint unit e2e demo fuzz run clean release man install install-files uninstall \
	version-check deb-deps deb package-test

## apt-install-missing: install those of the Debian packages in $(1) that are missing (apt-get update
## first, only when needed). nsd, knot and unbound are installed for the lab, not as services: a
## policy-rc.d that refuses starts keeps their packages from starting system daemons on port 53 (which
## would take the port `make run` needs), and is removed again unless it was there before.
define apt-install-missing
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		created=""; \
		if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created=yes; \
		fi; \
		status=0; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$$missing >/dev/null || status=$$?; \
		if [ -n "$$created" ]; then rm -f /usr/sbin/policy-rc.d; fi; \
		exit $$status; \
	fi
endef

## deps: the packages the build and the tests need.
deps:
	$(call apt-install-missing,$(APT_PACKAGES))

build: deps
	$(SWIFT) build

## lint: the formatting rules in .swift-format, strictly.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests

## unit: every Swift test target.
unit: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## e2e: the lab (real nsd servers on 127.10.0.0/16) and a real mamorid, every case of lab/cases.tsv,
## then lab/state-checks (restarts and reloads under changed anchors, hints, NTAs and clocks).
e2e: deps
	$(SWIFT) build --product mamorid
	$(SWIFT) build --product mamorictl
	lab/e2e .build/debug/mamorid
	lab/scale-out .build/debug/mamorid

## demo: the lab and mamorid, three dig answers (secure, bogus, insecure), then everything stops.
demo: deps
	$(SWIFT) build --product mamorid
	lab/demo .build/debug/mamorid

## test: what CI runs: install, build, lint, every Swift test, then the lab end to end.
test: deps lint unit e2e

## fuzz: build every libFuzzer target (Tests/Fuzz/build.sh: codec, upstream responses, configuration,
## control protocol) and run each for FUZZ_SECONDS seconds at nice 19 (Tests/Fuzz/run.sh); FUZZ_TARGETS picks
## some. New inputs go to .build-fuzz/corpus-TARGET, crashes to .build-fuzz/artifacts-TARGET; the seeds stay
## in Tests/Fuzz/corpus*. Unattended: a failing target does not stop the others, and the exit status tells.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= dnswire response configuration control
fuzz:
	Tests/Fuzz/build.sh $(FUZZ_TARGETS)
	Tests/Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## run: build mamorid in release mode and run it in the foreground (Ctrl-C stops it). With no
## /etc/mamori/mamori.yaml it uses the built-in defaults: 127.0.0.1 and ::1 port 53, loopback clients.
## Try it with `dig @127.0.0.1 example.com`. MAMORID_ARGS passes options, e.g. "--config etc/mamori.yaml".
## mamorictl is built too, and /run/mamori made for the default control socket: in another terminal,
## `.build/release/mamorictl status` or `.build/release/mamorictl lookup example.com`.
MAMORID_ARGS ?=
run: deps
	$(SWIFT) build -c release --product mamorid
	$(SWIFT) build -c release --product mamorictl
	mkdir -p /run/mamori 2>/dev/null || true
	exec .build/release/mamorid $(MAMORID_ARGS)

clean:
	rm -rf .build

# --- Release build, man pages, installation, Debian package (Docs/packaging.md) ---------------------

# Where the release build goes: not .build, so packaging leaves the debug build alone.
SCRATCH ?= .build-static
RELEASE := $(SCRATCH)/release
MANOUT ?= $(SCRATCH)/man
PREFIX ?= /usr/local
# /etc whatever the prefix: mamorid reads /etc/mamori/mamori.yaml by default.
SYSCONFDIR ?= /etc
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/mamori
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
# The operator's documentation (the lab, replay and performance notes are for developers).
OPERATOR_DOCS := Docs/configuration.md Docs/control.md Docs/dnssec.md Docs/trust-anchors.md \
	Docs/resolution.md Docs/why-servfail.md Docs/encrypted-dns.md Docs/local-network.md \
	Docs/blocklists.md Docs/logging.md Docs/metrics.md Docs/dnstap.md Docs/packaging.md
UNITS := mamori.service mamori.socket mamori-dot.socket mamori-doh.socket
# The release version, written once (MamoriVersion.swift).
VERSION := $(shell sed -n 's/.*static let version = "\(.*\)"/\1/p' Sources/MamoriControl/MamoriVersion.swift)
# The date printed in the man pages: the release's (dpkg-buildpackage sets SOURCE_DATE_EPOCH from
# debian/changelog), so a rebuild gives the same pages.
MANDATE = $$(date -u -d @$${SOURCE_DATE_EPOCH:-$$(date +%s)} +%Y-%m-%d)

## release: mamorid and mamorictl with the Swift runtime linked in (no toolchain needed to run them).
## -z now: every symbol bound at start, so the whole relocation table can be made read-only (full
## RELRO, which Debian's hardening flags give C programs).
RELEASE_FLAGS := -c release --static-swift-stdlib --scratch-path $(SCRATCH) -Xlinker -z -Xlinker now
release:
	$(SWIFT) build $(RELEASE_FLAGS) --product mamorid
	$(SWIFT) build $(RELEASE_FLAGS) --product mamorictl

## man: mamorid(8) and mamorictl(8) from the argument parser's own description of each tool
## (swift-argument-parser's generate-manual, built from the checkout the build resolved), and
## mamori.yaml(5) from Docs/configuration.md by pandoc: nothing written by hand that could drift.
## `.ad l` (ragged right) because the reference's tables have narrow columns that justify badly.
man: release
	$(SWIFT) build -c release --package-path $(SCRATCH)/checkouts/swift-argument-parser \
		--scratch-path $(SCRATCH)/argument-parser --product generate-manual
	mkdir -p $(MANOUT)
	for tool in mamorid mamorictl; do \
		$(SCRATCH)/argument-parser/release/generate-manual $(RELEASE)/$$tool --section 8 \
			--date $(MANDATE) --output-directory $(MANOUT) || exit 1; \
	done
	{ printf '# NAME\n\nmamori.yaml - configuration file of the Mamori DNS resolver\n\n# DESCRIPTION\n\n'; \
	  sed '1d; s/^## /# /; s/^### /## /' Docs/configuration.md; \
	  printf '\n# SEE ALSO\n\nmamorid(8), mamorictl(8)\n'; } \
		| pandoc -s -f gfm -t man -M title=MAMORI.YAML -M section=5 -M header="File Formats" \
			-M footer="Mamori $(VERSION)" -M date="$(MANDATE)" \
		| sed '/^\.TH /a .ad l' > $(MANOUT)/mamori.yaml.5

## install: build, then install under PREFIX (and DESTDIR). The configuration file is installed only
## when none is there; the mamori user and its directories are made when installing to this system.
install: release man install-files
	@if [ -z "$(DESTDIR)" ]; then \
		systemd-sysusers $(SYSUSERSDIR)/mamori.conf && systemd-tmpfiles --create $(TMPFILESDIR)/mamori.conf \
		&& systemctl daemon-reload 2>/dev/null; \
		echo "installed; start with: systemctl enable --now mamori.socket mamori.service"; \
	fi

## install-files: the copying part of install, from a finished build (debian/rules calls it).
## The units name the binaries and documents where this installation puts them.
install-files:
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/mamori \
		$(DESTDIR)$(DATADIR)/mamori $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)
	install -m 0755 $(RELEASE)/mamorid $(DESTDIR)$(SBINDIR)/mamorid
	install -m 0755 $(RELEASE)/mamorictl $(DESTDIR)$(BINDIR)/mamorictl
	[ -e $(DESTDIR)$(SYSCONFDIR)/mamori/mamori.yaml ] || \
		install -m 0644 etc/mamori.yaml $(DESTDIR)$(SYSCONFDIR)/mamori/mamori.yaml
	install -m 0644 etc/root.hints etc/root.keys $(DESTDIR)$(DATADIR)/mamori/
	for unit in $(UNITS); do \
		sed -e 's|/usr/sbin/mamorid|$(SBINDIR)/mamorid|g' -e 's|/usr/share/doc/mamori|$(DOCDIR)|g' \
			-e 's|/etc/mamori|$(SYSCONFDIR)/mamori|g' systemd/$$unit > $(DESTDIR)$(UNITDIR)/$$unit || exit 1; \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$unit; \
	done
	install -m 0644 systemd/sysusers.d/mamori.conf $(DESTDIR)$(SYSUSERSDIR)/mamori.conf
	install -m 0644 systemd/tmpfiles.d/mamori.conf $(DESTDIR)$(TMPFILESDIR)/mamori.conf
	install -m 0644 $(MANOUT)/mamorid.8 $(MANOUT)/mamorictl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(MANOUT)/mamori.yaml.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(OPERATOR_DOCS) $(DESTDIR)$(DOCDIR)/

## uninstall: remove what install-files put there, except the configuration file and the state
## in /var/lib/mamori (an operator's data), which are named instead.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mamorid $(DESTDIR)$(BINDIR)/mamorictl \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS)) $(DESTDIR)$(SYSUSERSDIR)/mamori.conf \
		$(DESTDIR)$(TMPFILESDIR)/mamori.conf $(DESTDIR)$(MANDIR)/man8/mamorid.8 \
		$(DESTDIR)$(MANDIR)/man8/mamorictl.8 $(DESTDIR)$(MANDIR)/man5/mamori.yaml.5
	rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR)/mamori
	@echo "kept: $(DESTDIR)$(SYSCONFDIR)/mamori/mamori.yaml, /var/lib/mamori and the mamori user"

## version-check: the version is written once, in MamoriVersion.swift; debian/changelog (without
## its Debian revision) and the newest release in CHANGELOG.md must say the same.
version-check:
	@swift=$(VERSION); \
	deb=$$(dpkg-parsechangelog -S Version | sed 's/-[^-]*$$//'); \
	log=$$(sed -n 's/^## \[\([0-9][^]]*\)\].*/\1/p' CHANGELOG.md | head -n 1); \
	if [ "$$swift" != "$$deb" ] || [ "$$swift" != "$$log" ]; then \
		echo "version mismatch: MamoriVersion.swift $$swift, debian/changelog $$deb, CHANGELOG.md $$log"; exit 1; \
	fi

## deb-deps: what dpkg-buildpackage needs besides swift (debian/control's Build-Depends), and lintian.
DEB_PACKAGES := debhelper dpkg-dev lintian pandoc libssl-dev libsystemd-dev libnghttp2-dev libfstrm-dev \
	pkg-config
deb-deps:
	$(call apt-install-missing,$(DEB_PACKAGES))

## deb: the Debian package, in DEBOUT (dpkg-buildpackage writes next to the source tree; the files
## are moved from there), then lintian on it.
DEBOUT ?= $(CURDIR)/.build-deb
deb: deb-deps version-check
	MAMORI_SCRATCH=$(abspath $(SCRATCH)) dpkg-buildpackage -b -us -uc
	mkdir -p $(DEBOUT)
	ver=$$(dpkg-parsechangelog -S Version); arch=$$(dpkg-architecture -qDEB_HOST_ARCH); \
	mv ../mamori_$${ver}_$${arch}.deb ../mamori_$${ver}_$${arch}.buildinfo \
		../mamori_$${ver}_$${arch}.changes $(DEBOUT)/
	lintian --fail-on error,warning $(DEBOUT)/mamori_*.deb
	@ls -l $(DEBOUT)/*.deb

## package-test: install the package in a clean Debian 12 root and check it (Docs/packaging.md). Slow
## (debootstrap the first time), so not part of `make test`.
package-test: deb
	$(call apt-install-missing,debootstrap)
	Tests/Package/package-test $(DEBOUT)/mamori_$$(dpkg-parsechangelog -S Version)_$$(dpkg-architecture -qDEB_HOST_ARCH).deb
