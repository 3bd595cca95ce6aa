# The two commands a fresh machine needs: `make demo` and `make test`.
GO      ?= go
BIN     := bin/tandem
EXAMPLE := examples/shop

.PHONY: demo test tools build probe images golden lint bench apiserver fuzz

build: probe
	$(GO) build -o $(BIN) ./cmd/tandem

# The health probe tandem mounts into dev containers, built for Linux and
# embedded into tandem (compose/probe).
probe:
	$(GO) generate ./compose/probe

# Render the shop (compose.yaml, base, overlays) and print its prod manifests.
demo: build
	cd $(EXAMPLE) && ../../$(BIN) render
	cd $(EXAMPLE) && ../../$(BIN) build prod

# Everything the tests need, then every test: unit, golden and e2e. The
# e2e tests build the binary themselves, which Go's test cache cannot see,
# so they always run.
test: tools lint probe apiserver
	$(GO) test $$($(GO) list ./... | grep -v /e2e)
	$(GO) test -count=1 -timeout 30m ./e2e/

# staticcheck at a pinned version: go run fetches and builds it on a fresh
# machine, and the Go caches keep it after that.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	cd $(EXAMPLE) && $(GO) vet ./... && $(GO) run $(STATICCHECK) ./...

# kubectl comes with the machine; Compose is Debian's docker-compose when
# the docker compose plugin is absent; Graphviz draws tandem graph --format
# svg. kube-score, the manifest linter,
# is installed by the e2e test that runs it (e2e/lint_test.go).
tools:
	@command -v kubectl >/dev/null || { echo "kubectl is required (it is the independent check of tandem build)"; exit 1; }
	@docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose; }
	@command -v dot >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz; }

# kube-apiserver and etcd for the e2e test of tandem check --server, built
# once per machine into ~/.cache/tandem (the test runs this itself too).
apiserver:
	sh e2e/apiserver/build.sh

# Every image the shop needs, built here since no registry is reachable:
# its backing resources (the images its tandem.yaml names) from Debian
# packages, and its services' static Linux binaries, which their FROM
# scratch Dockerfiles copy when tandem up builds them (run it again after
# changing a service's code). Images of these names that did not come
# from this recipe, such as the official ones, are kept.
SHOP_RESOURCE_IMAGES := postgres:16 mysql:8.4 redis:7 nats:2.10-alpine
images:
	sh images/resources/build.sh $(SHOP_RESOURCE_IMAGES)
	cd $(EXAMPLE) && for dir in services/*/; do \
		name=$$(basename $$dir); \
		CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -o $$dir/bin/$$name ./$$dir || exit 1; \
	done

# Rewrite golden files after an intended change; review the diff like code.
# Every package whose tests use internal/golden takes -update, so a new
# golden test is covered without touching this list.
GOLDEN := github.com/tandemdev/tandem/internal/golden
golden:
	$(GO) test $$($(GO) list -f \
		'{{range .TestImports}}{{if eq . "$(GOLDEN)"}}{{$$.ImportPath}} {{end}}{{end}}{{range .XTestImports}}{{if eq . "$(GOLDEN)"}}{{$$.ImportPath}} {{end}}{{end}}' \
		./...) -update

# In process: load, render and build time and bytes allocated per service,
# 10 to 3000 synthetic services. Then the README's table: tandem's commands
# against kubectl kustomize, each in its own process with its peak memory
# (about a quarter of an hour, three minutes of it kubectl at 1000 services).
bench: probe
	$(GO) test -p 1 ./render/ ./render/build/ -run '^$$' -bench 'Load|Render|Build' -benchtime 3x
	$(GO) run ./internal/cmd/benchtable

# Every fuzz target of the repository in turn, FUZZTIME each. Go minimizes
# every new input it finds for up to a minute, which took all of a short
# run of the targets that render (issue 19); FUZZMINIMIZETIME bounds it.
# Each run starts from the corpus committed in the package's testdata/fuzz
# and grows its own in Go's cache (a two-minute run finds a few thousand
# inputs, too many to commit each time); an input that fails is written to
# testdata/fuzz, for `go test` to replay once it is fixed: commit that.
# FUZZCORPUS=testdata writes every input found there instead, to refresh
# the committed corpus.
FUZZTIME         ?= 2m
FUZZMINIMIZETIME ?= 100x
FUZZCORPUS       ?= cache
fuzz:
	@set -e; for file in $$(grep -rl --include='*_test.go' --exclude-dir=examples '^func Fuzz' . | sort); do \
		dir=$$(dirname $$file); \
		cache=""; [ "$(FUZZCORPUS)" = testdata ] && cache="-test.fuzzcachedir=$(CURDIR)/$$dir/testdata/fuzz"; \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
			echo "fuzz: $$target in $$dir for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $$dir -args $$cache; \
		done; \
	done
