# Native AOT builds of the Lambda functions.
#
# `sam build` runs `make build-<LogicalId>` for every function whose template Metadata says
# `BuildMethod: makefile`, with ARTIFACTS_DIR set to the folder it packages; the provided.al2023
# runtime starts the executable named `bootstrap` there. CommandApiFunction and
# CommandPublisherFunction are the same executable (Queueing.Actuate); `_HANDLER` picks the function.

DOTNET ?= dotnet
RUNTIME_ID := linux-x64
PUBLISH_FLAGS := -c Release -r $(RUNTIME_ID) -p:PublishAot=true -warnaserror
ARTIFACTS ?= artifacts
# glibc of Amazon Linux 2023 (provided.al2023). A Native AOT executable links against the build host's glibc
# and fails to start on Lambda if it needs a newer one, so the build refuses such a bootstrap.
LAMBDA_GLIBC := 2.34

INGEST_PROJECT := src/Ingest/Queueing.Ingest.csproj
ACTUATE_PROJECT := src/Actuate/Queueing.Actuate.csproj

# $(call publish,<project>,<executable name>): publish into a private temp folder (the publish output
# also holds debug symbols and build leftovers) and copy only the executable to $(ARTIFACTS_DIR)/bootstrap.
# The temp folder goes away even when the publish fails; the recipe fails with it.
define publish
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 2; }
	mkdir -p "$(ARTIFACTS_DIR)"
	publish_dir="$$(mktemp -d)"; trap 'rm -rf "$$publish_dir"' EXIT; \
	$(DOTNET) publish $(1) $(PUBLISH_FLAGS) -o "$$publish_dir" && \
	cp "$$publish_dir/$(2)" "$(ARTIFACTS_DIR)/bootstrap" && \
	chmod 755 "$(ARTIFACTS_DIR)/bootstrap"
	@$(call check_glibc,$(ARTIFACTS_DIR)/bootstrap)
endef

# $(call check_glibc,<executable>): fail if it needs a glibc symbol version newer than LAMBDA_GLIBC
# (skipped with a note when binutils' objdump is not installed).
define check_glibc
if ! command -v objdump >/dev/null; then echo "objdump not found: glibc compatibility of $(1) not checked" >&2; exit 0; fi; \
needed="$$(objdump -T "$(1)" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)"; \
newest="$$(printf '%s\n%s\n' "$$needed" "$(LAMBDA_GLIBC)" | sort -V | tail -n 1)"; \
if [ "$$newest" != "$(LAMBDA_GLIBC)" ]; then \
  echo "$(1) needs glibc $$needed but provided.al2023 has $(LAMBDA_GLIBC): build on Amazon Linux 2023 or an older distro (see docs/deployment.md)" >&2; \
  exit 1; \
fi
endef

.PHONY: build build-IngestFunction build-CommandApiFunction build-CommandPublisherFunction test lint clean

build-IngestFunction:
	$(call publish,$(INGEST_PROJECT),Queueing.Ingest)

build-CommandApiFunction:
	$(call publish,$(ACTUATE_PROJECT),Queueing.Actuate)

build-CommandPublisherFunction:
	$(call publish,$(ACTUATE_PROJECT),Queueing.Actuate)

# Every function into artifacts/<LogicalId>/bootstrap, the layout `sam build` produces. Queueing.Actuate
# is published once and copied, since both command functions run the same executable.
build:
	$(MAKE) build-IngestFunction ARTIFACTS_DIR=$(ARTIFACTS)/IngestFunction
	$(MAKE) build-CommandApiFunction ARTIFACTS_DIR=$(ARTIFACTS)/CommandApiFunction
	mkdir -p $(ARTIFACTS)/CommandPublisherFunction
	cp $(ARTIFACTS)/CommandApiFunction/bootstrap $(ARTIFACTS)/CommandPublisherFunction/bootstrap

test:
	$(DOTNET) test

lint:
	cfn-lint serverless.template

clean:
	rm -rf $(ARTIFACTS) .aws-sam
