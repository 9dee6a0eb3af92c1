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

.PHONY: deps build test lint unit e2e demo fuzz run clean

## deps: install the Debian packages that are missing (apt-get update first, only when needed).
## nsd, knot and unbound are installed for the lab, not as services: a policy-rc.d that refuses
## starts keeps their packages from starting system daemons on port 53 (which would take the port
## `make run` needs), and is removed again unless it was there before.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
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
