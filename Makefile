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
